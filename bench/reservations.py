"""Booking on PostgreSQL over HTTP: contention for few slots, and the cost of the API per row.

Two ``concierge serve`` processes on loopback, on a scratch PostgreSQL database created for the
run and dropped after it (admin URL: CONCIERGE_BENCH_POSTGRES_URL, else
CONCIERGE_TEST_POSTGRES_URL, else the local server's ``postgres`` database). The clients run in
this process, on the same cores as the servers. Bounded: a fixed number of requests, each with a
timeout, and the whole run under ``DEADLINE`` seconds.

- contended: ``CLIENTS`` guests, each on its own connection, all at once, on ``SLOTS`` slots of
  one host (``CLIENTS / SLOTS`` per slot), for ``ROUNDS`` rounds on fresh slots. Exactly
  ``SLOTS`` may win each round.
- uncontended: ``ROWS`` holds through the API by ``WORKERS`` concurrent guests, each booking
  their own host, against the same rows inserted by SQLAlchemy alone (one ORM insert and commit
  per row, the same concurrency), in the same run.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from tests.fixtures.server import ServerPool

from concierge import migrate
from concierge.db import Database
from concierge.models import Reservation, ReservationStatus

Row = tuple[str, ...]  # benchmark, figure, value[, note]

CLIENTS, SLOTS, ROUNDS = 200, 20, 3
ROWS, WORKERS = 400, 8
DEADLINE = 600.0
REQUEST_TIMEOUT = 60.0


def admin_url() -> str:
    return os.environ.get(
        "CONCIERGE_BENCH_POSTGRES_URL",
        os.environ.get(
            "CONCIERGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )


def _admin() -> psycopg.Connection[Any]:
    url = make_url(admin_url())
    return psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.database,
        autocommit=True,
        connect_timeout=5,
    )


@asynccontextmanager
async def scratch_database() -> AsyncIterator[str]:
    name = f"concierge_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url()).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        yield url
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ------------------------------------------------------------------------------------- helpers


async def sign_up(client: httpx.AsyncClient, name: str) -> dict[str, Any]:
    email = f"{name.lower().replace(' ', '.')}@example.com"
    response = await client.post(
        "/v1/users", json={"name": name, "email": email, "timezone": "UTC"}
    )
    response.raise_for_status()
    body = response.json()
    return {"id": body["user"]["id"], "auth": {"Authorization": f"Bearer {body['token']}"}}


async def open_days(client: httpx.AsyncClient, host: dict[str, Any], days: Sequence[date]) -> None:
    response = await client.put(
        f"/v1/users/{host['id']}/availability",
        json={"dates": {d.isoformat(): [{"start": "00:00", "end": "24:00"}] for d in days}},
        headers=host["auth"],
    )
    response.raise_for_status()


def quarter(day: date, n: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=15 * n)


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# ----------------------------------------------------------------------------------- contended


async def post_once_more_if_dropped(
    client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str]
) -> tuple[httpx.Response, bool]:
    """POST, and again once if the connection died before any answer: on a loaded machine the
    server may close an idle keep-alive connection just as a request goes out on it. An answer
    that came, a 5xx included, is never retried; the stored rows say whether a retry hid a win.
    """
    try:
        return await client.post("/v1/reservations", json=body, headers=headers), False
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
        return await client.post("/v1/reservations", json=body, headers=headers), True


async def stored_on(db: Database, host_id: int, day: date) -> int:
    """Active reservations of ``host_id`` that start on ``day``: what the database kept."""
    start = quarter(day, 0)
    async with db.unit_of_work(write=False) as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Reservation)
            .where(
                Reservation.host_id == host_id,
                Reservation.start_at >= start,
                Reservation.start_at < start + timedelta(days=1),
                Reservation.status.in_([ReservationStatus.HELD, ReservationStatus.CONFIRMED]),
            )
        )
    return int(count or 0)


async def contended(urls: list[str], db_url: str, first_day: date) -> list[Row]:
    days = [first_day + timedelta(days=r) for r in range(ROUNDS)]
    async with httpx.AsyncClient(base_url=urls[0], timeout=REQUEST_TIMEOUT) as setup:
        host = await sign_up(setup, "Bench Host")
        await open_days(setup, host, days)
        guests = [await sign_up(setup, f"Bench Guest {n}") for n in range(CLIENTS)]
    latencies: list[float] = []
    winners: list[int] = []
    stored: list[int] = []
    retried = 0
    elapsed = 0.0
    db = Database(db_url, pool_size=1, max_overflow=0)
    try:
        for day in days:
            go = asyncio.Event()
            # Fresh connections every round, opened just before it: none sits idle long enough
            # for the server's keep-alive timeout to close it under the clients' feet.
            clients = [
                httpx.AsyncClient(base_url=urls[n % len(urls)], timeout=REQUEST_TIMEOUT)
                for n in range(CLIENTS)
            ]

            async def attempt(
                n: int,
                day: date = day,
                go: asyncio.Event = go,
                clients: list[httpx.AsyncClient] = clients,
            ) -> int:
                nonlocal retried
                body = {"host_id": host["id"], "start": quarter(day, 40 + n % SLOTS).isoformat()}
                await go.wait()
                started = time.perf_counter()
                response, again = await post_once_more_if_dropped(
                    clients[n], body, guests[n]["auth"]
                )
                latencies.append(time.perf_counter() - started)
                retried += again
                if response.status_code not in (201, 409):
                    response.raise_for_status()
                return response.status_code

            try:
                await asyncio.gather(*(c.get("/healthz") for c in clients))
                tasks = [asyncio.create_task(attempt(n)) for n in range(CLIENTS)]
                await asyncio.sleep(0)
                started = time.perf_counter()
                go.set()
                codes = await asyncio.gather(*tasks)
                elapsed += time.perf_counter() - started
            finally:
                await asyncio.gather(*(c.aclose() for c in clients))
            winners.append(codes.count(201))
            stored.append(await stored_on(db, host["id"], day))
    finally:
        await db.dispose()
    name = "contended booking (PostgreSQL, HTTP, 2 servers)"
    verdict = "ok" if winners == stored == [SLOTS] * ROUNDS else "WRONG"
    setup = f"{CLIENTS} clients on {SLOTS} slots"
    again = f"{retried} dropped connection(s) retried once" if retried else ""
    return [
        (
            name,
            f"{setup}: winners per round (must be {SLOTS})",
            f"{winners} {verdict}",
            f"rows stored {stored}",
        ),
        (name, f"{setup}: successes/s", f"{sum(winners) / elapsed:.1f}", again),
        (name, f"{setup}: answers/s (201 and 409)", f"{len(latencies) / elapsed:.1f}"),
        (name, f"{setup}: p50 latency", ms(statistics.median(latencies))),
        (name, f"{setup}: p99 latency", ms(percentile(latencies, 99))),
    ]


# --------------------------------------------------------------------------------- uncontended


async def uncontended(urls: list[str], db_url: str, first_day: date) -> list[Row]:
    per_worker = ROWS // WORKERS
    days = [first_day + timedelta(days=d) for d in range(per_worker // 96 + 1)]
    async with httpx.AsyncClient(base_url=urls[0], timeout=REQUEST_TIMEOUT) as setup:
        hosts = [await sign_up(setup, f"Quiet Host {n}") for n in range(WORKERS)]
        guests = [await sign_up(setup, f"Quiet Guest {n}") for n in range(WORKERS)]
        for host in hosts:
            await open_days(setup, host, days)

    def starts() -> list[datetime]:
        return [quarter(days[k // 96], k % 96) for k in range(per_worker)]

    latencies: list[float] = []

    async def api_worker(n: int) -> None:
        async with httpx.AsyncClient(base_url=urls[n % len(urls)], timeout=REQUEST_TIMEOUT) as c:
            for start in starts():
                sent = time.perf_counter()
                response = await c.post(
                    "/v1/reservations",
                    json={"host_id": hosts[n]["id"], "start": start.isoformat()},
                    headers=guests[n]["auth"],
                )
                latencies.append(time.perf_counter() - sent)
                response.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(api_worker(n) for n in range(WORKERS)))
    api_rate = ROWS / (time.perf_counter() - started)

    db = Database(db_url, pool_size=WORKERS, max_overflow=0)
    try:
        async with db.unit_of_work() as session:
            await session.execute(text("TRUNCATE reservations CASCADE"))
        now = datetime.now(UTC)

        async def orm_worker(n: int) -> None:
            for start in starts():
                async with db.unit_of_work() as session:
                    session.add(
                        Reservation(
                            host_id=hosts[n]["id"],
                            guest_id=guests[n]["id"],
                            start_at=start,
                            end_at=start + timedelta(minutes=15),
                            status="held",
                            hold_expires_at=now + timedelta(minutes=30),
                            created_at=now,
                        )
                    )

        started = time.perf_counter()
        await asyncio.gather(*(orm_worker(n) for n in range(WORKERS)))
        orm_rate = ROWS / (time.perf_counter() - started)
    finally:
        await db.dispose()
    name = "uncontended holds (PostgreSQL)"
    setup = f"{ROWS} rows, {WORKERS} at a time"
    return [
        (name, f"{setup}: API reservations/s (HTTP, 2 servers)", f"{api_rate:.1f}"),
        (name, f"{setup}: API p50 latency", ms(statistics.median(latencies))),
        (name, f"{setup}: SQLAlchemy inserts/s (a commit each)", f"{orm_rate:.1f}"),
        (name, "API / SQLAlchemy", f"{api_rate / orm_rate:.2f}"),
    ]


# --------------------------------------------------------------------------------------- run


async def run() -> list[Row]:
    try:
        _admin().close()
    except psycopg.OperationalError as exc:
        return [("reservations", "skipped", f"PostgreSQL unreachable at {admin_url()}: {exc}")]
    async with asyncio.timeout(DEADLINE), scratch_database() as url:
        with tempfile.TemporaryDirectory(prefix="concierge-bench-") as workdir:
            pool = ServerPool(Path(workdir))
            try:
                servers = await asyncio.to_thread(pool.start, url, 2)
                urls = [s.url for s in servers]
                # Far enough ahead for the 24-hour notice, well inside the 60-day horizon.
                first_day = datetime.now(UTC).date() + timedelta(days=3)
                rows = await contended(urls, url, first_day)
                rows += await uncontended(urls, url, first_day + timedelta(days=ROUNDS))
            finally:
                await asyncio.to_thread(pool.stop_all)
    return rows
