"""Venue sync against the ResyOS stand-in (in its own process, on loopback): the first full
sync of 10,000 reservations, a quiet cycle, and a busy one, on SQLite and (when reachable)
PostgreSQL."""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg

from concierge import migrate
from concierge.clock import SystemClock
from concierge.db import Database
from concierge.integrations.resyos.client import ResyOSClient
from concierge.sandbox.resyos import LONG_LIVED_TOKEN, VENUE_ID
from concierge.venue_sync import service
from concierge.venue_sync.plan import SyncConfig

RESERVATIONS = 10_000
POSTGRES = os.environ.get(
    "CONCIERGE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def stand_in(reservations: int) -> Iterator[str]:
    concierge = str(Path(sys.executable).with_name("concierge"))
    proc = subprocess.Popen(
        [concierge, "sandbox", "resyos", "--port", "0", "--reservations", str(reservations)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().split()[0]
    finally:
        proc.kill()
        proc.wait()


@contextmanager
def postgres_database() -> Iterator[str | None]:
    try:
        admin = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        yield None
        return
    name = f"concierge_bench_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def measure(backend: str, database_url: str) -> list[tuple[str, str, str]]:
    migrate.upgrade(database_url)
    db = Database(database_url)
    config = SyncConfig(venue_id=VENUE_ID, zone=ZoneInfo("America/New_York"))
    clock = SystemClock()
    with stand_in(RESERVATIONS) as url:
        async with httpx.AsyncClient(timeout=30) as http, httpx.AsyncClient(base_url=url) as admin:
            client = ResyOSClient(
                http, api_url=url, auth_url=url, venue_id=VENUE_ID, token=LONG_LIVED_TOKEN
            )
            began = time.perf_counter()
            first = await service.run_cycle(db, client, config, clock)
            full = time.perf_counter() - began
            counts: dict[str, Any] = (await admin.get("/__sandbox/requests")).json()

            quiet: list[float] = []
            for _ in range(5):
                began = time.perf_counter()
                report = await service.run_cycle(db, client, config, clock)
                quiet.append(time.perf_counter() - began)
                assert report.requests == 1

            await admin.post("/__sandbox/change", json={"changed": 80, "new_guests": 20})
            began = time.perf_counter()
            busy = await service.run_cycle(db, client, config, clock)
            busy_wall = time.perf_counter() - began
    await db.dispose()
    what = f"{RESERVATIONS:,} reservations, {backend}"
    return [
        ("venue_sync", f"first full sync, {what}: wall", f"{full:.2f} s"),
        (
            "venue_sync",
            f"first full sync, {what}: requests",
            f"{first.requests} ({counts['auth']} token + {counts['ids']} ids + "
            f"{counts['reservations']} details + {counts['users']} guests)",
        ),
        (
            "venue_sync",
            f"first full sync, {what}: rate",
            f"{RESERVATIONS / full:,.0f} reservations/s",
        ),
        (
            "venue_sync",
            f"quiet cycle, {what}: wall (median of 5)",
            f"{statistics.median(quiet) * 1000:.0f} ms, 1 request",
        ),
        (
            "venue_sync",
            f"cycle with 100 changed, 20 new guests, {backend}: wall",
            f"{busy_wall * 1000:.0f} ms, {busy.requests} requests",
        ),
    ]


async def run() -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += await measure("SQLite", f"sqlite:///{tmp}/bench.db")
    with postgres_database() as url:
        if url is not None:
            rows += await measure("PostgreSQL", url)
    return rows
