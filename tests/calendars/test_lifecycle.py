"""A booking's whole life as calendars see it: one event with one UID from hold to cancel, its
SEQUENCE growing with every change, ORGANIZER and ATTENDEE named, and a cancellation kept in the
feed as STATUS:CANCELLED for 30 days so subscribed calendars remove the event.

The frozen clock reads Monday 2026-11-23 12:00 UTC; the host works 09:00-17:00 UTC on weekdays
(see tests/fixtures/reservations.py). This install is reached at https://book.example.org.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

from concierge.calendars import ics
from concierge.clock import FrozenClock
from concierge.config import Settings
from tests.fixtures.app import Person
from tests.fixtures.reservations import Reserve, at

pytestmark = pytest.mark.anyio

PUBLIC = "https://book.example.org"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"public_url": PUBLIC})


async def feed_path(client: httpx.AsyncClient, person: Person) -> str:
    response = await client.post(f"/v1/users/{person.id}/calendar-url", headers=person.auth)
    assert response.status_code == 201, response.text
    parts = urlsplit(response.json()["url"])
    return f"{parts.path}?{parts.query}"


async def events_in(client: httpx.AsyncClient, path: str) -> dict[str, Any]:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    return {str(event["UID"]): event for event in calendar.events}


def test_the_uid_domain_is_the_public_hosts_unless_set() -> None:
    plain = Settings(_env_file=None)  # type: ignore[call-arg]
    assert plain.uid_domain == "127.0.0.1"
    public = Settings(public_url="https://Book.Example.org:8443/x", _env_file=None)  # type: ignore[call-arg]
    assert public.uid_domain == "book.example.org"
    chosen = Settings(
        public_url=PUBLIC,
        calendar_uid_domain="calendar.example.net",
        _env_file=None,  # type: ignore[call-arg]
    )
    assert chosen.uid_domain == "calendar.example.net"


async def test_one_event_from_booking_to_cancellation_and_then_gone(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
) -> None:
    booked = await reserve(guest, host, at(14), duration=30, confirm=True)
    rid = booked.json()["id"]
    uid = f"reservation-{rid}@book.example.org"
    host_feed, guest_feed = await feed_path(client, host), await feed_path(client, guest)

    first = (await events_in(client, host_feed))[uid]
    assert str(first["STATUS"]) == "CONFIRMED"
    assert str(first["ORGANIZER"]) == "mailto:hana.host@example.com"
    assert first["ORGANIZER"].params["CN"] == "Hana Host"
    assert str(first["ATTENDEE"]) == "mailto:gus.guest@example.com"
    assert first["ATTENDEE"].params["CN"] == "Gus Guest"
    assert str(first["SUMMARY"]) == "Meeting with Gus Guest"
    assert set(await events_in(client, guest_feed)) == {uid}

    clock.advance(minutes=5)
    moved = await client.post(
        f"/v1/reservations/{rid}/reschedule", json={"start": at(16)}, headers=host.auth
    )
    assert moved.status_code == 200, moved.text
    second = (await events_in(client, guest_feed))[uid]
    assert second.start == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert second["LAST-MODIFIED"].dt == datetime(2026, 11, 23, 12, 5, tzinfo=UTC)

    clock.advance(minutes=5)
    cancelled = await client.post(
        f"/v1/reservations/{rid}/cancel", json={"reason": "Sick"}, headers=guest.auth
    )
    assert cancelled.status_code == 200, cancelled.text
    for path in (host_feed, guest_feed):
        third = (await events_in(client, path))[uid]
        assert str(third["STATUS"]) == "CANCELLED"
        assert third["SEQUENCE"] > second["SEQUENCE"]
        assert third.start == second.start

    clock.advance(days=30)  # still within the 30 days of the cancellation
    assert uid in await events_in(client, host_feed)
    clock.advance(minutes=1)
    assert await events_in(client, host_feed) == {}


async def test_a_hold_never_confirmed_and_released_never_reaches_a_feed(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    held = await reserve(guest, host, at(14), duration=30)
    await client.post(f"/v1/reservations/{held.json()['id']}/cancel", headers=guest.auth)
    assert await events_in(client, await feed_path(client, host)) == {}


def test_an_invite_is_a_request_until_cancelled_then_a_cancel_of_the_same_uid() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    standing = ics.CalendarEvent(
        uid="reservation-7@book.example.org",
        start=datetime(2026, 11, 24, 14, 0, tzinfo=UTC),
        end=datetime(2026, 11, 24, 14, 30, tzinfo=UTC),
        summary="Meeting with Hana Host",
        created=now,
        modified=now,
        organizer=("Hana Host", "hana@example.com"),
        attendee=("Gus Guest", "gus@example.com"),
        sequence=1,
    )
    gone = ics.CalendarEvent(**{**standing.__dict__, "sequence": 2, "status": "CANCELLED"})
    tz = ZoneInfo("Europe/London")
    request = Calendar.from_ical(ics.invite(standing, tz, now))
    cancel = Calendar.from_ical(ics.invite(gone, tz, now))
    assert (str(request["METHOD"]), str(cancel["METHOD"])) == ("REQUEST", "CANCEL")
    (asked,), (withdrawn,) = request.events, cancel.events
    assert str(asked["UID"]) == str(withdrawn["UID"])
    assert (asked["SEQUENCE"], withdrawn["SEQUENCE"]) == (1, 2)
    assert (str(asked["STATUS"]), str(withdrawn["STATUS"])) == ("CONFIRMED", "CANCELLED")
    assert str(withdrawn["TRANSP"]) == "TRANSPARENT"
    assert str(withdrawn["ORGANIZER"]) == "mailto:hana@example.com"
    assert withdrawn["ATTENDEE"].params["ROLE"] == "REQ-PARTICIPANT"
