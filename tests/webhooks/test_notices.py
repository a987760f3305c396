"""Events outside reservations reach webhooks too: a venue's sync cycles (admin-wide webhooks
only), and only when their transaction commits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from concierge import events
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.models import OutboxMessage
from concierge.outbox.worker import Worker
from tests.fixtures.receiver import Receiver

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"outbound_allow_private": True})


@pytest.fixture
async def worker(db: Database, clock: FrozenClock, settings: Settings) -> AsyncIterator[Worker]:
    found = Worker(db, clock, settings)
    yield found
    await found.aclose()


async def test_a_venue_sync_cycle_is_told_to_admin_wide_webhooks(
    client: httpx.AsyncClient,
    make_admin: Any,
    sign_up: Any,
    resyos: Any,
    syncer: Any,
    worker: Worker,
    receiver: Receiver,
) -> None:
    admin = await make_admin()
    someone = await sign_up("Sue Someone")
    for who, path, extra in ((admin, "/all", {"all_users": True}), (someone, "/own", {})):
        made = await client.post(
            "/v1/webhooks",
            json={"url": receiver.url + path, "events": ["venue_sync.completed"], **extra},
            headers=who.auth,
        )
        assert made.status_code == 201, made.text
    sync = await syncer(await resyos(reservations=30))
    report = await sync.cycle()
    await worker.drain()
    (request,) = receiver.requests
    assert request.headers["concierge-event"] == "venue_sync.completed"
    body = request.json["data"]["venue_sync"]
    assert (body["listed"], body["created"]) == (report.listed, report.created) == (30, 30)
    assert body["venue_id"] == report.venue_id


async def test_a_notice_of_a_rolled_back_transaction_is_never_written(
    client: httpx.AsyncClient, make_admin: Any, db: Database, clock: FrozenClock
) -> None:
    admin = await make_admin()
    await client.post(
        "/v1/webhooks",
        json={"url": "https://example.com/h", "events": ["venue_sync.failed"], "all_users": True},
        headers=admin.auth,
    )
    notice = events.Notice("venue_sync.failed", frozenset(), {"venue_sync": {}}, clock.now())

    async def failing_change() -> None:
        async with db.unit_of_work() as session:
            events.notify(session, notice)
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        await failing_change()
    async with db.unit_of_work() as session:
        events.notify(session, notice)
    async with db.unit_of_work(write=False) as session:
        count = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert count == 1
