"""A person is never in two meetings at once, whatever their role in each: what the slots list
treats as taken, booking refuses with 409, and the database refuses it too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from concierge.db import Database
from concierge.models import Reservation, ReservationParticipant, ReservationStatus
from concierge.reservations import service
from tests.fixtures.app import Person
from tests.fixtures.reservations import TUESDAY, Reserve, at

pytestmark = pytest.mark.anyio


@pytest.fixture
async def ada(sign_up: Any) -> Person:
    person: Person = await sign_up("Ada Lovelace", "UTC")
    return person


@pytest.fixture
async def bob(sign_up: Any) -> Person:
    person: Person = await sign_up("Bob Babbage", "UTC")
    return person


@pytest.fixture
async def carol(sign_up: Any) -> Person:
    person: Person = await sign_up("Carol Herschel", "UTC")
    return person


def refused(response: httpx.Response) -> bool:
    return response.status_code == 409 and response.json()["code"] == "slot_unavailable"


async def test_a_guest_of_one_meeting_cannot_be_booked_as_host_at_that_time(
    reserve: Reserve, ada: Person, bob: Person, carol: Person
) -> None:
    assert (await reserve(bob, ada, at(14), duration=30, confirm=True)).status_code == 201
    answer = await reserve(carol, bob, at(14, 15), duration=30)
    assert refused(answer)
    assert "Bob Babbage is already booked" in answer.json()["detail"]


async def test_a_host_of_one_meeting_cannot_book_another_as_guest_at_that_time(
    reserve: Reserve, ada: Person, bob: Person, carol: Person
) -> None:
    assert (await reserve(carol, bob, at(14), duration=30)).status_code == 201
    answer = await reserve(bob, ada, at(14), duration=15)
    assert refused(answer)
    assert "You already take part in another meeting" in answer.json()["detail"]


async def test_a_guest_cannot_hold_two_meetings_at_once(
    reserve: Reserve, ada: Person, bob: Person, carol: Person
) -> None:
    assert (await reserve(bob, ada, at(14), duration=60)).status_code == 201
    assert refused(await reserve(bob, carol, at(14, 45), duration=30))
    # Back to back is not at once.
    assert (await reserve(bob, carol, at(15), duration=30)).status_code == 201


async def test_what_the_slots_list_omits_booking_refuses(
    client: httpx.AsyncClient, reserve: Reserve, ada: Person, bob: Person, carol: Person
) -> None:
    assert (await reserve(bob, ada, at(14), duration=30)).status_code == 201
    day = TUESDAY.date().isoformat()
    listed = await client.get(
        f"/v1/users/{bob.id}/slots",
        params={"from": day, "to": day, "duration": 15},
        headers=carol.auth,
    )
    assert listed.status_code == 200, listed.text
    starts = set(listed.json()["days"][day])
    assert {at(13, 45), at(14, 30)} <= starts
    assert not {at(14), at(14, 15)} & starts
    assert refused(await reserve(carol, bob, at(14)))
    assert refused(await reserve(carol, bob, at(14, 15)))
    assert (await reserve(carol, bob, at(14, 30))).status_code == 201


async def test_a_lapsed_hold_as_guest_takes_no_time(
    reserve: Reserve, clock: Any, ada: Person, bob: Person, carol: Person
) -> None:
    assert (await reserve(bob, ada, at(14), duration=30)).status_code == 201
    clock.advance(minutes=30)
    assert (await reserve(carol, bob, at(14), duration=30)).status_code == 201


async def test_cancelling_frees_every_participant(
    client: httpx.AsyncClient, db: Database, reserve: Reserve, ada: Person, bob: Person
) -> None:
    made = await reserve(bob, ada, at(14), duration=30)
    assert made.status_code == 201
    cancelled = await client.post(f"/v1/reservations/{made.json()['id']}/cancel", headers=bob.auth)
    assert cancelled.status_code == 200, cancelled.text
    async with db.unit_of_work(write=False) as session:
        rows = (
            await session.execute(
                select(
                    ReservationParticipant.user_id,
                    ReservationParticipant.role,
                    ReservationParticipant.active,
                ).order_by(ReservationParticipant.role)
            )
        ).all()
    assert [tuple(r) for r in rows] == [(bob.id, "guest", False), (ada.id, "host", False)]


def _row(host: Person, guest: Person, hour: int) -> Reservation:
    start = TUESDAY.replace(hour=hour)
    return Reservation(
        host_id=host.id,
        guest_id=guest.id,
        start_at=start,
        end_at=start + timedelta(hours=1),
        status=ReservationStatus.CONFIRMED,
        created_at=TUESDAY,
    )


async def test_the_database_refuses_a_guest_in_two_meetings_at_once(
    db: Database, ada: Person, bob: Person, carol: Person
) -> None:
    async with db.unit_of_work() as session:
        session.add(_row(ada, bob, 14))
    with pytest.raises(IntegrityError, match=service.NO_OVERLAP):
        async with db.unit_of_work() as session:
            session.add(_row(carol, bob, 14))
    with pytest.raises(IntegrityError, match=service.NO_OVERLAP):
        async with db.unit_of_work() as session:
            session.add(_row(bob, carol, 14))  # as host now
    async with db.unit_of_work() as session:
        session.add(_row(carol, bob, 15))
