"""Busy intervals from iCalendar text: pure, no I/O, no clock reads.

Recurring series are expanded (RRULE, RDATE, EXDATE, and RECURRENCE-ID overrides, moved or
cancelled) by ``recurring-ical-events``; a calendar that names its zone only in
``X-WR-TIMEZONE`` (Google's exports) is first made standard by ``x-wr-timezone``. What is not
busy: cancelled events and instances, transparent ("free") events, and the events Concierge
itself wrote back (UIDs ``reservation-<id>@<its UID domain>``: the reservation already takes the
time, and must not keep taking it after it moved or was cancelled). All-day and floating times
are read in the calendar owner's zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]
import x_wr_timezone  # type: ignore[import-untyped]

from concierge.scheduling.engine import Interval


class UnreadableCalendar(ValueError):
    """The text is not iCalendar."""


def busy_intervals(
    texts: Iterable[bytes | str], window: Interval, tz: ZoneInfo, own_domain: str | None = None
) -> list[Interval]:
    """Busy intervals of every calendar text, clipped to ``window``, sorted and merged; events
    this install wrote back (UIDs ``reservation-<id>@<own_domain>``) are not counted."""
    found: list[Interval] = []
    own = None if own_domain is None else re.compile(rf"reservation-\d+@{re.escape(own_domain)}")
    for text in texts:
        found.extend(_busy(text, window, tz, own))
    return merge(found)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for item in sorted(intervals):
        if merged and item.start <= merged[-1].end:
            if item.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, item.end)
        else:
            merged.append(item)
    return merged


def _busy(
    text: bytes | str, window: Interval, tz: ZoneInfo, own: re.Pattern[str] | None
) -> list[Interval]:
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise UnreadableCalendar(f"not iCalendar text ({exc})") from None
    calendar = x_wr_timezone.to_standard(calendar)
    query = recurring_ical_events.of(calendar, components=["VEVENT"], skip_bad_series=True)
    # A day of margin either side: an all-day event is placed in the owner's zone below.
    first, last = window.start - timedelta(days=1), window.end + timedelta(days=1)
    out = []
    for event in query.between(first, last):
        if _free(event, own):
            continue
        start, end = _instant(event.get("DTSTART"), tz), _end(event, tz)
        if start is None or end is None or end <= start:
            continue
        start, end = max(start, window.start), min(end, window.end)
        if start < end:
            out.append(Interval(start, end))
    return out


def _free(event: Any, own: re.Pattern[str] | None) -> bool:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return True
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return True
    return own is not None and own.fullmatch(str(event.get("UID", ""))) is not None


def _instant(prop: Any, tz: ZoneInfo) -> datetime | None:
    if prop is None:
        return None
    value = prop.dt if hasattr(prop, "dt") else prop
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=tz)
        return aware.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tz).astimezone(UTC)
    return None


def _end(event: Any, tz: ZoneInfo) -> datetime | None:
    end = event.get("DTEND")
    if end is not None:
        return _instant(end, tz)
    start = event.get("DTSTART")
    if start is None:
        return None
    duration = event.get("DURATION")
    begun = start.dt
    if duration is not None:
        length: timedelta = duration.dt
    elif isinstance(begun, date) and not isinstance(begun, datetime):
        length = timedelta(days=1)  # RFC 5545: an all-day event without an end lasts that day
    else:
        return _instant(start, tz)
    if isinstance(begun, datetime):
        # A duration is wall-clock for days and exact for hours (RFC 5545 3.3.6); adding it
        # in the event's own zone keeps "P1D" one calendar day across a DST change.
        local = begun if begun.tzinfo is not None else begun.replace(tzinfo=tz)
        return (local + length).astimezone(UTC)
    return datetime.combine(begun + length, time(0), tz).astimezone(UTC)
