"""iCalendar (RFC 5545, with the RFC 5546 methods) text from plain event values: pure, no I/O,
no clock reads.

Times are written with the TZID of the zone they are shown in, and the calendar carries the
matching VTIMEZONE, so a calendar app places them correctly even across a DST change.

One event is one reservation: its UID never changes, and its SEQUENCE grows with every change,
so a calendar app that already has the event replaces it (a new time, or a cancellation) rather
than adding a second one. A feed is ``METHOD:PUBLISH``; a single invite sent to a person is
``METHOD:REQUEST`` (or ``METHOD:CANCEL`` once the reservation is cancelled), see ``invite``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Concierge//Booking pages//EN"

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]
Status = Literal["CONFIRMED", "TENTATIVE", "CANCELLED"]


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
    # Whose meeting it is (the host), as (name, email); a REQUEST or CANCEL needs one.
    organizer: tuple[str, str] | None = None
    # Grows by one with every change of the reservation (RFC 5545 3.8.7.4).
    sequence: int = 0
    status: Status = "CONFIRMED"


def calendar(
    events: Sequence[CalendarEvent],
    tz: ZoneInfo,
    now: datetime,
    *,
    name: str | None = None,
    method: Method = "PUBLISH",
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


def invite(event: CalendarEvent, tz: ZoneInfo, now: datetime) -> bytes:
    """One event sent to a person (a download, an email attachment): a REQUEST while it stands,
    a CANCEL once it is cancelled, so their calendar adds, moves or removes the same event."""
    method: Method = "CANCEL" if event.status == "CANCELLED" else "REQUEST"
    return calendar([event], tz, now, method=method)


def _address(person: tuple[str, str]) -> vCalAddress:
    name, email = person
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    return address


def _event(item: CalendarEvent, tz: ZoneInfo, now: datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", item.start.astimezone(tz))
    event.add("dtend", item.end.astimezone(tz))
    event.add("summary", item.summary)
    event.add("sequence", item.sequence)
    event.add("status", item.status)
    # A cancelled meeting no longer blocks the time in the reader's calendar.
    event.add("transp", "TRANSPARENT" if item.status == "CANCELLED" else "OPAQUE")
    event.add("created", item.created.astimezone(UTC))
    event.add("last-modified", item.modified.astimezone(UTC))
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    if item.organizer:
        event.add("organizer", _address(item.organizer), encode=False)
    if item.attendee:
        attendee = _address(item.attendee)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    return event
