"""Expiring lapsed holds: the set-based job, the admin route, the sweeper, the CLI, and many
sweepers at once."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import insert, select

from concierge.app import create_app
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.models import Reservation, ReservationStatus
from concierge.reservations import expiry
from tests.fixtures.app import Person
from tests.fixtures.reservations import Reserve, at
from tests.fixtures.server import concierge_command
from tests.reservations import sweeper_process

pytestmark = pytest.mark.anyio


async def statuses(db: Database) -> dict[int, str]:
    async with db.unit_of_work(write=False) as session:
        rows = await session.execute(select(Reservation.id, Reservation.status))
        return {reservation_id: status for reservation_id, status in rows}


async def test_the_job_expires_lapsed_holds_only_and_each_once(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    db: Database,
) -> None:
    first = (await reserve(guest, host, at(13))).json()
    booked = (await reserve(guest, host, at(14), confirm=True)).json()
    clock.advance(minutes=10)
    later = (await reserve(guest, host, at(15))).json()
    cancelled = (await reserve(guest, host, at(16))).json()
    await client.post(f"/v1/reservations/{cancelled['id']}/cancel", headers=guest.auth)
    clock.advance(minutes=20)  # exactly the first hold's deadline; the later one has 10 min left

    async with db.unit_of_work() as session:
        assert await expiry.expire_lapsed_holds(session, clock.now()) == [first["id"]]
    async with db.unit_of_work() as session:
        assert await expiry.expire_lapsed_holds(session, clock.now()) == []
    assert await statuses(db) == {
        first["id"]: "expired",
        booked["id"]: "confirmed",
        later["id"]: "held",
        cancelled["id"]: "cancelled",
    }


async def test_the_admin_route_reports_how_many_it_expired(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    make_admin,
) -> None:
    admin = await make_admin()
    for hour in (13, 14, 15):
        await reserve(guest, host, at(hour))
    clock.advance(minutes=30)
    first = await client.post("/v1/admin/expire-holds", headers=admin.auth)
    assert first.status_code == 200
    assert first.json() == {"expired": 3}
    again = await client.post("/v1/admin/expire-holds", headers=admin.auth)
    assert again.json() == {"expired": 0}


async def test_the_sweeper_runs_with_the_app_and_stops_with_it(
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    db: Database,
    settings: Settings,
) -> None:
    held = (await reserve(guest, host, at(14))).json()
    clock.advance(minutes=30)
    app = create_app(settings.model_copy(update={"sweep_seconds": 0.02}), db=db, clock=clock)
    async with app.router.lifespan_context(app):
        sweeper = _sweeper_task()
        assert sweeper is not None
        with anyio.fail_after(10):
            # A real task on a real timer is what is under test: watch the row change.
            while (await statuses(db))[held["id"]] != "expired":  # noqa: ASYNC110
                await asyncio.sleep(0.02)
    assert sweeper.done()
    assert not sweeper.cancelled()


async def test_sweep_seconds_zero_runs_no_sweeper(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    app: FastAPI = create_app(settings.model_copy(update={"sweep_seconds": 0}), db=db, clock=clock)
    async with app.router.lifespan_context(app):
        assert _sweeper_task() is None


async def test_a_sweeper_finishes_its_cycle_before_it_stops(
    db: Database, clock: FrozenClock
) -> None:
    sweeper = expiry.hold_sweeper(db, clock, every=3600)
    async with sweeper.running():
        with anyio.fail_after(10):
            while sweeper.cycles == 0:  # noqa: ASYNC110 (the sweeper's own task sets it)
                await asyncio.sleep(0.01)
    # It was waiting out its hour when told to stop: it stopped at once, after one cycle.
    assert sweeper.cycles == 1


async def test_a_sweeper_without_its_database_logs_backs_off_and_goes_on(
    clock: FrozenClock, captured_logs: Any
) -> None:
    nowhere = Database("postgresql://postgres@127.0.0.1:1/nothing")  # a port nobody serves
    sweeper = expiry.hold_sweeper(nowhere, clock, every=0.02)
    try:
        async with sweeper.running():
            await asyncio.sleep(0.6)
    finally:
        await nowhere.dispose()
    # Without backing off it would have run about 30 cycles; doubling to 8 times: about 6.
    assert 2 <= sweeper.cycles <= 12, sweeper.cycles
    assert "hold-sweeper failed" in captured_logs.text


def _sweeper_task() -> asyncio.Task[Any] | None:
    return next((t for t in asyncio.all_tasks() if t.get_name() == "hold-sweeper"), None)


# ------------------------------------------------------------------- many sweepers at once

LAPSED_HOLDS = 1500


async def seed_lapsed_holds(db: Database, host: Person, guest: Person, now: datetime) -> set[int]:
    """Holds that lapsed a minute before ``now``, back to back in the host's calendar."""
    start = datetime(2027, 1, 4, tzinfo=UTC)
    rows = [
        {
            "host_id": host.id,
            "guest_id": guest.id,
            "start_at": start + timedelta(minutes=15 * n),
            "end_at": start + timedelta(minutes=15 * (n + 1)),
            "status": ReservationStatus.HELD,
            "hold_expires_at": now - timedelta(minutes=1),
            "created_at": now - timedelta(minutes=31),
        }
        for n in range(LAPSED_HOLDS)
    ]
    async with db.unit_of_work() as session:
        await session.execute(insert(Reservation), rows)
    return set((await statuses(db)).keys())


@pytest.mark.slow
async def test_two_processes_sweeping_at_once_expire_each_hold_once(
    db: Database, database_url: str, host: Person, guest: Person, clock: FrozenClock
) -> None:
    expected = await seed_lapsed_holds(db, host, guest, clock.now())
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    sweepers = [
        context.Process(
            target=sweeper_process.sweep, args=(database_url, clock.now(), barrier, results)
        )
        for _ in range(2)
    ]
    for process in sweepers:
        process.start()
    returned = [await asyncio.to_thread(results.get, True, 60) for _ in sweepers]
    for process in sweepers:
        process.join(timeout=30)
        assert process.exitcode == 0
    every_id = returned[0] + returned[1]
    assert len(every_id) == len(set(every_id)) == LAPSED_HOLDS
    assert set(every_id) == expected
    assert set((await statuses(db)).values()) == {"expired"}


@pytest.mark.slow
async def test_the_cli_expires_lapsed_holds_and_says_which(
    db: Database, database_url: str, host: Person, guest: Person, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    start = datetime(2027, 1, 4, 9, tzinfo=UTC)
    async with db.unit_of_work() as session:
        for n, deadline in enumerate((now - timedelta(minutes=1), now + timedelta(minutes=30))):
            session.add(
                Reservation(
                    host_id=host.id,
                    guest_id=guest.id,
                    start_at=start + timedelta(minutes=15 * n),
                    end_at=start + timedelta(minutes=15 * (n + 1)),
                    status=ReservationStatus.HELD,
                    hold_expires_at=deadline,
                    created_at=now - timedelta(minutes=1),
                )
            )
    lapsed, live = sorted(await statuses(db))
    env = {**os.environ, "CONCIERGE_DATABASE_URL": database_url}
    command = [*concierge_command(), "holds", "expire", "--json"]
    done = await asyncio.to_thread(
        subprocess.run,
        command,
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"expired": [lapsed]}
    assert await statuses(db) == {lapsed: "expired", live: "held"}
