"""Moving a reservation to another time over HTTP: the same reservation, every booking rule
checked, the old time freed and the new one taken at once, or nothing changed at all.

The frozen clock reads Monday 2026-11-23 12:00 UTC; the host works 09:00-17:00 UTC on weekdays
and needs the default 24 hours' notice (see tests/fixtures/reservations.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from concierge import events
from tests.fixtures.app import Person
from tests.fixtures.reservations import WEDNESDAY, Reserve, Snapshot, at

pytestmark = pytest.mark.anyio


async def booked(reserve: Reserve, guest: Person, host: Person, start: str) -> dict[str, Any]:
    response = await reserve(guest, host, start, duration=30, confirm=True)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def move(
    client: httpx.AsyncClient, who: Person, reservation_id: int, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/reservations/{reservation_id}/reschedule", json=body, headers=who.auth
    )


async def free_starts(client: httpx.AsyncClient, host: Person) -> list[str]:
    response = await client.get(
        f"/v1/users/{host.id}/slots",
        params={"from": "2026-11-24", "to": "2026-11-24", "duration": 30},
        headers=host.auth,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["days"]["2026-11-24"])


@pytest.fixture
def told() -> Any:
    """The committed events, in order."""
    seen: list[events.Event] = []

    def subscriber(committed: Sequence[events.Event], _info: Any) -> None:
        seen.extend(committed)

    unsubscribe = events.subscribe(subscriber)
    yield seen
    unsubscribe()


async def test_the_guest_moves_a_booking_and_the_old_time_is_free_again(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, told: Any
) -> None:
    first = await booked(reserve, guest, host, at(14))
    told.clear()
    moved = await move(client, guest, first["id"], start=at(15))
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["id"], body["status"]) == (first["id"], "confirmed")
    assert (body["start"], body["end"]) == ("2026-11-24T15:00:00Z", "2026-11-24T15:30:00Z")
    assert body["sequence"] == first["sequence"] + 1
    assert body["rescheduled_at"] == "2026-11-23T12:00:00Z"
    starts = await free_starts(client, host)
    assert "2026-11-24T14:00:00Z" in starts
    assert "2026-11-24T15:00:00Z" not in starts
    assert [(e.kind, e.reservation_id) for e in told] == [("rescheduled", first["id"])]
    assert told[0].users == frozenset({host.id, guest.id})
    assert told[0].moved_from is not None
    assert told[0].moved_from[0].isoformat() == "2026-11-24T14:00:00+00:00"


async def test_the_host_moves_it_and_may_change_its_length(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    first = await booked(reserve, guest, host, at(14))
    moved = await move(client, host, first["id"], start=at(10, day=WEDNESDAY), duration=60)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["start"], moved.json()["duration"]) == ("2026-11-25T10:00:00Z", 60)


async def test_a_move_overlapping_its_own_old_time_is_allowed(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    first = await booked(reserve, guest, host, at(14))
    moved = await move(client, guest, first["id"], start=at(14, 15))
    assert moved.status_code == 200, moved.text
    assert moved.json()["end"] == "2026-11-24T14:45:00Z"


async def test_a_move_into_taken_time_is_refused_409_and_the_old_time_is_kept(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    sign_up: Any,
    tables: Snapshot,
) -> None:
    other = await sign_up("Olga Other", "UTC")
    mine = await booked(reserve, guest, host, at(14))
    await booked(reserve, other, host, at(15))
    before = await tables()
    refused = await move(client, guest, mine["id"], start=at(15, 15))
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "slot_unavailable"
    assert await tables() == before
    again = await client.get(f"/v1/reservations/{mine['id']}", headers=guest.auth)
    assert (again.json()["start"], again.json()["sequence"]) == (mine["start"], mine["sequence"])


async def test_the_guest_own_other_meeting_counts_as_taken(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, sign_up: Any
) -> None:
    elsewhere = await sign_up("Eli Elsewhere", "UTC")
    mine = await booked(reserve, guest, host, at(14))
    await booked(reserve, guest, elsewhere, at(16))
    refused = await move(client, guest, mine["id"], start=at(16))
    assert refused.status_code == 409
    assert "You already take part in another meeting" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("start", "code"),
    [
        ("2026-11-24T11:45:00Z", "too_soon"),
        ("2026-11-24T14:05:00Z", "misaligned"),
        ("2026-11-24T18:00:00Z", "outside_availability"),
        ("2027-03-01T10:00:00Z", "too_far"),
    ],
)
async def test_every_rule_of_a_new_booking_holds_for_the_new_time(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    tables: Snapshot,
    start: str,
    code: str,
) -> None:
    mine = await booked(reserve, guest, host, at(14))
    before = await tables()
    refused = await move(client, guest, mine["id"], start=start)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == code
    assert await tables() == before


async def test_a_cancelled_booking_cannot_be_moved(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    mine = await booked(reserve, guest, host, at(14))
    await client.post(f"/v1/reservations/{mine['id']}/cancel", headers=guest.auth)
    refused = await move(client, guest, mine["id"], start=at(15))
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_reschedulable"


async def test_moving_to_where_it_already_is_changes_nothing(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, told: Any
) -> None:
    mine = await booked(reserve, guest, host, at(14))
    told.clear()
    same = await move(client, guest, mine["id"], start=at(14))
    assert same.status_code == 200
    assert same.json()["sequence"] == mine["sequence"]
    assert told == []


async def test_someone_else_learns_nothing(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, sign_up: Any
) -> None:
    stranger = await sign_up("Sam Stranger", "UTC")
    mine = await booked(reserve, guest, host, at(14))
    refused = await move(client, stranger, mine["id"], start=at(15))
    assert refused.status_code == 404


async def test_every_change_raises_the_sequence_and_cancel_keeps_its_reason(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    held = await reserve(guest, host, at(14), duration=30)
    rid = held.json()["id"]
    sequences = [held.json()["sequence"]]
    confirmed = await client.post(f"/v1/reservations/{rid}/confirm", headers=guest.auth)
    sequences.append(confirmed.json()["sequence"])
    sequences.append((await move(client, guest, rid, start=at(15))).json()["sequence"])
    cancelled = await client.post(
        f"/v1/reservations/{rid}/cancel", json={"reason": "  Flight moved  "}, headers=host.auth
    )
    assert cancelled.status_code == 200, cancelled.text
    sequences.append(cancelled.json()["sequence"])
    assert sequences == [0, 1, 2, 3]
    assert cancelled.json()["cancel_reason"] == "Flight moved"


async def test_cancel_without_a_body_still_works(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    mine = await booked(reserve, guest, host, at(14))
    cancelled = await client.post(f"/v1/reservations/{mine['id']}/cancel", headers=guest.auth)
    assert cancelled.status_code == 200
    assert cancelled.json()["cancel_reason"] is None
