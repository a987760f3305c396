"""Real servers, real sockets, real processes: the race for one slot, and a crash mid-booking.

These servers read the system clock, so the times booked here lie a few days after today.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from concierge.db import Database
from concierge.models import Reservation, ReservationParticipant, ReservationStatus
from tests.fixtures.server import ServerPool, ServerProcess

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

CONTENDERS = 50


def bookable_day() -> date:
    """A day safely past the 24-hour notice and well inside the 60-day horizon."""
    return datetime.now(UTC).date() + timedelta(days=3)


def instant(day: date, hour: int, minute: int = 0) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00Z"


async def sign_up(client: httpx.AsyncClient, name: str) -> dict[str, Any]:
    response = await client.post(
        "/v1/users",
        json={
            "name": name,
            "email": f"{name.lower().replace(' ', '.')}@example.com",
            "timezone": "UTC",
        },
    )
    assert response.status_code == 201, response.text
    return {
        "id": response.json()["user"]["id"],
        "auth": {"Authorization": f"Bearer {response.json()['token']}"},
    }


async def open_all_day(client: httpx.AsyncClient, host: dict[str, Any], *days: date) -> None:
    response = await client.put(
        f"/v1/users/{host['id']}/availability",
        json={"dates": {d.isoformat(): [{"start": "00:00", "end": "24:00"}] for d in days}},
        headers=host["auth"],
    )
    assert response.status_code == 200, response.text


async def active_rows(db: Database, host_id: int) -> int:
    async with db.unit_of_work(write=False) as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Reservation)
            .where(
                Reservation.host_id == host_id,
                Reservation.status.in_([ReservationStatus.HELD, ReservationStatus.CONFIRMED]),
            )
        )
    return int(count or 0)


async def race(
    servers: list[ServerProcess], requests: list[tuple[dict[str, Any], dict[str, Any]]]
) -> list[httpx.Response]:
    """Send every (guest, body) at the same moment, each from its own connection, spread over
    the servers; the answers in the same order."""
    clients = [
        httpx.AsyncClient(base_url=servers[n % len(servers)].url, timeout=60)
        for n in range(len(requests))
    ]
    try:
        # Connect every client first, so the requests race each other and not the handshakes.
        await asyncio.gather(*(c.get("/healthz") for c in clients))
        start = asyncio.Event()

        async def one(
            client: httpx.AsyncClient, guest: dict[str, Any], body: dict[str, Any]
        ) -> httpx.Response:
            await start.wait()
            return await client.post("/v1/reservations", json=body, headers=guest["auth"])

        tasks = [
            asyncio.create_task(one(client, guest, body))
            for client, (guest, body) in zip(clients, requests, strict=True)
        ]
        await asyncio.sleep(0)
        start.set()
        with anyio.fail_after(120):
            return await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


@pytest.fixture(scope="module")
def two_servers(
    tmp_path_factory: pytest.TempPathFactory, database_url: str
) -> Iterator[list[ServerProcess]]:
    """Two server processes on the test database, shared by this module's races (each test
    empties the tables through ``db``; the servers keep no state of their own)."""
    with ServerPool(tmp_path_factory.mktemp("race")) as pool:
        yield pool.start(database_url, count=2)


@pytest.fixture
async def people(
    two_servers: list[ServerProcess], db: Database
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A host open all of the bookable day, and the guests who will race for their time."""
    async with httpx.AsyncClient(base_url=two_servers[0].url, timeout=30) as client:
        host = await sign_up(client, "Race Host")
        await open_all_day(client, host, bookable_day())
        guests = [await sign_up(client, f"Racer {n}") for n in range(CONTENDERS)]
    return host, guests


Request = tuple[dict[str, Any], dict[str, Any]]


