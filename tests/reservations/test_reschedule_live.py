"""Real servers, real sockets: reschedules and a new booking racing for the same new time.

Two ``concierge serve`` processes on one database. In each round, two guests move their
bookings to the same time at the same moment as a third guest books it: exactly one of the three
gets it, and each losing move leaves its booking at its old time. These servers read the system
clock, so the day booked lies a few days after today.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import select

from concierge.db import Database
from concierge.models import Reservation, ReservationStatus
from tests.fixtures.server import ServerPool, ServerProcess
from tests.reservations.test_live import bookable_day, instant, open_all_day, sign_up

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

ROUNDS = 8

Call = tuple[str, dict[str, Any], dict[str, str]]  # path, body, auth header


@pytest.fixture(scope="module")
def two_servers(
    tmp_path_factory: pytest.TempPathFactory, database_url: str
) -> Iterator[list[ServerProcess]]:
    with ServerPool(tmp_path_factory.mktemp("reschedule-race")) as pool:
        yield pool.start(database_url, count=2)


async def at_once(servers: list[ServerProcess], calls: list[Call]) -> list[httpx.Response]:
    """Every call at the same moment, each on its own connection, spread over the servers."""
    clients = [
        httpx.AsyncClient(base_url=servers[n % len(servers)].url, timeout=60)
        for n in range(len(calls))
    ]
    try:
        await asyncio.gather(*(c.get("/healthz") for c in clients))
        start = asyncio.Event()

        async def one(client: httpx.AsyncClient, call: Call) -> httpx.Response:
            path, body, auth = call
            await start.wait()
            return await client.post(path, json=body, headers=auth)

        tasks = [asyncio.create_task(one(c, call)) for c, call in zip(clients, calls, strict=True)]
        await asyncio.sleep(0)
        start.set()
        with anyio.fail_after(120):
            return await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


async def active_starts(db: Database, host_id: int) -> Counter[str]:
    async with db.unit_of_work(write=False) as session:
        rows = await session.scalars(
            select(Reservation.start_at).where(
                Reservation.host_id == host_id,
                Reservation.status.in_([ReservationStatus.HELD, ReservationStatus.CONFIRMED]),
            )
        )
        return Counter(start.strftime("%Y-%m-%dT%H:%M:%SZ") for start in rows)


async def test_two_moves_and_a_booking_for_one_time_make_one_winner_and_keep_the_rest(
    two_servers: list[ServerProcess], db: Database
) -> None:
    day = bookable_day()
    async with httpx.AsyncClient(base_url=two_servers[0].url, timeout=30) as client:
        host = await sign_up(client, "Mover Host")
        await open_all_day(client, host, day)
        movers, bookers = [], []
        for n in range(ROUNDS):
            pair = []
            for m, hour in enumerate((8 + n, 16 + n)):
                guest = await sign_up(client, f"Mover {n} {m}")
                made = await client.post(
                    "/v1/reservations",
                    json={
                        "host_id": host["id"],
                        "start": instant(day, hour),
                        "duration": 30,
                        "confirm": True,
                    },
                    headers=guest["auth"],
                )
                assert made.status_code == 201, made.text
                pair.append((guest, made.json()))
            movers.append(pair)
            bookers.append(await sign_up(client, f"Booker {n}"))

    outcomes: Counter[tuple[str, int]] = Counter()
    for n in range(ROUNDS):
        target = instant(day, n)
        calls: list[Call] = [
            (f"/v1/reservations/{made['id']}/reschedule", {"start": target}, guest["auth"])
            for guest, made in movers[n]
        ]
        new = {"host_id": host["id"], "start": target, "duration": 30, "confirm": True}
        calls.insert(n % 3, ("/v1/reservations", new, bookers[n]["auth"]))
        answers = await at_once(two_servers, calls)
        won = [r for r in answers if r.status_code in (200, 201)]
        assert len(won) == 1, [r.text for r in answers]
        assert sorted(r.status_code for r in answers if r not in won) == [409, 409]
        assert {r.json()["code"] for r in answers if r not in won} == {"slot_unavailable"}
        outcomes["moved" if won[0].status_code == 200 else "booked", 1] += 1
        assert won[0].json()["start"] == target
        for guest, made in movers[n]:
            async with httpx.AsyncClient(base_url=two_servers[1].url) as client:
                now = (
                    await client.get(f"/v1/reservations/{made['id']}", headers=guest["auth"])
                ).json()
            assert now["status"] == "confirmed"
            if now["start"] != target:  # a loser: exactly where it was
                assert (now["start"], now["sequence"]) == (made["start"], made["sequence"])

    starts = await active_starts(db, host["id"])
    assert all(count == 1 for count in starts.values()), starts
    assert sum(starts[instant(day, n)] for n in range(ROUNDS)) == ROUNDS
    assert sum(outcomes.values()) == ROUNDS
