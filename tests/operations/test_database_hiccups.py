"""PostgreSQL terminating the servers' connections during a burst of mixed requests: no
acknowledged write is lost, nothing answers 500, and 503 (with Retry-After) comes only for a
write that could not be retried safely (no Idempotency-Key)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.fixtures.database import POSTGRES_URL, fresh_postgres
from tests.fixtures.server import ServerPool
from tests.operations.test_graceful_shutdown import free_slots, sign_up, stored_reservations

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.anyio]

REQUESTS = 360  # across all clients: bounded in count...
SECONDS = 60  # ...and in time
CLIENTS = 6
# Seconds between rounds of pg_terminate_backend: a round is a failover or a restart; the one
# retry a safe request gets must not meet the next round (it is not a flapping database).
KILL_EVERY = 1.0


@pytest.fixture
def hiccup_database() -> Iterator[str]:
    with fresh_postgres("hiccup") as url:
        yield url


async def terminate_backends(database: str, stop: asyncio.Event) -> int:
    """Kill every connection of the servers to ``database`` every KILL_EVERY seconds."""
    killed = 0
    url = make_url(POSTGRES_URL)
    async with await psycopg.AsyncConnection.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        dbname=url.database,
        autocommit=True,
    ) as admin:
        while not stop.is_set():
            rows = await (
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (database,),
                )
            ).fetchall()
            killed += sum(1 for (done,) in rows if done)
            await asyncio.sleep(KILL_EVERY)
    return killed


async def test_terminated_backends_lose_no_acknowledged_write_and_answer_no_500(
    live_servers: ServerPool, hiccup_database: str
) -> None:
    servers = live_servers.start(hiccup_database, count=2, env={"CONCIERGE_SWEEP_SECONDS": "0.5"})
    async with httpx.AsyncClient(base_url=servers[0].url, timeout=10) as http:
        hosts = [(await sign_up(http, f"Host{n}"))[0] for n in range(3)]
        _, guest = await sign_up(http, "Guest")
    auth = {"Authorization": f"Bearer {guest}"}
    slots = free_slots(hosts)
    turns = itertools.count()
    outcomes: list[dict[str, Any]] = []
    deadline = time.monotonic() + SECONDS

    async def client(number: int) -> None:
        url = servers[number % len(servers)].url
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            while (turn := next(turns)) < REQUESTS and time.monotonic() < deadline:
                kind = ("create-keyed", "create", "slots", "list")[turn % 4]
                headers = dict(auth)
                if kind.startswith("create"):
                    host, start = next(slots)
                    if kind == "create-keyed":
                        headers["Idempotency-Key"] = f"burst-{turn}"
                    response = await http.post(
                        "/v1/reservations",
                        json={"host_id": host, "start": start, "duration": 15},
                        headers=headers,
                    )
                elif kind == "slots":
                    response = await http.get(f"/v1/users/{hosts[turn % 3]}/slots", headers=auth)
                else:
                    response = await http.get("/v1/reservations", headers=auth)
                outcomes.append(
                    {
                        "kind": kind,
                        "status": response.status_code,
                        "body": response.json(),
                        "headers": response.headers,
                    }
                )

    stop = asyncio.Event()
    killer = asyncio.create_task(terminate_backends(make_url(hiccup_database).database, stop))
    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    stop.set()
    killed = await killer

    counts = Counter((o["kind"], o["status"]) for o in outcomes)
    print(f"\nterminated backends: {killed}; answers: {dict(sorted(counts.items()))}")
    assert killed > 0, "no connection was terminated: the test proved nothing"
    assert [o for o in outcomes if o["status"] >= 500 and o["status"] != 503] == []
    unsafe_503 = [o for o in outcomes if o["status"] == 503 and o["kind"] != "create"]
    assert unsafe_503 == [], "a 503 where a retry was safe"
    assert all(o["headers"].get("Retry-After") for o in outcomes if o["status"] == 503)
    assert {o["status"] for o in outcomes} <= {200, 201, 503}, counts

    acknowledged = {o["body"]["id"]: o["body"]["start"] for o in outcomes if o["status"] == 201}
    assert acknowledged
    stored = await stored_reservations(servers[1].url, guest)
    assert acknowledged.items() <= stored.items(), "an acknowledged reservation was lost"
