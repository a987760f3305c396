"""Every change of a reservation's state emits exactly one event, after the commit and only
then, naming its people; deleting a user cancels their meetings like any other cancellation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from concierge import events
from concierge.clock import FrozenClock
from concierge.db import Database
from concierge.reservations import expiry
from tests.fixtures.app import Person
from tests.fixtures.reservations import Reserve, at
from tests.reservations.test_operations import counted

pytestmark = pytest.mark.anyio

Seen = list[tuple[str, int, frozenset[int]]]


@pytest.fixture
def seen() -> Iterator[Seen]:
    """Every committed event, as (name, reservation id, users), in order."""
    found: Seen = []

    def note(committed: Any, _info: Any) -> None:
        found.extend((e.name, e.reservation_id, e.users) for e in committed)

    unsubscribe = events.subscribe(note)
    yield found
    unsubscribe()


async def test_each_transition_emits_exactly_one_event(
    client: httpx.AsyncClient,
    db: Database,
    clock: FrozenClock,
    reserve: Reserve,
    host: Person,
    guest: Person,
    seen: Seen,
) -> None:
    both = frozenset({host.id, guest.id})
    held = (await reserve(guest, host, at(14))).json()["id"]
    assert seen == [("reservation.held", held, both)]
    assert (await client.post(f"/v1/reservations/{held}/confirm", headers=guest.auth)).is_success
    assert (await client.post(f"/v1/reservations/{held}/cancel", headers=host.auth)).is_success
    booked = (await reserve(guest, host, at(15), confirm=True)).json()["id"]
    lapsing = (await reserve(guest, host, at(16))).json()["id"]
    # Refusals change nothing and tell nothing.
    assert (await client.post(f"/v1/reservations/{held}/cancel", headers=host.auth)).status_code
    assert (await reserve(guest, host, at(15))).status_code == 409
    clock.advance(minutes=31)
    async with db.unit_of_work() as session:
        assert await expiry.expire_lapsed_holds(session, clock.now()) == [lapsing]
    assert seen == [
        ("reservation.held", held, both),
        ("reservation.confirmed", held, both),
        ("reservation.cancelled", held, both),
        ("reservation.confirmed", booked, both),
        ("reservation.held", lapsing, both),
        ("reservation.expired", lapsing, both),
    ]


async def test_nothing_is_told_before_the_commit_or_after_a_rollback(
    db: Database, seen: Seen
) -> None:
    async def record_then_fail() -> None:
        async with db.unit_of_work() as session:
            events.record(session, events.ReservationChanged("held", 1, frozenset({1})))
            await session.flush()
            assert seen == []
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await record_then_fail()
    assert seen == []


async def test_deleting_a_user_cancels_their_meetings_and_moves_the_metric(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    sign_up: Any,
    seen: Seen,
) -> None:
    other = await sign_up("Olga Other")
    first = (await reserve(guest, host, at(14), confirm=True)).json()["id"]
    second = (await reserve(other, guest, at(15))).json()["id"]
    untouched = (await reserve(other, host, at(16))).json()["id"]
    seen.clear()
    cancelled = counted("cancelled")
    gone = await client.delete(f"/v1/users/{guest.id}", headers=guest.auth)
    assert gone.is_success, gone.text
    assert counted("cancelled") == cancelled + 2
    assert sorted(seen) == [
        ("reservation.cancelled", first, frozenset({host.id, guest.id})),
        ("reservation.cancelled", second, frozenset({other.id, guest.id})),
    ]
    assert untouched not in {reservation_id for _, reservation_id, _ in seen}


async def test_deleting_a_user_leaves_a_lapsed_hold_to_expire_rather_than_cancel_it(
    client: httpx.AsyncClient,
    clock: FrozenClock,
    reserve: Reserve,
    host: Person,
    guest: Person,
    seen: Seen,
) -> None:
    lapsed = (await reserve(guest, host, at(14))).json()["id"]
    clock.advance(minutes=31)  # past the 30-minute hold; no sweeper has run
    seen.clear()
    cancelled = counted("cancelled")
    gone = await client.delete(f"/v1/users/{guest.id}", headers=guest.auth)
    assert gone.is_success, gone.text
    assert counted("cancelled") == cancelled
    assert lapsed not in {reservation_id for _, reservation_id, _ in seen}


async def test_each_transition_of_a_meeting_emits_exactly_one_event_naming_its_hosts(
    client: httpx.AsyncClient,
    db: Database,
    clock: FrozenClock,
    host: Person,
    guest: Person,
    sign_up: Any,
    seen: Seen,
) -> None:
    co_host = await sign_up("Cora Cohost")
    third = await sign_up("Theo Third")

    async def meet(start: str) -> int:
        hosts = [host.id, co_host.id, third.id]
        response = await client.post(
            "/v1/reservations", json={"hosts": hosts, "start": start}, headers=guest.auth
        )
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def post(reservation_id: int, action: str, person: Person) -> None:
        response = await client.post(
            f"/v1/reservations/{reservation_id}/{action}", headers=person.auth
        )
        assert response.is_success, response.text

    everyone = frozenset({host.id, co_host.id, third.id, guest.id})
    meeting = await meet(at(14))
    await post(meeting, "confirm", guest)
    await post(meeting, "leave", third)
    await post(meeting, "leave", host)
    await post(meeting, "leave", co_host)  # the last host: cancels it
    lapsing = await meet(at(15))
    # Refusals change nothing and tell nothing.
    assert (await client.post(f"/v1/reservations/{meeting}/leave")).status_code == 401
    assert (
        await client.post(
            "/v1/reservations",
            json={"hosts": [host.id, third.id], "start": at(15)},
            headers=guest.auth,
        )
    ).status_code == 409
    clock.advance(minutes=31)
    async with db.unit_of_work() as session:
        assert await expiry.expire_lapsed_holds(session, clock.now()) == [lapsing]
    assert seen == [
        ("reservation.held", meeting, everyone),
        ("reservation.confirmed", meeting, everyone),
        ("reservation.left", meeting, frozenset({third.id})),
        ("reservation.left", meeting, frozenset({host.id})),
        ("reservation.cancelled", meeting, frozenset({co_host.id, guest.id})),
        ("reservation.held", lapsing, everyone),
        ("reservation.expired", lapsing, everyone),
    ]