def spread(
    host: dict[str, Any], guests: list[dict[str, Any]], shapes: list[tuple[int, int, int]]
) -> list[Request]:
    """Each guest asks for one of the ``(hour, minute, duration)`` shapes, in turn."""
    day = bookable_day()
    requests = []
    for n, guest in enumerate(guests):
        hour, minute, duration = shapes[n % len(shapes)]
        body = {"host_id": host["id"], "start": instant(day, hour, minute), "duration": duration}
        requests.append((guest, body))
    return requests


def outcome(responses: list[httpx.Response]) -> Counter[tuple[int, str]]:
    return Counter(
        (r.status_code, "created" if r.status_code == 201 else r.json().get("code", "?"))
        for r in responses
    )


ONE_WINNER = {(201, "created"): 1, (409, "slot_unavailable"): CONTENDERS - 1}


async def test_fifty_clients_on_one_slot_make_exactly_one_booking(
    two_servers: list[ServerProcess], people: Any, db: Database
) -> None:
    host, guests = people
    responses = await race(two_servers, spread(host, guests, [(10, 0, 30)]))
    assert outcome(responses) == ONE_WINNER
    assert await active_rows(db, host["id"]) == 1


async def test_lengths_that_all_share_a_quarter_make_exactly_one_booking(
    two_servers: list[ServerProcess], people: Any, db: Database
) -> None:
    host, guests = people
    # The hour from 10:00 and shorter spans in it, every one covering 10:15-10:30.
    shapes = [(10, 0, 60), (10, 15, 15), (10, 0, 30), (10, 15, 45), (10, 15, 30)]
    responses = await race(two_servers, spread(host, guests, shapes))
    assert outcome(responses) == ONE_WINNER
    assert await active_rows(db, host["id"]) == 1


async def test_an_hour_against_its_four_quarters_wins_alone_or_loses_to_all_four(
    two_servers: list[ServerProcess], people: Any, db: Database
) -> None:
    host, guests = people
    quarters = [(10, 0, 15), (10, 15, 15), (10, 30, 15), (10, 45, 15)]
    # The hour is asked first, so it usually wins; the quarters race it and each other.
    requests = spread(host, guests, [(10, 0, 60), *quarters])
    responses = await race(two_servers, requests)
    won = sorted(
        (body["start"], body["duration"])
        for (_, body), response in zip(requests, responses, strict=True)
        if response.status_code == 201
    )
    day = bookable_day()
    assert won in (
        [(instant(day, 10), 60)],
        [(instant(day, hour, minute), 15) for hour, minute, _ in quarters],
    )
    assert outcome(responses)[(409, "slot_unavailable")] == CONTENDERS - len(won)
    assert await active_rows(db, host["id"]) == len(won)


# ------------------------------------------------------------------------------ crash safety

CONFIRMS_BEFORE_THE_CRASH = 30
WORKERS = 4


