"""SIGTERM during a burst of reservations: every request the server accepted is answered and
stored, nothing is stored that was not answered, and the only thing a client may see is a
refused connection once the server has stopped listening.

Clients use fresh connections (each request may land on a connection accepted a moment before
the signal) or keep-alive ones (a request may be sent on a connection the server is about to
close as idle); both saw resets before ``concierge.serving`` gave idle connections a grace
period. The hold sweeper runs every 0.2 s meanwhile, so shutdown also stops a busy loop.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from concierge import migrate
from tests.fixtures.server import ServerPool

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

WORKERS = 8
HOSTS = 4
SIGNAL_AFTER = 40  # reservations made before SIGTERM, so the burst is in full swing
SETTINGS = {  # rate limits are lifted by the live_servers fixture
    "CONCIERGE_SWEEP_SECONDS": "0.2",
    "CONCIERGE_LOG_LEVEL": "info",
}


@dataclass
class Outcome:
    started: float
    ended: float
    status: int | None = None
    body: dict[str, Any] | None = None
    error: str | None = None


def free_slots(hosts: list[int]) -> Iterator[tuple[int, str]]:
    """(host, start) pairs at starts no two requests share (the one guest can be in one meeting
    at a time): weekday 09:00-17:00 UTC quarter hours from three days ahead of the real clock
    (these servers read it), hosts taking turns."""
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    day += timedelta(days=3)
    turn = 0
    while True:
        if day.weekday() < 5:
            for quarter in range(9 * 4, 17 * 4):
                start = day + timedelta(minutes=15 * quarter)
                yield hosts[turn % len(hosts)], start.strftime("%Y-%m-%dT%H:%M:%SZ")
                turn += 1
        day += timedelta(days=1)


async def sign_up(http: httpx.AsyncClient, name: str) -> tuple[int, str]:
    body = {"name": name, "email": f"{name.lower()}@example.com", "timezone": "UTC"}
    answer = (await http.post("/v1/users", json=body)).json()
    return int(answer["user"]["id"]), str(answer["token"])


async def burst(
    url: str, token: str, slots: Iterator[tuple[int, str]], sigterm: asyncio.Event, keep_alive: bool
) -> list[Outcome]:
    """WORKERS clients reserving back to back until the server refuses connections."""
    outcomes: list[Outcome] = []
    deadline = time.monotonic() + 60
    limits = httpx.Limits() if keep_alive else httpx.Limits(max_keepalive_connections=0)
    auth = {"Authorization": f"Bearer {token}"}

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:
            while time.monotonic() < deadline:
                host, start = next(slots)
                body = {"host_id": host, "start": start, "duration": 15}
                started = time.monotonic()
                try:
                    response = await http.post("/v1/reservations", json=body, headers=auth)
                except httpx.ConnectError:
                    outcomes.append(Outcome(started, time.monotonic(), error="refused"))
                    return
                except httpx.TransportError as exc:
                    outcomes.append(Outcome(started, time.monotonic(), error=repr(exc)))
                    return
                outcomes.append(
                    Outcome(started, time.monotonic(), response.status_code, response.json())
                )
                if sum(1 for o in outcomes if o.status == 201) >= SIGNAL_AFTER:
                    sigterm.set()

    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    return outcomes


async def stored_reservations(url: str, token: str) -> dict[int, str]:
    """Every reservation the guest has, id -> start, read through the API."""
    found: dict[int, str] = {}
    cursor = None
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        while True:
            params: dict[str, Any] = {"limit": 500, "role": "guest"}
            if cursor:
                params["cursor"] = cursor
            page = (
                await http.get(
                    "/v1/reservations", params=params, headers={"Authorization": f"Bearer {token}"}
                )
            ).json()
            found |= {item["id"]: item["start"] for item in page["items"]}
            cursor = page["next_cursor"]
            if not cursor:
                return found


@pytest.mark.parametrize("keep_alive", [False, True], ids=["fresh", "keep-alive"])
async def test_sigterm_during_a_burst_of_reservations_loses_and_resets_nothing(
    live_servers: ServerPool, tmp_path: Path, keep_alive: bool
) -> None:
    database_url = f"sqlite:///{tmp_path}/drain.db"
    migrate.upgrade(database_url)
    (server,) = live_servers.start(database_url, env=SETTINGS)
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        hosts = [(await sign_up(http, f"Host{n}"))[0] for n in range(HOSTS)]
        _, guest = await sign_up(http, "Guest")

    sigterm = asyncio.Event()
    signalled_at = 0.0

    async def stop_when_busy() -> None:
        nonlocal signalled_at
        await sigterm.wait()
        signalled_at = time.monotonic()
        server.process.send_signal(signal.SIGTERM)

    stopper = asyncio.create_task(stop_when_busy())
    outcomes = await burst(server.url, guest, free_slots(hosts), sigterm, keep_alive)
    await stopper
    # Uvicorn re-raises SIGTERM after its graceful shutdown: death by SIGTERM is the clean exit.
    assert await asyncio.to_thread(server.process.wait, 30) == -signal.SIGTERM
    log = server.log_path.read_text()
    assert "Application shutdown complete" in log, log[-3000:]

    broken = [o.error for o in outcomes if o.error and o.error != "refused"]
    assert broken == [], broken
    assert [o.body for o in outcomes if o.status not in (None, 201)] == []
    drained = [o for o in outcomes if o.status and o.started < signalled_at < o.ended]
    assert drained, "no request was in flight at SIGTERM: the test proved nothing"

    answered = {int(o.body["id"]): o.body["start"] for o in outcomes if o.body}
    assert len(answered) >= SIGNAL_AFTER
    (restarted,) = live_servers.start(database_url, env=SETTINGS)
    # Every 2xx is stored, and nothing is stored that a client was not told about.
    assert await stored_reservations(restarted.url, guest) == answered
