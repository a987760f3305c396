"""Reservations over HTTP: hold, confirm, cancel, read, list, and the rules at their boundaries.

The frozen clock reads Monday 2026-11-23 12:00 UTC; the host works 09:00-17:00 UTC on weekdays
and needs the default 24 hours' notice (see tests/fixtures/reservations.py).
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from concierge.clock import FrozenClock
from concierge.db import Database
from concierge.models import Reservation
from tests.fixtures.app import Person
from tests.fixtures.reservations import Reserve, at

pytestmark = pytest.mark.anyio


async def count_rows(db: Database) -> int:
    async with db.unit_of_work(write=False) as session:
        return int(await session.scalar(select(func.count()).select_from(Reservation)) or 0)


async def test_a_hold_lasts_thirty_minutes_and_confirms_once(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    held = await reserve(guest, host, at(14), duration=30, note="Intro call")
    assert held.status_code == 201, held.text
    body = held.json()
    assert body == {
        "id": body["id"],
        "host_id": host.id,
        "hosts": [host.id],
        "guest_id": guest.id,
        "guest_name": None,  # a visitor's, from a booking page; this guest has an account
        "guest_email": None,
        "start": "2026-11-24T14:00:00Z",
        "end": "2026-11-24T14:30:00Z",
        "duration": 30,
        "status": "held",
        "note": "Intro call",
        "hold_expires_at": "2026-11-23T12:30:00Z",
        "created_at": "2026-11-23T12:00:00Z",
        "confirmed_at": None,
        "cancelled_at": None,
        "cancel_reason": None,
        "sequence": 0,
        "rescheduled_at": None,
        "meeting_type": None,  # booked without one of the host's meeting types
        "answers": [],
    }
    confirmed = await client.post(f"/v1/reservations/{body['id']}/confirm", headers=guest.auth)
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["confirmed_at"] == "2026-11-23T12:00:00Z"
    again = await client.post(f"/v1/reservations/{body['id']}/confirm", headers=guest.auth)
    assert again.status_code == 200
    assert again.json() == confirmed.json()


async def test_confirm_true_books_at_once(reserve: Reserve, host: Person, guest: Person) -> None:
    booked = await reserve(guest, host, at(13), duration=60, confirm=True)
    assert booked.status_code == 201
    assert booked.json()["status"] == "confirmed"
    assert booked.json()["hold_expires_at"] is None
    assert booked.json()["confirmed_at"] == "2026-11-23T12:00:00Z"


async def test_exactly_the_notice_ahead_passes_and_a_minute_less_is_too_soon(
    reserve: Reserve, host: Person, guest: Person, clock: FrozenClock, db: Database
) -> None:
    clock.advance(minutes=1)  # Tuesday 12:00 is now 23 h 59 min away
    too_soon = await reserve(guest, host, at(12))
    assert too_soon.status_code == 422
    assert too_soon.json()["code"] == "too_soon"
    assert await count_rows(db) == 0
    clock.advance(minutes=-1)  # exactly 24 h
    assert (await reserve(guest, host, at(12))).status_code == 201


async def test_a_hold_confirms_until_its_last_second_and_not_at_its_deadline(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, clock: FrozenClock
) -> None:
    first = (await reserve(guest, host, at(14))).json()
    second = (await reserve(guest, host, at(15))).json()
    clock.advance(minutes=29, seconds=59)
    made_it = await client.post(f"/v1/reservations/{first['id']}/confirm", headers=guest.auth)
    assert made_it.status_code == 200
    assert made_it.json()["status"] == "confirmed"
    clock.advance(seconds=1)  # 30:00 after the hold: its deadline
    too_late = await client.post(f"/v1/reservations/{second['id']}/confirm", headers=guest.auth)
    assert too_late.status_code == 409
    assert too_late.json()["code"] == "hold_expired"
    shown = await client.get(f"/v1/reservations/{second['id']}", headers=guest.auth)
    assert shown.json()["status"] == "expired"


async def test_a_lapsed_hold_is_free_again_before_any_sweep(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    sign_up,
    clock: FrozenClock,
) -> None:
    first = (await reserve(guest, host, at(14), duration=30)).json()
    other = await sign_up("Olga Other")
    blocked = await reserve(other, host, at(14, 15))
    assert blocked.json()["code"] == "slot_unavailable"
    clock.advance(minutes=30)
    taken = await reserve(other, host, at(14, 15))
    assert taken.status_code == 201, taken.text
    late = await client.post(f"/v1/reservations/{first['id']}/confirm", headers=guest.auth)
    assert late.json()["code"] == "hold_expired"


async def test_slots_hide_a_live_hold_and_show_the_time_again_when_it_lapses(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, clock: FrozenClock
) -> None:
    async def tuesday_afternoon() -> list[str]:
        response = await client.get(
            f"/v1/users/{host.id}/slots",
            params={"from": "2026-11-24", "to": "2026-11-24", "duration": 60},
            headers=guest.auth,
        )
        return [s for s in response.json()["days"]["2026-11-24"] if s >= at(13)]

    before = await tuesday_afternoon()
    await reserve(guest, host, at(14), duration=30)
    during = await tuesday_afternoon()
    assert at(13, 30) not in during
    assert at(14, 30) in during
    clock.advance(minutes=30)
    assert await tuesday_afternoon() == before


async def test_cancelling_frees_the_time_at_once(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, sign_up
) -> None:
    booked = (await reserve(guest, host, at(16), confirm=True)).json()
    cancelled = await client.post(f"/v1/reservations/{booked['id']}/cancel", headers=guest.auth)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_at"] == "2026-11-23T12:00:00Z"
    other = await sign_up("Olga Other")
    assert (await reserve(other, host, at(16))).status_code == 201


async def test_the_host_and_an_admin_may_cancel_too(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, make_admin
) -> None:
    admin = await make_admin()
    by_host = (await reserve(guest, host, at(16), confirm=True)).json()
    by_admin = (await reserve(guest, host, at(16, 30))).json()
    for reservation, actor in ((by_host, host), (by_admin, admin)):
        response = await client.post(
            f"/v1/reservations/{reservation['id']}/cancel", headers=actor.auth
        )
        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"


async def test_an_admin_may_confirm_a_guests_hold(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, make_admin
) -> None:
    held = (await reserve(guest, host, at(16))).json()
    admin = await make_admin()
    response = await client.post(f"/v1/reservations/{held['id']}/confirm", headers=admin.auth)
    assert response.json()["status"] == "confirmed"


async def test_guest_host_and_admin_see_a_reservation(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, make_admin
) -> None:
    held = (await reserve(guest, host, at(16))).json()
    admin = await make_admin()
    for viewer in (guest, host, admin):
        shown = await client.get(f"/v1/reservations/{held['id']}", headers=viewer.auth)
        assert shown.status_code == 200
        assert shown.json() == held


async def test_instants_render_in_the_asked_zone(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    held = (await reserve(guest, host, at(14))).json()
    shown = await client.get(
        f"/v1/reservations/{held['id']}", params={"tz": "America/New_York"}, headers=guest.auth
    )
    assert shown.json()["start"] == "2026-11-24T09:00:00-05:00"
    assert shown.json()["hold_expires_at"] == "2026-11-23T07:30:00-05:00"


async def test_a_start_given_in_another_zone_is_the_same_instant(
    reserve: Reserve, host: Person, guest: Person
) -> None:
    held = await reserve(guest, host, "2026-11-24T09:00:00-05:00")
    assert held.status_code == 201
    assert held.json()["start"] == "2026-11-24T14:00:00Z"