async def test_every_confirm_that_answered_200_survives_a_sigkill(
    live_servers: ServerPool, database_url: str, db: Database
) -> None:
    (server,) = live_servers.start(database_url)
    first, second = bookable_day(), bookable_day() + timedelta(days=1)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        host = await sign_up(client, "Crash Host")
        await open_all_day(client, host, first, second)
        guests = [await sign_up(client, f"Crash Guest {n}") for n in range(WORKERS)]
    # Each worker books its own quarters of the two days: 48 apiece.
    quarters = [(day, q // 4, 15 * (q % 4)) for day in (first, second) for q in range(96)]
    confirmed: list[int] = []
    enough = asyncio.Event()

    async def worker(n: int) -> None:
        mine = quarters[n::WORKERS]
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            for day, hour, minute in mine:
                try:
                    held = await client.post(
                        "/v1/reservations",
                        json={"host_id": host["id"], "start": instant(day, hour, minute)},
                        headers=guests[n]["auth"],
                    )
                    assert held.status_code == 201, held.text
                    done = await client.post(
                        f"/v1/reservations/{held.json()['id']}/confirm", headers=guests[n]["auth"]
                    )
                except httpx.TransportError:
                    return  # the server is gone: whatever was in flight has no answer
                if done.status_code == 200:
                    confirmed.append(held.json()["id"])
                    if len(confirmed) >= CONFIRMS_BEFORE_THE_CRASH:
                        enough.set()

    with anyio.fail_after(120):
        workers = [asyncio.create_task(worker(n)) for n in range(WORKERS)]
        await enough.wait()
        server.kill()  # SIGKILL while the other workers are mid-request
        await asyncio.gather(*workers)

    restarted = live_servers.restart(server)
    async with db.unit_of_work(write=False) as session:
        rows = await session.execute(select(Reservation.id, Reservation.status))
        statuses = {reservation_id: status for reservation_id, status in rows}
    assert len(confirmed) >= CONFIRMS_BEFORE_THE_CRASH
    assert {statuses[i] for i in confirmed} == {"confirmed"}
    async with httpx.AsyncClient(base_url=restarted.url, timeout=30) as client:
        for reservation_id in confirmed:
            shown = await client.get(f"/v1/reservations/{reservation_id}", headers=host["auth"])
            assert shown.json()["status"] == "confirmed"
        # And the restarted server books as before.
        third = second + timedelta(days=1)
        await open_all_day(client, host, third)
        again = await client.post(
            "/v1/reservations",
            json={"host_id": host["id"], "start": instant(third, 9), "confirm": True},
            headers=guests[0]["auth"],
        )
        assert again.status_code == 201, again.text


# ------------------------------------------------------------------ one person, several roles
# Twenty clients race to put one person into overlapping meetings, half booking that person as
# host and half booking them as a guest of someone else: at most one wins, and no two active
# participant rows of anyone overlap (checked in SQL).

IN_ROLES = 20


async def overlapping_participant_rows(db: Database) -> int:
    mine, other = aliased(ReservationParticipant), aliased(ReservationParticipant)
    async with db.unit_of_work(write=False) as session:
        count = await session.scalar(
            select(func.count())
            .select_from(mine)
            .join(
                other,
                and_(
                    other.user_id == mine.user_id,
                    other.reservation_id < mine.reservation_id,
                    other.start_at < mine.end_at,
                    mine.start_at < other.end_at,
                ),
            )
            .where(mine.active, other.active)
        )
    return int(count or 0)


async def active_rows_of(db: Database, user_id: int) -> int:
    async with db.unit_of_work(write=False) as session:
        count = await session.scalar(
            select(func.count())
            .select_from(ReservationParticipant)
            .where(ReservationParticipant.user_id == user_id, ReservationParticipant.active)
        )
    return int(count or 0)


async def test_one_person_raced_into_meetings_as_host_and_as_guest_wins_at_most_once(
    two_servers: list[ServerProcess], db: Database
) -> None:
    day = bookable_day()
    async with httpx.AsyncClient(base_url=two_servers[0].url, timeout=30) as client:
        bob = await sign_up(client, "Busy Bob")
        others: list[dict[str, Any]] = []
        for n in range(IN_ROLES // 2):
            other = await sign_up(client, f"Other {n}")
            await open_all_day(client, other, day)
            others.append(other)
        await open_all_day(client, bob, day)
    requests: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for n, other in enumerate(others):
        # Every request overlaps every other: all lie over 14:00-14:15.
        hour, minute, duration = [(14, 0, 15), (13, 45, 30), (14, 0, 60), (13, 30, 45)][n % 4]
        start = instant(day, hour, minute)
        as_host = {"host_id": bob["id"], "start": start, "duration": duration}
        as_guest = {"host_id": other["id"], "start": start, "duration": duration}
        requests += [(other, as_host), (bob, as_guest)]
    responses = await race(two_servers, requests)
    counted = outcome(responses)
    assert counted[(201, "created")] == 1, counted
    assert counted[(409, "slot_unavailable")] == IN_ROLES - 1, counted
    assert await active_rows_of(db, bob["id"]) == 1
    assert await overlapping_participant_rows(db) == 0
