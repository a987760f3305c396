"""The Idempotency-Key header on POST /v1/reservations."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.app import Person
from tests.fixtures.reservations import WEDNESDAY, Reserve, Snapshot, at

pytestmark = pytest.mark.anyio

KEY = {"Idempotency-Key": "booking-7f3a"}


async def test_the_same_key_twice_creates_one_reservation_and_answers_the_same(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, tables: Snapshot
) -> None:
    first = await reserve(guest, host, at(14), headers=KEY)
    assert first.status_code == 201
    after_first = await tables()
    again = await reserve(guest, host, at(14), headers=KEY)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await tables() == after_first
    listed = await client.get("/v1/reservations", headers=guest.auth)
    assert [r["id"] for r in listed.json()["items"]] == [first.json()["id"]]


async def test_a_replay_is_the_first_answer_even_after_the_reservation_changed(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    first = await reserve(guest, host, at(14), headers=KEY)
    await client.post(f"/v1/reservations/{first.json()['id']}/confirm", headers=guest.auth)
    again = await reserve(guest, host, at(14), headers=KEY)
    assert again.json() == first.json()
    assert again.json()["status"] == "held"


async def test_the_same_instant_written_in_another_zone_is_the_same_request(
    reserve: Reserve, host: Person, guest: Person
) -> None:
    first = await reserve(guest, host, at(14), headers=KEY)
    again = await reserve(guest, host, "2026-11-24T15:00:00+01:00", headers=KEY)
    assert again.status_code == 201
    assert again.json() == first.json()


async def test_a_key_belongs_to_its_user(
    reserve: Reserve, host: Person, guest: Person, sign_up
) -> None:
    other = await sign_up("Olga Other")
    mine = await reserve(guest, host, at(14), headers=KEY)
    theirs = await reserve(other, host, at(15), headers=KEY)
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]


async def test_a_refused_request_is_not_remembered(
    reserve: Reserve, host: Person, guest: Person, tables: Snapshot
) -> None:
    # Wednesday 08:00 is before the host's hours.
    refused = await reserve(guest, host, at(8, day=WEDNESDAY), headers=KEY)
    assert refused.json()["code"] == "outside_availability"
    assert await tables() == []
    retried = await reserve(guest, host, at(14), headers=KEY)
    assert retried.status_code == 201


async def test_a_key_reused_for_another_request_is_refused_and_changes_nothing(
    reserve: Reserve, host: Person, guest: Person, tables: Snapshot
) -> None:
    await reserve(guest, host, at(14), headers=KEY)
    before = await tables()
    other = await reserve(guest, host, at(15), headers=KEY)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["code"] == "idempotency_key_reused"
    assert "new key" in other.json()["detail"]
    assert await tables() == before
