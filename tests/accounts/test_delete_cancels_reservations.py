"""Deleting a user cancels their future reservations, as guest and as host, and only those."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from concierge.clock import FrozenClock
from tests.fixtures.app import Person
from tests.fixtures.reservations import WEDNESDAY, Reserve, at

pytestmark = pytest.mark.anyio


async def status_of(client: httpx.AsyncClient, admin: Person, reservation: dict[str, Any]) -> str:
    response = await client.get(f"/v1/reservations/{reservation['id']}", headers=admin.auth)
    assert response.status_code == 200
    status: str = response.json()["status"]
    return status


async def test_a_deleted_guest_frees_the_hosts_time(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    sign_up,
    make_admin,
    clock: FrozenClock,
) -> None:
    admin = await make_admin()
    held = (await reserve(guest, host, at(14))).json()
    booked = (await reserve(guest, host, at(15), confirm=True)).json()
    other = await sign_up("Olga Other")
    someone_elses = (await reserve(other, host, at(16), confirm=True)).json()

    deleted = await client.delete(f"/v1/users/{guest.id}", headers=guest.auth)
    assert deleted.status_code == 204
    assert await status_of(client, admin, held) == "cancelled"
    assert await status_of(client, admin, booked) == "cancelled"
    assert await status_of(client, admin, someone_elses) == "confirmed"
    assert (await reserve(other, host, at(15), confirm=True)).status_code == 201
    listed = await client.get("/v1/reservations", params={"role": "host"}, headers=host.auth)
    cancelled_at = {r["id"]: r["cancelled_at"] for r in listed.json()["items"]}
    assert cancelled_at[booked["id"]] == clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_a_deleted_host_cancels_what_was_booked_with_them(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, make_admin
) -> None:
    admin = await make_admin()
    booked = (await reserve(guest, host, at(14), confirm=True)).json()
    held = (await reserve(guest, host, at(9, day=WEDNESDAY))).json()
    assert (await client.delete(f"/v1/users/{host.id}", headers=admin.auth)).status_code == 204
    assert await status_of(client, admin, booked) == "cancelled"
    assert await status_of(client, admin, held) == "cancelled"
    mine = await client.get("/v1/reservations", params={"role": "guest"}, headers=guest.auth)
    assert {r["status"] for r in mine.json()["items"]} == {"cancelled"}


async def test_history_stays_as_it_was(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    make_admin,
    clock: FrozenClock,
) -> None:
    admin = await make_admin()
    past = (await reserve(guest, host, at(14), confirm=True)).json()
    already_cancelled = (await reserve(guest, host, at(15), confirm=True)).json()
    await client.post(f"/v1/reservations/{already_cancelled['id']}/cancel", headers=guest.auth)
    cancelled_before = (
        await client.get(f"/v1/reservations/{already_cancelled['id']}", headers=admin.auth)
    ).json()
    future = (await reserve(guest, host, at(14, day=WEDNESDAY), confirm=True)).json()
    clock.set(clock.now().replace(day=24, hour=16))  # Tuesday 16:00: the 14:00 meeting is over
    assert (await client.delete(f"/v1/users/{guest.id}", headers=admin.auth)).status_code == 204
    assert await status_of(client, admin, past) == "confirmed"
    after = await client.get(f"/v1/reservations/{already_cancelled['id']}", headers=admin.auth)
    assert after.json() == cancelled_before
    assert await status_of(client, admin, future) == "cancelled"
