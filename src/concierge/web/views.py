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


def zone_choices(current: str) -> list[tuple[str, str]]:
    """Every zone to pick from, with ``current`` among them even when it is an alias."""
    names = _zone_names()
    if current not in names:
        names = (current, *names)
    return [(name, zone_label(name)) for name in names]


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


def time_label(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%H:%M")


def when_label(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'Tuesday 1 December 2026, 18:00–18:30' (the end's date is named when it differs)."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    text = f"{day_label(local_start.date())} {local_start.year}, {local_start:%H:%M}–"
    if local_end.date() != local_start.date():
        text += f"{day_label(local_end.date())} "
    return text + f"{local_end:%H:%M}"


def moment_label(instant: datetime, tz: ZoneInfo) -> str:
    """'18:00 on Tuesday 1 December'."""
    local = instant.astimezone(tz)
    return f"{local:%H:%M} on {day_label(local.date())}"


def remaining_label(seconds: int) -> str:
    minutes, secs = divmod(max(0, seconds), 60)
    return f"{minutes}:{secs:02d}"


def count_label(n: int) -> str:
    return f"{n} time" + ("" if n == 1 else "s")


def slot_id(instant: datetime) -> str:
    return f"slot-{int(instant.timestamp())}"


def ends(start: datetime, minutes: int) -> datetime:
    return start + timedelta(minutes=minutes)
