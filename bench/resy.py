"""The Resy client against the stand-in over loopback HTTP (pauses off), and the encrypted
credential store. Shows the client's own overhead; real Resy adds its latency and the 1-3 s
pauses between calls."""

from __future__ import annotations

import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from statistics import median

import httpx
from pydantic import SecretStr

from bench._row import Row
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.credentials import CredentialStore, StoredCredentials
from concierge.integrations.resy.client import ResyClient
from concierge.sandbox.loopback import serving
from concierge.sandbox.resy import ResyWorld, create_app
from concierge.sandbox.resy_data import DEMO_PASSWORD

FINDS = 200
BOOKINGS = 40


async def run() -> list[Row]:
    from datetime import UTC, datetime

    clock = FrozenClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    world = ResyWorld(clock)
    rows: list[Row] = []
    with serving(create_app(world)) as url, tempfile.TemporaryDirectory() as scratch:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            resy_base_url=url,
            resy_min_delay=0,
            resy_max_delay=0,
            data_dir=Path(scratch),
        )
        async with httpx.AsyncClient() as http:
            client = ResyClient(http, settings)
            await client.login("demo@resy.test", DEMO_PASSWORD)
            latencies = []
            started = time.perf_counter()
            for _ in range(FINDS):
                t0 = time.perf_counter()
                await client.find(2567, date(2026, 11, 27), 2)
                latencies.append(time.perf_counter() - t0)
            elapsed = time.perf_counter() - started
            rows.append(Row("find calls", FINDS / elapsed, "calls/s", "sequential, one client"))
            rows.append(Row("find latency p50", median(latencies) * 1000, "ms", "loopback"))

            flows = []
            for i in range(BOOKINGS):
                day = date(2026, 11, 24) + timedelta(days=1 + i % 20)
                t0 = time.perf_counter()
                found = await client.find(5769, day, 2)
                booking = await client.book(await client.details(found.slots[0], 2))
                await client.cancel(booking.resy_token)
                flows.append(time.perf_counter() - t0)
            rows.append(Row("find+details+book+cancel", median(flows) * 1000, "ms", "p50, 4 calls"))

            lost = []
            for i in range(10):
                found = await client.find(59519, date(2026, 11, 24) + timedelta(days=i), 2)
                details = await client.details(found.slots[0], 2)
                world.faults.lost_book_response = "drop"
                t0 = time.perf_counter()
                booking = await client.book(details)
                lost.append(time.perf_counter() - t0)
                assert booking.reconciled
            rows.append(
                Row("book, answer lost", median(lost) * 1000, "ms", "p50, reconciled by listing")
            )
            confirmed = sum(1 for r in world.reservations if r.status == "confirmed")
            rows.append(Row("tables held after 10 lost answers", confirmed, "tables", "want 10"))

        store = CredentialStore.for_owner(settings, 1)
        login = StoredCredentials(
            email="a@b.c", password=SecretStr("p" * 20), auth_token=SecretStr("t" * 300)
        )
        t0 = time.perf_counter()
        for _ in range(200):
            store.save("resy", login)
            store.get("resy")
        rows.append(
            Row("credentials save+get", 200 / (time.perf_counter() - t0), "ops/s", "Fernet, fsync")
        )
    return rows
