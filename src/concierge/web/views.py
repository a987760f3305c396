"""Words and numbers for the templates: dates, times, zones and lengths as people read them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

# Regions of the IANA database people live in; the rest are aliases kept for old software.
_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return ("UTC", *sorted(z for z in available_timezones() if z.startswith(_REGIONS)))


def zone_label(name: str) -> str:
    return name.replace("_", " ")


def offset_label(tz: ZoneInfo, at: datetime) -> str:
    """'UTC+09:00', 'UTC-07:00', 'UTC+05:45' at the instant ``at``."""
    offset = at.astimezone(tz).utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _place(name: str) -> str:
    """'America/Argentina/Buenos_Aires' -> 'Argentina, Buenos Aires': the region is the group."""
    return zone_label(name.split("/", 1)[-1]).replace("/", ", ")


@lru_cache(maxsize=4)
def _zone_groups(hour: datetime) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in _zone_names():
        region = name.split("/", 1)[0] if "/" in name else "Universal"
        label = f"{_place(name)} ({offset_label(ZoneInfo(name), hour)})"
        groups.setdefault(region, []).append((name, label))
    return tuple((region, tuple(zones)) for region, zones in groups.items())


def zone_groups(current: str, now: datetime) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every zone to pick from, grouped by region and labelled with its offset now; ``current``
    is among them even when it is an alias. Offsets are worked out once an hour."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    groups = [(region, list(zones)) for region, zones in _zone_groups(hour)]
    if current not in _zone_names():
        label = f"{zone_label(current)} ({offset_label(ZoneInfo(current), now)})"
        groups.insert(0, ("Your zone", [(current, label)]))
    return groups


def duration_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours > 1 else ""))
    if rest or not hours:
        parts.append(f"{rest} minutes")
    return " ".join(parts)


def day_label(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


CLOCKS = (12, 24)


def clock_of(raw: str | None) -> int:
    """The clock asked for in an address (``clock=12``); 24 hours unless 12 is named."""
    return 12 if raw == "12" else 24


def clock_query(clock: int) -> str:
    """What keeps a 12-hour clock on the next page's address ('' for the default 24)."""
    return "?clock=12" if clock == 12 else ""


def _clock_time(local: datetime, clock: int) -> str:
    if clock == 12:
        return f"{local.hour % 12 or 12}:{local:%M} {'am' if local.hour < 12 else 'pm'}"
    return f"{local:%H:%M}"


def time_label(instant: datetime, tz: ZoneInfo, clock: int = 24) -> str:
    """'18:00', or '6:00 pm' on a 12-hour clock."""
    return _clock_time(instant.astimezone(tz), clock)


def when_label(start: datetime, end: datetime, tz: ZoneInfo, clock: int = 24) -> str:
    """'Tuesday 1 December 2026, 18:00–18:30' (the end's date is named when it differs)."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    text = f"{day_label(local_start.date())} {local_start.year}, {_clock_time(local_start, clock)}–"
    if local_end.date() != local_start.date():
        text += f"{day_label(local_end.date())} "
    return text + _clock_time(local_end, clock)


def moment_label(instant: datetime, tz: ZoneInfo, clock: int = 24) -> str:
    """'18:00 on Tuesday 1 December'."""
    local = instant.astimezone(tz)
    return f"{_clock_time(local, clock)} on {day_label(local.date())}"


def remaining_label(seconds: int) -> str:
    minutes, secs = divmod(max(0, seconds), 60)
    return f"{minutes}:{secs:02d}"


def count_label(n: int) -> str:
    return f"{n} time" + ("" if n == 1 else "s")


def slot_id(instant: datetime) -> str:
    return f"slot-{int(instant.timestamp())}"


def ends(start: datetime, minutes: int) -> datetime:
    return start + timedelta(minutes=minutes)


def lengths_label(durations: list[int]) -> str:
    """'30 minutes', or '15 minutes, 30 minutes or 1 hour'."""
    labels = [duration_label(m) for m in durations]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


_PLACES = {"in_person": "In person at {}", "phone": "By phone: {}", "video": "Video call"}


def location_label(kind: str, detail: str) -> str:
    """Where a meeting type meets, in words; '' when the host did not say."""
    if kind not in _PLACES:
        return ""
    return _PLACES[kind].format(detail)
