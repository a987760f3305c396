"""Words an assistant passes for dates and times, turned into dates and instants.

Assistants relay what people say, so the tools accept the few forms people use ("tomorrow",
"next week", "2026-12-01 to 2026-12-05") and refuse anything else with a message that shows the
accepted forms, rather than guessing.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from concierge.errors import InvalidRequest

RANGE_FORMS = (
    "a date (2026-12-01), two dates (2026-12-01 to 2026-12-05), 'today', 'tomorrow', "
    "'this week', 'next week', or 'next N days'"
)
_SEPARATOR = re.compile(r"\s*(?:\.\.|/|\bto\b|\buntil\b|\bthrough\b|–|—|\s-\s)\s*", re.IGNORECASE)
_NEXT_DAYS = re.compile(r"^(?:next|the next|coming)\s+(\d{1,2})\s+days?$")


def _one_date(text: str, today: date) -> date:
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    try:
        return date.fromisoformat(word)
    except ValueError as exc:
        raise InvalidRequest(
            f"I cannot read {text!r} as a date range: use {RANGE_FORMS}.", field="date_range"
        ) from exc


def date_range(text: str, today: date) -> tuple[date, date]:
    """First and last date (inclusive) named by ``text``, relative to ``today``."""
    phrase = " ".join(text.strip().lower().split())
    monday = today - timedelta(days=today.weekday())
    if phrase == "this week":
        return today, monday + timedelta(days=6)
    if phrase == "next week":
        return monday + timedelta(days=7), monday + timedelta(days=13)
    if match := _NEXT_DAYS.match(phrase):
        return today, today + timedelta(days=max(int(match.group(1)), 1) - 1)
    parts = [p for p in _SEPARATOR.split(phrase) if p]
    if len(parts) == 1:
        day = _one_date(parts[0], today)
        return day, day
    if len(parts) == 2:
        first, last = _one_date(parts[0], today), _one_date(parts[1], today)
        if last < first:
            raise InvalidRequest(
                f"{text!r} ends before it starts; give the earlier date first.", field="date_range"
            )
        return first, last
    raise InvalidRequest(
        f"I cannot read {text!r} as a date range: use {RANGE_FORMS}.", field="date_range"
    )


def instant(text: str, tz: ZoneInfo) -> datetime:
    """An ISO 8601 date and time; without an offset it is wall-clock time in ``tz``."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise InvalidRequest(
            f"I cannot read {text!r} as a start time: use an ISO date and time such as "
            "2026-12-01T10:30 (your own time zone) or 2026-12-01T10:30:00-05:00.",
            field="start",
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed
