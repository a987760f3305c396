"""The ICS feed: what a calendar app subscribed to a user's secret address receives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from icalendar import Calendar

from concierge.config import Settings
from concierge.db import Database
from concierge.models import Reservation, ReservationStatus

pytestmark = pytest.mark.anyio

# The frozen clock reads Monday 2026-11-23 12:00 UTC.


async def _book(
    db: Database,
    host_id: int,
    start: datetime,
    minutes: int = 30,
    *,
    guest_id: int | None = None,
    guest_name: str | None = None,
    status: ReservationStatus = ReservationStatus.CONFIRMED,
) -> int:
    created = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    async with db.unit_of_work() as session:
        reservation = Reservation(
            host_id=host_id,
            guest_id=guest_id,
            guest_name=guest_name,
            guest_email="visitor@example.com" if guest_name else None,
            start_at=start,
            end_at=start + timedelta(minutes=minutes),
            status=status,
            hold_expires_at=created + timedelta(minutes=30)
            if status == ReservationStatus.HELD
            else None,
            created_at=created,
            confirmed_at=created if status == ReservationStatus.CONFIRMED else None,
            cancelled_at=created if status == ReservationStatus.CANCELLED else None,
        )
        session.add(reservation)
        await session.flush()
        return reservation.id


async def _feed_url(client: httpx.AsyncClient, person) -> str:
    response = await client.post(f"/v1/users/{person.id}/calendar-url", headers=person.auth)
    assert response.status_code == 201, response.text
    return response.json()["url"]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_feed_round_trips_every_confirmed_reservation_in_the_users_zone(
    client: httpx.AsyncClient, sign_up, db: Database, settings: Settings
) -> None:
    ada = await sign_up("Ada", "Europe/London")
    bob = await sign_up("Bob", "America/New_York")
    booked = {
        # Ada hosts Bob; Bob hosts Ada; Ada hosts a visitor without an account.
        await _book(db, ada.id, datetime(2026, 12, 1, 10, 0, tzinfo=UTC), guest_id=bob.id): (
            "Meeting with Bob"
        ),
        await _book(db, bob.id, datetime(2026, 12, 2, 15, 30, tzinfo=UTC), 60, guest_id=ada.id): (
            "Meeting with Bob"
        ),
        # After London's clocks go forward (2027-03-28): the zone's summer offset applies.
        await _book(db, ada.id, datetime(2027, 4, 6, 8, 15, tzinfo=UTC), 45, guest_name="Cleo"): (
            "Meeting with Cleo"
        ),
    }
    # Neither a live hold nor a cancelled booking takes a place in anyone's calendar.
    await _book(
        db,
        ada.id,
        datetime(2026, 12, 3, 10, 0, tzinfo=UTC),
        guest_id=bob.id,
        status=ReservationStatus.HELD,
    )
    await _book(
        db,
        ada.id,
        datetime(2026, 12, 4, 10, 0, tzinfo=UTC),
        guest_id=bob.id,
        status=ReservationStatus.CANCELLED,
    )

    response = await client.get(_path(await _feed_url(client, ada)))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]
    events = {str(e["UID"]): e for e in calendar.events}
    assert set(events) == {f"reservation-{rid}@{settings.uid_domain}" for rid in booked}
    async with db.unit_of_work(write=False) as session:
        for rid, summary in booked.items():
            stored = await session.get(Reservation, rid)
            assert stored is not None
            event = events[f"reservation-{rid}@{settings.uid_domain}"]
            assert event["DTSTART"].params["TZID"] == "Europe/London"
            assert event.start == stored.start_at
            assert event.end == stored.end_at
            assert str(event.start.tzinfo) == "Europe/London"
            assert (
                event.start.utcoffset()
                == stored.start_at.astimezone(event.start.tzinfo).utcoffset()
            )
            assert str(event["SUMMARY"]) == summary
            assert event["DTSTAMP"].dt == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    summer = events[f"reservation-{max(booked)}@{settings.uid_domain}"]
    assert summer.start.utcoffset() == timedelta(hours=1)  # BST


async def test_each_side_sees_the_other_in_the_title(
    client: httpx.AsyncClient, sign_up, db: Database
) -> None:
    ada = await sign_up("Ada", "Europe/London")
    bob = await sign_up("Bob", "America/New_York")
    await _book(db, ada.id, datetime(2026, 12, 1, 10, 0, tzinfo=UTC), guest_id=bob.id)

    feed = Calendar.from_ical((await client.get(_path(await _feed_url(client, bob)))).content)

    (event,) = feed.events
    assert str(event["SUMMARY"]) == "Meeting with Ada"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.start == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


async def test_an_empty_feed_is_still_a_valid_calendar(client: httpx.AsyncClient, sign_up) -> None:
    ada = await sign_up("Ada", "Europe/London")

    response = await client.get(_path(await _feed_url(client, ada)))

    calendar = Calendar.from_ical(response.content)
    assert calendar.events == []
    assert str(calendar["VERSION"]) == "2.0"


async def test_a_wrong_missing_or_retired_key_gets_404(client: httpx.AsyncClient, sign_up) -> None:
    ada = await sign_up("Ada", "Europe/London")
    bob = await sign_up("Bob", "UTC")
    first = await _feed_url(client, ada)
    second = await _feed_url(client, ada)
    bobs = await _feed_url(client, bob)
    bobs_key = parse_qs(urlsplit(bobs).query)["key"][0]

    assert (await client.get(_path(second))).status_code == 200
    for path in (
        _path(first),  # retired when the second was issued
        f"/v1/users/{ada.id}/calendar.ics?key=not-the-key",
        f"/v1/users/{ada.id}/calendar.ics",
        f"/v1/users/{ada.id}/calendar.ics?key={bobs_key}",  # a key opens only its own feed
        f"/v1/users/9999/calendar.ics?key={bobs_key}",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


async def test_only_the_user_or_an_admin_gets_a_feed_address(
    client: httpx.AsyncClient, sign_up, make_admin
) -> None:
    ada = await sign_up("Ada", "Europe/London")
    bob = await sign_up("Bob", "UTC")
    admin = await make_admin()

    assert (await client.post(f"/v1/users/{ada.id}/calendar-url")).status_code == 401
    denied = await client.post(f"/v1/users/{ada.id}/calendar-url", headers=bob.auth)
    assert denied.status_code == 403
    granted = await client.post(f"/v1/users/{ada.id}/calendar-url", headers=admin.auth)
    assert granted.status_code == 201
    url = granted.json()["url"]
    assert url.startswith(f"http://concierge.test/v1/users/{ada.id}/calendar.ics?key=")
    assert (await client.get(_path(url))).status_code == 200


async def test_the_feed_key_is_stored_only_as_a_hash(
    client: httpx.AsyncClient, sign_up, db: Database
) -> None:
    from concierge.models import CalendarFeed

    ada = await sign_up("Ada", "Europe/London")
    key = parse_qs(urlsplit(await _feed_url(client, ada)).query)["key"][0]

    async with db.unit_of_work(write=False) as session:
        row = await session.get(CalendarFeed, ada.id)
    assert row is not None
    assert key not in row.key_hash
    assert len(key) >= 43  # 256 random bits
