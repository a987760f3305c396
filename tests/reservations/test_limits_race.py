"""Buffers and limits hold under concurrency: real servers, real sockets, both databases.

Booking checks a person's buffers and limits in its write transaction, under the lock it
already takes on every person it books (PostgreSQL's advisory lock per person; SQLite's write
lock), so concurrent bookings of one person queue up and each sees the ones before it. Twenty
requests at once never make more meetings than a limit allows, nor two meetings closer than the
buffers; the winners are counted in SQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from concierge.db import Database
from concierge.models import Reservation, ReservationStatus
from tests.fixtures.server import ServerPool, ServerProcess
from tests.reservations.test_live import bookable_day, open_all_day, race, sign_up

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

CONTENDERS = 20


@pytest.fixture(scope="module")
def two_servers(
    tmp_path_factory: pytest.TempPathFactory, database_url: str
) -> Iterator[list[ServerProcess]]:
    with ServerPool(tmp_path_factory.mktemp("limits-race")) as pool:
        yield pool.start(database_url, count=2)


async def set_rules(
    client: httpx.AsyncClient, person: dict[str, Any], **rules: int | None
) -> dict[str, Any]:
    response = await client.patch(f"/v1/users/{person['id']}", json=rules, headers=person["auth"])
    assert response.status_code == 200, response.text
    shown: dict[str, Any] = response.json()
    return shown


async def active_meetings(db: Database, user_id: int) -> list[tuple[datetime, datetime]]:
    """The person's held and confirmed meetings, in either role, by start."""
    async with db.unit_of_work(write=False) as session:
        rows = await session.execute(
            select(Reservation.start_at, Reservation.end_at)
            .where(
                (Reservation.host_id == user_id) | (Reservation.guest_id == user_id),
                Reservation.status.in_([ReservationStatus.HELD, ReservationStatus.CONFIRMED]),
            )
            .order_by(Reservation.start_at)
        )
        return [(start, end) for start, end in rows]


def outcome(responses: list[httpx.Response]) -> Counter[tuple[int, str]]:
    return Counter(
        (r.status_code, "created" if r.status_code == 201 else r.json().get("code", "?"))
        for r in responses
    )


def quarter_starts(count: int) -> list[str]:
    """``count`` back-to-back quarter hours of the bookable day from 10:00 UTC."""
    day = bookable_day()
    ten = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    return [(ten + timedelta(minutes=15 * n)).strftime("%Y-%m-%dT%H:%M:%SZ") for n in range(count)]


async def test_twenty_bookings_at_once_never_pass_a_daily_limit_of_two(
    two_servers: list[ServerProcess], db: Database
) -> None:
    async with httpx.AsyncClient(base_url=two_servers[0].url, timeout=30) as client:
        host = await sign_up(client, "Limit Host")
        await open_all_day(client, host, bookable_day())
        assert (await set_rules(client, host, max_per_day=2))["max_per_day"] == 2
        guests = [await sign_up(client, f"Limit Racer {n}") for n in range(CONTENDERS)]
    requests = [
        (guest, {"host_id": host["id"], "start": start, "duration": 15})
        for guest, start in zip(guests, quarter_starts(CONTENDERS), strict=True)
    ]
    responses = await race(two_servers, requests)
    assert outcome(responses) == {(201, "created"): 2, (409, "limit_reached"): CONTENDERS - 2}
    assert len(await active_meetings(db, host["id"])) == 2


async def test_a_guest_with_a_daily_limit_of_one_racing_to_twenty_hosts_gets_one_meeting(
    two_servers: list[ServerProcess], db: Database
) -> None:
    async with httpx.AsyncClient(base_url=two_servers[0].url, timeout=30) as client:
        guest = await sign_up(client, "Busy Guest")
        await set_rules(client, guest, max_per_day=1)
        hosts = [await sign_up(client, f"Limit Host {n}") for n in range(CONTENDERS)]
        for host in hosts:
            await open_all_day(client, host, bookable_day())
    # Each host at a different quarter: nothing overlaps, only the guest's limit decides.
    requests = [
        (guest, {"host_id": host["id"], "start": start, "duration": 15})
        for host, start in zip(hosts, quarter_starts(CONTENDERS), strict=True)
    ]
    responses = await race(two_servers, requests)
    assert outcome(responses) == {(201, "created"): 1, (409, "limit_reached"): CONTENDERS - 1}
    assert len(await active_meetings(db, guest["id"])) == 1


async def test_twenty_adjacent_bookings_at_once_keep_the_buffers_clear(
    two_servers: list[ServerProcess], db: Database
) -> None:
    async with httpx.AsyncClient(base_url=two_servers[0].url, timeout=30) as client:
        host = await sign_up(client, "Buffer Host")
        await open_all_day(client, host, bookable_day())
        await set_rules(client, host, buffer_before_minutes=10, buffer_after_minutes=20)
        guests = [await sign_up(client, f"Buffer Racer {n}") for n in range(CONTENDERS)]
    requests = [
        (guest, {"host_id": host["id"], "start": start, "duration": 15})
        for guest, start in zip(guests, quarter_starts(CONTENDERS), strict=True)
    ]
    responses = await race(two_servers, requests)
    meetings = await active_meetings(db, host["id"])
    won = outcome(responses)[(201, "created")]
    assert won == len(meetings) >= 1
    assert outcome(responses)[(409, "slot_unavailable")] == CONTENDERS - won
    for (_, end), (start, _) in pairwise(meetings):
        assert start - end >= timedelta(minutes=30), meetings
