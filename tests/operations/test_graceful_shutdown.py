"""SIGTERM during a burst of writes: every request the server accepted is answered and stored;
the only thing a client may see is a refused connection once the server has stopped listening.

Clients use fresh connections (each request may land on a connection accepted a moment before
the signal) or keep-alive ones (a request may be sent on a connection the server is about to
close as idle); both used to see resets before ``concierge.serving`` gave idle connections a
grace period.
"""

from __future__ import annotations

import asyncio
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from concierge import migrate
from tests.fixtures.ops_server import ServerPool

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

WORKERS = 8
SIGNAL_AFTER = 40  # successful writes before SIGTERM, so the burst is in full swing
UNLIMITED = {
    "CONCIERGE_RATE_LIMIT_DEFAULT": "1000000/minute",
    "CONCIERGE_RATE_LIMIT_SIGNUP": "1000000/minute",
    "CONCIERGE_RATE_LIMIT_RESERVATIONS": "1000000/minute",
}


@dataclass
class Outcome:
    started: float
    ended: float
    status: int | None = None
    body: dict[str, object] | None = None
    error: str | None = None


async def burst(
    url: str, stop_after: float, sigterm: asyncio.Event, keep_alive: bool
) -> list[Outcome]:
    """WORKERS clients posting sign-ups back to back until the server refuses connections (or
    ``stop_after`` seconds pass)."""
    outcomes: list[Outcome] = []
    counter = 0
    deadline = time.monotonic() + stop_after
    limits = httpx.Limits() if keep_alive else httpx.Limits(max_keepalive_connections=0)

    async def worker() -> None:
        nonlocal counter
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:
            while time.monotonic() < deadline:
                counter += 1
                n = counter
                started = time.monotonic()
                try:
                    response = await http.post(
                        "/v1/users",
                        json={"name": f"P{n}", "email": f"p{n}@example.com", "timezone": "UTC"},
                    )
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


@pytest.mark.parametrize("keep_alive", [False, True], ids=["fresh", "keep-alive"])
async def test_sigterm_drains_in_flight_writes_and_loses_none(
    ops_servers: ServerPool, tmp_path: Path, keep_alive: bool
) -> None:
    database_url = f"sqlite:///{tmp_path}/drain.db"
    migrate.upgrade(database_url)
    (server,) = ops_servers.start(database_url, env={**UNLIMITED, "CONCIERGE_LOG_LEVEL": "info"})

    sigterm = asyncio.Event()
    signalled_at = 0.0

    async def stop_when_busy() -> None:
        nonlocal signalled_at
        await sigterm.wait()
        signalled_at = time.monotonic()
        server.process.send_signal(signal.SIGTERM)

    stopper = asyncio.create_task(stop_when_busy())
    outcomes = await burst(server.url, stop_after=60, sigterm=sigterm, keep_alive=keep_alive)
    await stopper
    # Uvicorn re-raises SIGTERM after its graceful shutdown: death by SIGTERM is the clean exit.
    assert await asyncio.to_thread(server.process.wait, 30) == -signal.SIGTERM
    assert "Application shutdown complete" in server.log(), server.log()[-3000:]

    broken = [o.error for o in outcomes if o.error and o.error != "refused"]
    assert broken == [], broken
    assert all(o.status == 201 for o in outcomes if o.status is not None)
    drained = [o for o in outcomes if o.status and o.started < signalled_at < o.ended]
    assert drained, "no request was in flight at SIGTERM: the test proved nothing"

    (restarted,) = ops_servers.start(database_url, env=UNLIMITED)
    stored = [o.body for o in outcomes if o.status == 201]
    assert stored
    token = str(stored[0]["token"])  # type: ignore[index]
    async with httpx.AsyncClient(base_url=restarted.url, timeout=10) as http:
        ids: set[int] = set()
        cursor = None
        while True:
            params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = (
                await http.get(
                    "/v1/users", params=params, headers={"Authorization": f"Bearer {token}"}
                )
            ).json()
            ids |= {item["id"] for item in page["items"]}
            cursor = page["next_cursor"]
            if not cursor:
                break
    answered = {int(o.body["user"]["id"]) for o in outcomes if o.status == 201}  # type: ignore[index,call-overload]
    assert answered <= ids
    assert len(drained) >= 1
