"""``background.claim``: each ready row is leased to one worker at a time, on both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import ColumnElement, select

from concierge.background import claim
from concierge.clock import FrozenClock
from concierge.db import Database
from concierge.models import OutboxMessage

pytestmark = pytest.mark.anyio

LEASE = timedelta(minutes=2)
TABLE = OutboxMessage


async def add_messages(db: Database, clock: FrozenClock, count: int, **fields: object) -> None:
    async with db.unit_of_work() as session:
        for n in range(count):
            session.add(
                OutboxMessage(
                    **{
                        "channel": "webhook",
                        "topic": "test",
                        "payload": {"n": n},
                        "created_at": clock.now(),
                        "due_at": clock.now(),
                        "attempts": 0,
                        **fields,
                    }
                )
            )


def due(clock: FrozenClock) -> ColumnElement[bool]:
    return OutboxMessage.sent_at.is_(None) & (OutboxMessage.due_at <= clock.now())


async def take(db: Database, clock: FrozenClock, owner: str, limit: int = 10) -> list[int]:
    async with db.unit_of_work() as session:
        return await claim(
            session, TABLE, due(clock), owner=owner, now=clock.now(), lease=LEASE, limit=limit
        )


async def test_a_claim_leases_ready_rows_in_order_up_to_the_limit(
    db: Database, clock: FrozenClock
) -> None:
    await add_messages(db, clock, 5)
    first = await take(db, clock, "a", limit=3)
    assert len(first) == 3
    assert first == sorted(first)
    async with db.unit_of_work(write=False) as session:
        leased = (await session.execute(select(OutboxMessage.id, OutboxMessage.lease_owner))).all()
    assert {i for i, owner in leased if owner == "a"} == set(first)
    assert len(await take(db, clock, "b")) == 2  # only the two left


async def test_a_leased_row_is_nobody_elses_until_its_lease_runs_out(
    db: Database, clock: FrozenClock
) -> None:
    await add_messages(db, clock, 2)
    mine = await take(db, clock, "a")
    assert await take(db, clock, "b") == []
    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert await take(db, clock, "b") == []
    clock.advance(seconds=1)  # the lease ends: a worker that died loses its rows
    assert await take(db, clock, "b") == mine


async def test_rows_not_ready_are_never_claimed(db: Database, clock: FrozenClock) -> None:
    await add_messages(db, clock, 1, sent_at=clock.now())
    await add_messages(db, clock, 1, due_at=clock.now() + timedelta(hours=1))
    assert await take(db, clock, "a") == []
    clock.advance(hours=1)
    assert len(await take(db, clock, "a")) == 1


async def test_workers_claiming_at_once_share_the_rows_without_overlap(
    db: Database, clock: FrozenClock, database_url: str
) -> None:
    await add_messages(db, clock, 60)
    others = [Database(database_url) for _ in range(4)]
    try:
        batches = await asyncio.gather(
            *(take(other, clock, f"w{n}", limit=20) for n, other in enumerate(others))
        )
    finally:
        for other in others:
            await other.dispose()
    claimed = [i for batch in batches for i in batch]
    assert len(claimed) == len(set(claimed)) == 60
