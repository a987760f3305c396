"""Words an assistant passes for dates and times, turned into dates and instants.

Assistants relay what people say, so the tools accept the forms people use ("tomorrow",
"Saturday", "next week", "next month", "2026-12-01 to 2026-12-05", "Monday 9am") and refuse
anything else with a message that shows the accepted forms, rather than guessing. A day in words
means what it means when booking a table (concierge.dining.dates: one reading for both).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from concierge.dining import dates
from concierge.errors import InvalidRequest

RANGE_FORMS = (
    "a date (2026-12-01, 'Saturday', 'Dec 14'), two dates (2026-12-01 to 2026-12-05), "
    "'today', 'tomorrow', 'this week', 'next week', 'this month', 'next month', or 'next N days'"
)
START_FORMS = (
    "an ISO date and time such as 2026-12-01T10:30 (your own time zone) or "
    "2026-12-01T10:30:00-05:00, or a day and a time in words such as 'Monday 9am' or "
    "'tomorrow at 14:30'"
)
_SEPARATOR = re.compile(r"\s*(?:\.\.|/|\bto\b|\buntil\b|\bthrough\b|–|—|\s-\s)\s*", re.IGNORECASE)
_NEXT_DAYS = re.compile(r"^(?:next|the next|coming)\s+(\d{1,2})\s+days?$")
_DAY_AND_TIME = re.compile(
    r"^(?P<day>.+?)\s+(?:at\s+)?(?P<time>\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?|noon|midnight)$",
    re.IGNORECASE,
)


def _one_date(text: str, now: datetime, tz: ZoneInfo) -> date:
    try:
        return dates.parse_date(text, now=now, tz=tz)
    except InvalidRequest as exc:
        raise InvalidRequest(
            f"I cannot read {text!r} as a date range: use {RANGE_FORMS}.", field="date_range"
        ) from exc


def _month(today: date, ahead: int) -> tuple[date, date]:
    first = date(
        today.year + (today.month - 1 + ahead) // 12, (today.month - 1 + ahead) % 12 + 1, 1
    )
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (today if ahead == 0 else first), following - timedelta(days=1)


def date_range(text: str, now: datetime, tz: ZoneInfo) -> tuple[date, date]:
    """First and last date (inclusive) named by ``text``, seen from ``now`` in ``tz``."""
    today = now.astimezone(tz).date()
    phrase = " ".join(text.strip().lower().split())
    monday = today - timedelta(days=today.weekday())
    if phrase in ("this month", "next month"):
        return _month(today, 0 if phrase == "this month" else 1)
    if phrase == "this week":
        return today, monday + timedelta(days=6)
    if phrase == "next week":
        return monday + timedelta(days=7), monday + timedelta(days=13)
    if match := _NEXT_DAYS.match(phrase):
        return today, today + timedelta(days=max(int(match.group(1)), 1) - 1)
    parts = [p for p in _SEPARATOR.split(phrase) if p]
    if len(parts) == 1:
        day = _one_date(parts[0], now, tz)
        return day, day
    if len(parts) == 2:
        first, last = _one_date(parts[0], now, tz), _one_date(parts[1], now, tz)
        if last < first:
            raise InvalidRequest(
                f"{text!r} ends before it starts; give the earlier date first.", field="date_range"
            )
        return first, last
    raise InvalidRequest(
        f"I cannot read {text!r} as a date range: use {RANGE_FORMS}.", field="date_range"
    )


def instant(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """An ISO 8601 date and time, or a day and a time in words; without an offset it is
    wall-clock time in ``tz``."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        return _in_words(text, now, tz)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def _in_words(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    unreadable = InvalidRequest(
        f"I cannot read {text!r} as a start time: use {START_FORMS}.", field="start"
    )
    match = _DAY_AND_TIME.match(" ".join(text.split()))
    if match is None:
        raise unreadable
    try:
        when = dates.resolve(match["day"], match["time"], now=now, tz=tz)
    except InvalidRequest as exc:
        raise unreadable from exc
    assert when.time is not None  # a time was matched, so resolve read one
    return datetime.combine(when.day, when.time, tzinfo=tz)
