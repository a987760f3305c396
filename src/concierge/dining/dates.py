"""Dates and times in plain words ("Saturday", "Feb 14", "7pm"), read in the user's time zone.

dateparser reads the month-name forms we do not spell out ourselves ("14th of February"), but
our rules decide the meaning of every form listed in ``DATE_FORMS``: where dateparser differs
("next Saturday" is the Saturday of *next week* here, not the coming one; a month-day already
past means next year) we never ask it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

from concierge.errors import InvalidRequest

DATE_FORMS = (
    '"today"',
    '"tomorrow"',
    '"Saturday" or "this Saturday" (the coming one)',
    '"next Saturday" (the Saturday of next week)',
    '"in 3 days"',
    '"Feb 14"',
    '"14 Feb"',
    '"2/14"',
    '"2026-02-14"',
)
TIME_FORMS = ("7pm", "7:30 PM", "19:00", "noon", "midnight")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_NAMES = {name: i for i, name in enumerate(WEEKDAYS)} | {
    name[:3]: i for i, name in enumerate(WEEKDAYS)
}
_WEEKDAY_NAMES |= {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_NAMES = {name: i + 1 for i, name in enumerate(MONTHS)} | {
    name[:3]: i + 1 for i, name in enumerate(MONTHS)
}
_MONTH_NAMES |= {"sept": 9}

_MONTH = "|".join(sorted(_MONTH_NAMES, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?$")
_MONTH_DAY = re.compile(rf"^({_MONTH})\.?\s+(\d{{1,2}}){_ORD}(?:,?\s+(\d{{4}}))?$")
_DAY_MONTH = re.compile(rf"^(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MONTH})\.?(?:,?\s+(\d{{4}}))?$")
_IN_N = re.compile(r"^in\s+(\d{1,3}|a|an|one|two|three|four|five|six|seven)\s+(day|week)s?$")
_WEEKDAY = re.compile(r"^(this\s+|next\s+|on\s+)?([a-z]+)$")
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NUMBER_WORDS |= {"six": 6, "seven": 7}

_CLOCK_12 = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s*m?\.?$")
_CLOCK_24 = re.compile(r"^(\d{1,2}):(\d{2})$")
_NAMED_TIMES = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}


class UnreadableDate(InvalidRequest):
    """A date or time in words we do not read; the message lists the forms we do."""


@dataclass(frozen=True)
class When:
    """A day and an optional wall-clock time, as the user meant them in their zone."""

    day: date
    time: time | None = None


def _clean(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"\s+", " ", folded)


def date_help() -> str:
    return "Say the date as one of: " + ", ".join(DATE_FORMS) + "."


def time_help() -> str:
    return "Say the time as one of: " + ", ".join(f'"{form}"' for form in TIME_FORMS) + "."


def parse_time(text: str) -> time:
    """ "7pm", "7:30 PM", "19:00", "noon" -> a wall-clock time."""
    words = _clean(text)
    if words in _NAMED_TIMES:
        return _NAMED_TIMES[words]
    if match := _CLOCK_12.match(words):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if 1 <= hour <= 12 and minute < 60:
            hour = hour % 12 + (12 if match.group(3) == "p" else 0)
            return time(hour, minute)
    elif match := _CLOCK_24.match(words):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise UnreadableDate(f"I cannot read the time {text!r}. {time_help()}", field="time")


def parse_date(text: str, *, now: datetime, tz: ZoneInfo, at: time | None = None) -> date:
    """The day ``text`` names, seen from ``now`` in the user's zone ``tz``.

    ``at`` is the time asked for, if any: "Saturday" said on a Saturday means today only while
    that time is still ahead.
    """
    local = now.astimezone(tz)
    today = local.date()
    words = _clean(text)
    if not words:
        raise UnreadableDate(f"No date given. {date_help()}", field="date")
    if words in ("today", "tonight"):
        return today
    if words == "tomorrow":
        return today + timedelta(days=1)
    if match := _IN_N.match(words):
        count = _NUMBER_WORDS.get(match.group(1)) or int(match.group(1))
        return today + timedelta(days=count * (7 if match.group(2) == "week" else 1))
    if match := _WEEKDAY.match(words):
        weekday = _WEEKDAY_NAMES.get(match.group(2))
        if weekday is not None:
            return _weekday(
                today, weekday, nxt=(match.group(1) or "").strip() == "next", at=at, local=local
            )
    if match := _ISO.match(words):
        return _make(text, int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _SLASH.match(words):
        month, day, year = int(match.group(1)), int(match.group(2)), match.group(3)
        return _month_day(text, today, month, day, _year(year))
    if match := _MONTH_DAY.match(words):
        month = _MONTH_NAMES[match.group(1)]
        return _month_day(text, today, month, int(match.group(2)), _year(match.group(3)))
    if match := _DAY_MONTH.match(words):
        month = _MONTH_NAMES[match.group(2)]
        return _month_day(text, today, month, int(match.group(1)), _year(match.group(3)))
    return _fallback(text, words, today)


def resolve(date_text: str, time_text: str | None = None, *, now: datetime, tz: ZoneInfo) -> When:
    """Both halves at once, so that "Saturday" said on a Saturday can see the time asked."""
    at = parse_time(time_text) if time_text and time_text.strip() else None
    return When(parse_date(date_text, now=now, tz=tz, at=at), at)


def _weekday(today: date, weekday: int, *, nxt: bool, at: time | None, local: datetime) -> date:
    if nxt:
        # The Saturday of next week: weeks start on Monday (ISO).
        next_monday = today + timedelta(days=7 - today.weekday())
        return next_monday + timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and at is not None and at <= local.time().replace(tzinfo=None):
        ahead = 7  # today's time has gone: the same weekday next week
    return today + timedelta(days=ahead)


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year


def _month_day(text: str, today: date, month: int, day: int, year: int | None) -> date:
    if year is not None:
        return _make(text, year, month, day)
    # A month-day already past this year means next year; Feb 29 waits for a leap year.
    for candidate in range(today.year, today.year + 9):
        try:
            found = date(candidate, month, day)
        except ValueError:
            if month == 2 and day == 29:
                continue
            break
        if found >= today:
            return found
    raise UnreadableDate(f"{text!r} is not a date on the calendar. {date_help()}", field="date")


def _make(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise UnreadableDate(
            f"{text!r} is not a date on the calendar. {date_help()}", field="date"
        ) from exc


def _fallback(text: str, words: str, today: date) -> date:
    """Month-name spellings we do not list ("14th of February 2027"): dateparser reads them,
    our year rule applies. Nothing without a month name is left to it, because its relative
    readings differ from ours (it reads "a week from today" as a week ago)."""
    if not re.search(rf"\b({_MONTH})\b", words):
        raise UnreadableDate(f"I cannot read the date {text!r}. {date_help()}", field="date")
    parsed = dateparser.parse(
        words,
        languages=["en"],
        settings={"REQUIRE_PARTS": ["day", "month"], "PREFER_DAY_OF_MONTH": "first"},
    )
    if parsed is None:
        raise UnreadableDate(f"I cannot read the date {text!r}. {date_help()}", field="date")
    year = parsed.year if re.search(r"\b\d{4}\b", words) else None
    return _month_day(text, today, parsed.month, parsed.day, year)
