"""Meetings with several hosts: booked all or nothing, every host guarded by the database, and
a host may leave while the meeting goes on for the others; the last host leaving cancels it.

The frozen clock is Monday 2026-11-23 12:00 UTC; hosts in UTC keep the default weekly hours
(Monday to Friday 09:00-17:00) and can be booked from Tuesday 12:00 UTC on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from concierge import events
from concierge.db import Database
from concierge.models import Reservation, ReservationParticipant
from tests.fixtures.app import Person
from tests.fixtures.reservations import Reserve, at

pytestmark = pytest.mark.anyio

Participant = ReservationParticipant
Seen = list[tuple[str, int, frozenset[int]]]


@pytest.fixture
async def trio(sign_up: Any) -> list[Person]:
    return [await sign_up(name) for name in ("Ada Host", "Ben Host", "Cy Host")]


@pytest.fixture
def meet(client: httpx.AsyncClient) -> Any:
    """``await meet(guest, [host, ...], at(14), duration=30, confirm=True)``."""

    async def make(
        guest: Person, hosts: list[Person], start: str, duration: int = 30, **fields: Any
    ) -> httpx.Response:
        return await client.post(
            "/v1/reservations",
            json={"hosts": [h.id for h in hosts], "start": start, "duration": duration, **fields},
            headers=guest.auth,
        )

    return make


@pytest.fixture
def seen() -> Iterator[Seen]:
    found: Seen = []

    def note(committed: Any, _info: Any) -> None:
        found.extend((e.name, e.reservation_id, e.users) for e in committed)

    unsubscribe = events.subscribe(note)
    yield found
    unsubscribe()


async def rows(db: Database) -> list[tuple[Any, ...]]:
    """Every reservation and participant row, to compare before and after."""
    async with db.unit_of_work(write=False) as session:
        found: list[tuple[Any, ...]] = [
            (r.id, r.host_id, r.guest_id, r.status, r.start_at, r.end_at)
            for r in await session.scalars(select(Reservation).order_by(Reservation.id))
        ]
        found += [
            (p.reservation_id, p.user_id, p.role, p.active, p.start_at, p.end_at)
            for p in await session.scalars(
                select(Participant).order_by(Participant.reservation_id, Participant.user_id)
            )
        ]
        return found


async def participants(db: Database, reservation_id: int) -> dict[int, tuple[str, bool]]:
    async with db.unit_of_work(write=False) as session:
        found = await session.execute(
            select(Participant.user_id, Participant.role, Participant.active).where(
                Participant.reservation_id == reservation_id
            )
        )
        return {user_id: (role, active) for user_id, role, active in found}


def refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


# ------------------------------------------------------------------------------- booking


async def test_a_meeting_of_free_hosts_is_held_for_all_and_lists_its_hosts(
    client: httpx.AsyncClient, db: Database, meet: Any, guest: Person, trio: list[Person]
) -> None:
    held = await meet(guest, trio, at(14))
    assert held.status_code == 201, held.text
    body = held.json()
    assert body["hosts"] == [h.id for h in trio]
    assert body["host_id"] == trio[0].id
    assert body["guest_id"] == guest.id
    assert body["status"] == "held"
    everyone = {guest.id: ("guest", True)} | {h.id: ("host", True) for h in trio}
    assert await participants(db, body["id"]) == everyone
    # Every host sees it, alone and in their listing as host.
    for host in trio:
        shown = await client.get(f"/v1/reservations/{body['id']}", headers=host.auth)
        assert shown.json()["hosts"] == body["hosts"]
        listed = await client.get("/v1/reservations?role=host", headers=host.auth)
        assert [r["id"] for r in listed.json()["items"]] == [body["id"]]
    confirmed = await client.post(f"/v1/reservations/{body['id']}/confirm", headers=guest.auth)
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["hosts"] == body["hosts"]


async def test_every_hosts_time_is_taken_by_the_meeting(
    client: httpx.AsyncClient, meet: Any, reserve: Reserve, guest: Person, trio: list[Person]
) -> None:
    assert (await meet(guest, trio, at(14), confirm=True)).status_code == 201
    for host in trio:
        slots = await client.get(
            f"/v1/users/{host.id}/slots",
            params={"from": "2026-11-24", "to": "2026-11-24"},
            headers=guest.auth,
        )
        assert slots.is_success, slots.text
        starts = set(slots.json()["days"]["2026-11-24"])
        assert at(14) not in starts
        assert at(14, 15) not in starts
        assert at(14, 30) in starts
    other = trio[1]
    refused(await reserve(trio[0], other, at(14, 15)), 409, "slot_unavailable")


async def test_one_busy_host_refuses_the_whole_meeting_and_writes_nothing(
    db: Database,
    meet: Any,
    reserve: Reserve,
    guest: Person,
    trio: list[Person],
    sign_up: Any,
) -> None:
    someone = await sign_up("Sam Else")
    assert (await reserve(someone, trio[2], at(14, 15))).status_code == 201
    before = await rows(db)
    response = await meet(guest, trio, at(14))
    refused(response, 409, "slot_unavailable")
    assert "Cy Host" in response.json()["detail"]
    assert await rows(db) == before


async def test_a_guest_already_busy_is_refused_too(
    db: Database, meet: Any, reserve: Reserve, guest: Person, trio: list[Person], sign_up: Any
) -> None:
    elsewhere = await sign_up("Eli Elsewhere")
    assert (await reserve(guest, elsewhere, at(14))).status_code == 201
    before = await rows(db)
    refused(await meet(guest, trio, at(14)), 409, "slot_unavailable")
    assert await rows(db) == before


async def test_every_rule_of_every_host_holds(
    client: httpx.AsyncClient,
    db: Database,
    meet: Any,
    guest: Person,
    trio: list[Person],
    sign_up: Any,
) -> None:
    ada, ben, cy = trio
    await client.patch(
        f"/v1/users/{ben.id}", json={"min_notice_minutes": 48 * 60}, headers=ben.auth
    )
    await client.patch(f"/v1/users/{cy.id}", json={"horizon_days": 3}, headers=cy.auth)
    # Tokyo's default hours (09:00-17:00 there) end at 08:00 UTC.
    tokyo = await sign_up("Tomo Tokyo", "Asia/Tokyo")
    before = await rows(db)
    refused(await meet(guest, [ada, ben], at(14)), 422, "too_soon")
    refused(await meet(guest, [ada, cy], at(14, day=_day(26))), 422, "too_far")
    refused(await meet(guest, [ada, tokyo], at(14)), 422, "outside_availability")
    refused(await meet(guest, [ada, cy], at(14, 5)), 422, "misaligned")
    refused(await meet(guest, [ada, cy], at(14), duration=20), 422, "misaligned")
    assert await rows(db) == before
    # Past Ben's notice and inside Cy's horizon, all three are bookable together.
    assert (await meet(guest, trio, at(14, day=_day(25)))).status_code == 201


async def test_every_hosts_buffers_and_limits_hold(
    client: httpx.AsyncClient,
    db: Database,
    meet: Any,
    reserve: Reserve,
    guest: Person,
    trio: list[Person],
    sign_up: Any,
) -> None:
    ada, ben, cy = trio
    someone = await sign_up("Sam Else")
    # Ben keeps 30 minutes after each meeting; he meets Sam 13:00-13:30.
    await client.patch(f"/v1/users/{ben.id}", json={"buffer_after_minutes": 30}, headers=ben.auth)
    assert (await reserve(someone, ben, at(13))).status_code == 201
    # Cy takes one meeting a day, and has one that Tuesday.
    await client.patch(f"/v1/users/{cy.id}", json={"max_per_day": 1}, headers=cy.auth)
    assert (await reserve(someone, cy, at(16))).status_code == 201
    before = await rows(db)
    close = await meet(guest, [ada, ben], at(13, 30))
    refused(close, 409, "slot_unavailable")
    assert "Ben Host keeps 0 minutes free before and 30 after" in close.json()["detail"]
    refused(await meet(guest, [ada, cy], at(15)), 409, "limit_reached")
    assert await rows(db) == before
    # Past Ben's buffer, the two are free together.
    assert (await meet(guest, [ada, ben], at(14))).status_code == 201


def _day(day: int) -> datetime:
    return datetime(2026, 11, day, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"hosts": [1]}, "invalid_request"),
        ({"hosts": list(range(1, 22))}, "invalid_request"),
        ({"hosts": [1, 2], "host_id": 1}, "invalid_request"),
        ({}, "invalid_request"),
    ],
    ids=["one-host", "twenty-one", "both-ways", "neither"],
)
async def test_a_meeting_names_its_hosts_one_way_with_two_to_twenty(
    client: httpx.AsyncClient, guest: Person, fields: dict[str, Any], code: str
) -> None:
    response = await client.post(
        "/v1/reservations", json={"start": at(14), **fields}, headers=guest.auth
    )
    refused(response, 422, code)


async def test_you_cannot_host_the_meeting_you_book_or_list_a_host_twice(
    db: Database, meet: Any, guest: Person, trio: list[Person]
) -> None:
    before = await rows(db)
    refused(await meet(guest, [trio[0], guest], at(14)), 422, "self_booking")
    refused(await meet(guest, [trio[0], trio[0]], at(14)), 422, "invalid_request")
    assert await rows(db) == before


async def test_the_database_refuses_an_overlap_for_a_co_host(
    db: Database, meet: Any, reserve: Reserve, guest: Person, trio: list[Person], sign_up: Any
) -> None:
    meeting = (await meet(guest, trio, at(14), confirm=True)).json()["id"]
    single = (await reserve(await sign_up("Una Other"), trio[2], at(15))).json()["id"]

    async def move_over_the_meeting() -> None:
        # A writer past every check, moving Cy's other booking over the meeting.
        async with db.unit_of_work() as session:
            found = await session.get(Reservation, single)
            assert found is not None
            found.start_at = found.start_at.replace(hour=14)
            found.end_at = found.end_at.replace(hour=14, minute=15)

    with pytest.raises(IntegrityError, match="participants_no_overlap"):
        await move_over_the_meeting()
    assert (await participants(db, meeting))[trio[2].id] == ("host", True)


async def test_cancelling_frees_every_host(
    client: httpx.AsyncClient,
    db: Database,
    meet: Any,
    reserve: Reserve,
    guest: Person,
    trio: list[Person],
    seen: Seen,
) -> None:
    meeting = (await meet(guest, trio, at(14))).json()["id"]
    # Any host may cancel it for everyone.
    cancelled = await client.post(f"/v1/reservations/{meeting}/cancel", headers=trio[1].auth)
    assert cancelled.json()["status"] == "cancelled"
    assert {active for _, active in (await participants(db, meeting)).values()} == {False}
    everyone = frozenset({guest.id, *(h.id for h in trio)})
    assert seen == [
        ("reservation.held", meeting, everyone),
        ("reservation.cancelled", meeting, everyone),
    ]
    assert (await reserve(trio[0], trio[2], at(14))).status_code == 201


# ---------------------------------------------------------------------------------- leave


async def test_a_host_leaves_and_the_meeting_goes_on_for_the_others(
    client: httpx.AsyncClient,
    db: Database,
    meet: Any,
    reserve: Reserve,
    guest: Person,
    trio: list[Person],
    sign_up: Any,
    seen: Seen,
) -> None:
    ada, ben, cy = trio
    meeting = (await meet(guest, trio, at(14), confirm=True)).json()["id"]
    seen.clear()
    left = await client.post(f"/v1/reservations/{meeting}/leave", headers=ben.auth)
    assert left.status_code == 200, left.text
    assert left.json()["hosts"] == [ada.id, cy.id]
    assert left.json()["status"] == "confirmed"
    assert seen == [("reservation.left", meeting, frozenset({ben.id}))]
    assert ben.id not in await participants(db, meeting)
    # Ben's time is free again; the others' is not.
    someone = await sign_up("Sue Someone")
    assert (await reserve(someone, ben, at(14))).status_code == 201
    refused(await reserve(someone, cy, at(14)), 409, "slot_unavailable")
    # Having left, Ben no longer sees it.
    refused(await client.get(f"/v1/reservations/{meeting}", headers=ben.auth), 404, "not_found")


async def test_the_first_host_leaving_hands_the_meeting_to_the_next(
    client: httpx.AsyncClient, meet: Any, guest: Person, trio: list[Person]
) -> None:
    ada, ben, cy = trio
    meeting = (await meet(guest, trio, at(14))).json()["id"]
    left = await client.post(f"/v1/reservations/{meeting}/leave", headers=ada.auth)
    assert left.json()["host_id"] == ben.id
    assert left.json()["hosts"] == [ben.id, cy.id]
    shown = await client.get(f"/v1/reservations/{meeting}", headers=cy.auth)
    assert shown.json()["host_id"] == ben.id


async def test_the_last_host_leaving_cancels_the_meeting(
    client: httpx.AsyncClient,
    db: Database,
    meet: Any,
    guest: Person,
    trio: list[Person],
    seen: Seen,
) -> None:
    ada, ben, _ = trio
    meeting = (await meet(guest, trio[:2], at(14))).json()["id"]
    assert (await client.post(f"/v1/reservations/{meeting}/leave", headers=ada.auth)).is_success
    seen.clear()
    last = await client.post(f"/v1/reservations/{meeting}/leave", headers=ben.auth)
    assert last.status_code == 200, last.text
    assert last.json()["status"] == "cancelled"
    assert seen == [("reservation.cancelled", meeting, frozenset({ben.id, guest.id}))]
    assert {active for _, active in (await participants(db, meeting)).values()} == {False}
    refused(
        await client.post(f"/v1/reservations/{meeting}/leave", headers=ben.auth),
        409,
        "not_leavable",
    )


async def test_only_a_host_leaves(
    client: httpx.AsyncClient,
    db: Database,
    meet: Any,
    guest: Person,
    trio: list[Person],
    sign_up: Any,
) -> None:
    meeting = (await meet(guest, trio, at(14))).json()["id"]
    before = await rows(db)
    stranger = await sign_up("Stan Stranger")
    leave = f"/v1/reservations/{meeting}/leave"
    refused(await client.post(leave, headers=stranger.auth), 404, "not_found")
    refused(await client.post(leave, headers=guest.auth), 403, "forbidden")
    refused(await client.post(leave), 401, "unauthenticated")
    assert await rows(db) == before


async def test_the_host_of_a_single_booking_leaving_cancels_it(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    booked = (await reserve(guest, host, at(14))).json()["id"]
    left = await client.post(f"/v1/reservations/{booked}/leave", headers=host.auth)
    assert left.json()["status"] == "cancelled"


# ------------------------------------------------------------------ elsewhere in the service


async def test_a_deleted_co_host_leaves_their_meetings_which_go_on(
    client: httpx.AsyncClient,
    db: Database,
    meet: Any,
    reserve: Reserve,
    guest: Person,
    trio: list[Person],
    seen: Seen,
) -> None:
    ada, ben, cy = trio
    meeting = (await meet(guest, trio, at(14), confirm=True)).json()["id"]
    single = (await reserve(guest, ada, at(15))).json()["id"]
    seen.clear()
    gone = await client.delete(f"/v1/users/{ada.id}", headers=ada.auth)
    assert gone.is_success, gone.text
    assert sorted(seen) == [
        ("reservation.cancelled", single, frozenset({ada.id, guest.id})),
        ("reservation.left", meeting, frozenset({ada.id})),
    ]
    shown = await client.get(f"/v1/reservations/{meeting}", headers=guest.auth)
    assert shown.json()["status"] == "confirmed"
    assert shown.json()["hosts"] == [ben.id, cy.id]
    assert set(await participants(db, meeting)) == {guest.id, ben.id, cy.id}


async def test_a_co_hosts_calendar_feed_shows_the_meeting_until_they_leave(
    client: httpx.AsyncClient, meet: Any, guest: Person, trio: list[Person]
) -> None:
    ben = trio[1]
    meeting = (await meet(guest, trio, at(14), confirm=True)).json()["id"]
    url = (await client.post(f"/v1/users/{ben.id}/calendar-url", headers=ben.auth)).json()["url"]
    path = url[url.index("/", url.index("//") + 2) :]
    feed = await client.get(path)
    assert feed.text.count("BEGIN:VEVENT") == 1
    assert "Meeting with Gus Guest" in feed.text
    assert (await client.post(f"/v1/reservations/{meeting}/leave", headers=ben.auth)).is_success
    assert "BEGIN:VEVENT" not in (await client.get(path)).text


async def test_a_meeting_repeated_with_its_idempotency_key_is_booked_once(
    client: httpx.AsyncClient, db: Database, guest: Person, trio: list[Person]
) -> None:
    key = {**guest.auth, "Idempotency-Key": "team-sync-1"}
    asked = {"hosts": [h.id for h in trio], "start": at(14), "duration": 30}
    first = await client.post("/v1/reservations", json=asked, headers=key)
    again = await client.post("/v1/reservations", json=asked, headers=key)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = {**asked, "hosts": [trio[0].id, trio[1].id]}
    refused(
        await client.post("/v1/reservations", json=other, headers=key),
        422,
        "idempotency_key_reused",
    )
    async with db.unit_of_work(write=False) as session:
        assert len(list(await session.scalars(select(Reservation)))) == 1


async def test_a_meeting_outside_any_hosts_new_hours_is_listed_as_outside_availability(
    client: httpx.AsyncClient, meet: Any, guest: Person, trio: list[Person]
) -> None:
    meeting = (await meet(guest, trio, at(14), confirm=True)).json()["id"]
    outside = "/v1/reservations?outside_availability=true"
    assert (await client.get(outside, headers=guest.auth)).json()["items"] == []
    cy = trio[2]
    moved = await client.put(
        f"/v1/users/{cy.id}/availability",
        json={"dates": {"2026-11-24": [{"start": "09:00", "end": "12:00"}]}},
        headers=cy.auth,
    )
    assert moved.is_success, moved.text
    listed = (await client.get(outside, headers=guest.auth)).json()["items"]
    assert [r["id"] for r in listed] == [meeting]
