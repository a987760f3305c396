"""The month calendar of a booking page: which month and day to show, and the grid of its weeks.

Pure: the free times come in already worked out, per local date of the visitor's zone. The
address keeps the month and day (``month=2026-12&day=2026-12-01``), so a link or Back shows the
same view and the page works without JavaScript.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

_WEEK = calendar.Calendar(firstweekday=calendar.MONDAY)


@dataclass(frozen=True)
class Cell:
    day: date
    in_month: bool
    bookable: bool  # within notice and horizon
    free: int  # free times that day
    chosen: bool
    today: bool


@dataclass(frozen=True)
class MonthView:
    month: date  # its first day
    chosen: date | None
    weeks: list[list[Cell]]
    previous: date | None  # first day of the month before, when it can be shown
    next: date | None


def parse_month(raw: str | None) -> date | None:
    """``2026-12`` as its first day; anything else is no choice at all."""
    if not raw or len(raw) != 7 or not raw[:4].isdigit() or raw[4] != "-":
        return None
    if not raw[5:].isdigit():
        return None
    try:
        return date(int(raw[:4]), int(raw[5:]), 1)
    except ValueError:
        return None


def parse_day(raw: str | None) -> date | None:
    if not raw or len(raw) != 10 or not raw.isascii():
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_view(
    free: dict[date, list[datetime]],
    today: date,
    last: date,
    month: date | None,
    day: date | None,
) -> MonthView:
    """The month to show and the day whose times to list.

    A day asked for is chosen when it has free times; else the first day with free times of the
    month asked for (or the day's), else of the whole range. A month outside ``[today, last]``
    is brought in."""
    first_month, last_month = today.replace(day=1), last.replace(day=1)
    free_days = sorted(d for d, starts in free.items() if starts)
    chosen: date | None = None
    if day is not None and today <= day <= last:
        month = month or day.replace(day=1)
        chosen = day if free.get(day) else None
    if month is not None:
        month = min(max(month, first_month), last_month)
    if chosen is None or (month is not None and chosen.replace(day=1) != month):
        in_month = [d for d in free_days if month is None or d.replace(day=1) == month]
        chosen = in_month[0] if in_month else None
    if month is None:
        month = chosen.replace(day=1) if chosen else first_month
    weeks = [
        [
            Cell(
                day=d,
                in_month=d.month == month.month,
                bookable=today <= d <= last,
                free=len(free.get(d, ())),
                chosen=d == chosen,
                today=d == today,
            )
            for d in week
        ]
        for week in _WEEK.monthdatescalendar(month.year, month.month)
    ]
    before, after = _shift(month, -1), _shift(month, 1)
    return MonthView(
        month=month,
        chosen=chosen,
        weeks=weeks,
        previous=before if before >= first_month else None,
        next=after if after <= last_month else None,
    )
