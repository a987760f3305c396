"""The outbox across real ``concierge serve`` processes: several share the work and send each
message once; one killed with SIGKILL mid-batch loses nothing."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from concierge.db import Database
from concierge.models import OutboxMessage
from concierge.outbox.writer import webhook_message
from tests.fixtures.receiver import Receiver
from tests.fixtures.server import ServerPool

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

ENV = {
    "CONCIERGE_OUTBOUND_ALLOW_PRIVATE": "true",
    "CONCIERGE_OUTBOX_SECONDS": "0.2",
    "CONCIERGE_OUTBOX_BATCH": "10",
    # A killed worker's rows come back quickly (its lease runs out).
    "CONCIERGE_OUTBOX_LEASE_SECONDS": "3",
    "CONCIERGE_SWEEP_SECONDS": "0",
}


def subscribe(server_url: str, receiver: Receiver, hooks: int) -> list[int]:
    """A user with ``hooks`` webhooks to the receiver, made over the server's API."""
    with httpx.Client(base_url=server_url, timeout=10) as http:
        user = http.post(
            "/v1/users", json={"name": "Wanda Webhook", "email": "w@example.com", "timezone": "UTC"}
        ).json()
        auth = {"Authorization": f"Bearer {user['token']}"}
        ids = []
        for n in range(hooks):
            made = http.post(
                "/v1/webhooks",
                json={"url": f"{receiver.url}/{n}", "events": ["reservation.confirmed"]},
                headers=auth,
            )
            assert made.status_code == 201, made.text
            ids.append(made.json()["webhook"]["id"])
        return ids


async def queue(db: Database, hooks: list[int], count: int) -> None:
    """``count`` pending deliveries, spread over ``hooks``, committed at once."""
    now = datetime.now(UTC)
    async with db.unit_of_work() as session:
        for n in range(count):
            message = webhook_message(hooks[n % len(hooks)], "webhook.ping", {"n": n}, now, now)
            session.add(message)


async def pending(db: Database) -> int:
    async with db.unit_of_work(write=False) as session:
        found = await session.scalar(
            select(func.count()).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.given_up_at.is_(None)
            )
        )
        return int(found or 0)


async def wait_until(check: Any, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


async def test_two_server_processes_deliver_each_message_once(
    db: Database, database_url: str, live_servers: ServerPool, receiver: Receiver
) -> None:
    receiver.answer = lambda _n: (time.sleep(0.005), 204)[1]
    first, second = live_servers.start(database_url, count=2, env=ENV)
    hooks = subscribe(first.url, receiver, hooks=10)
    await queue(db, hooks, 200)

    async def drained() -> bool:
        return await pending(db) == 0

    await wait_until(drained)
    await asyncio.sleep(0.5)  # anything sent twice would have arrived by now
    counts = Counter(receiver.ids())
    assert len(counts) == 200
    assert max(counts.values()) == 1
    assert first.alive
    assert second.alive


async def test_a_server_killed_mid_batch_loses_no_delivery_and_repeats_none_sent(
    db: Database, database_url: str, live_servers: ServerPool, receiver: Receiver
) -> None:
    # Slow enough that the kill lands with deliveries in flight.
    receiver.answer = lambda _n: (time.sleep(0.02), 204)[1]
    (server,) = live_servers.start(database_url, env=ENV)
    hooks = subscribe(server.url, receiver, hooks=4)
    await queue(db, hooks, 100)

    async def some_arrived() -> bool:
        return len(receiver.requests) >= 20

    await wait_until(some_arrived)
    server.kill()
    at_kill = len(receiver.requests)
    assert 20 <= at_kill < 100
    async with db.unit_of_work(write=False) as session:
        recorded = {
            str(i)
            for i in await session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.sent_at.is_not(None))
            )
        }
    assert recorded
    live_servers.start(database_url, env=ENV)

    async def drained() -> bool:
        return await pending(db) == 0

    await wait_until(drained)
    await asyncio.sleep(0.5)
    counts = Counter(receiver.ids())
    assert len(counts) == 100  # none lost
    # A delivery is repeated only if the kill fell between its answer and the record of it:
    # at most one per receiver lane in flight (deliveries to one URL go one at a time).
    repeated = [i for i, c in counts.items() if c > 1]
    assert len(repeated) <= len(hooks)
    assert max(counts.values()) <= 2
    assert not recorded & set(repeated)  # what was recorded sent is never sent again
