"""iCalendar (RFC 5545) text from plain event values: pure, no I/O, no clock reads.

Times are written with the TZID of the zone they are shown in, and the calendar carries the
matching VTIMEZONE, so a calendar app places them correctly even across a DST change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Concierge//Booking pages//EN"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    created: datetime
    modified: datetime
    description: str | None = None
    url: str | None = None
    # Who the meeting is with, as (name, email), for the host's copy.
    attendee: tuple[str, str] | None = None


def calendar(
    events: Sequence[CalendarEvent],
    tz: ZoneInfo,
    now: datetime,
    *,
    name: str | None = None,
    method: str = "PUBLISH",
) -> bytes:
    """A VCALENDAR holding ``events``, their times in ``tz``."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("name", name)
        # Older clients (Google, Apple) read the calendar's name and zone from these.
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz.key)
    for item in events:
        cal.add_component(_event(item, tz, now))
    if events:
        # The transitions around the events (a year either side, so clients see the zone's
        # rules), not every one since 1970: that VTIMEZONE would be kilobytes long.
        first = min(e.start for e in events).astimezone(tz).date() - timedelta(days=366)
        last = max(e.end for e in events).astimezone(tz).date() + timedelta(days=366)
        cal.add_missing_timezones(first_date=first, last_date=last)
    body: bytes = cal.to_ical()
    return body


def _event(item: CalendarEvent, tz: ZoneInfo, now: datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", item.start.astimezone(tz))
    event.add("dtend", item.end.astimezone(tz))
    event.add("summary", item.summary)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("created", item.created.astimezone(UTC))
    event.add("last-modified", item.modified.astimezone(UTC))
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    if item.attendee:
        name, email = item.attendee
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    return event
