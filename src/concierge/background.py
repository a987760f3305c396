"""Background work inside ``concierge serve``: a loop per job, and claims that several
processes can share.

``Loop`` runs one cycle of a job every ``every`` seconds until stopped; a cycle in progress
finishes first, so shutdown never cuts a transaction in half, and failed cycles back off (see
``concierge.backoff``) so a database that is away is not hammered. The hold sweeper, the outbox,
watches and calendar refreshes all run on it.

``claim`` hands rows of a job table to one worker for a while (a lease): on PostgreSQL the
candidates are locked ``FOR UPDATE SKIP LOCKED``, so workers share the rows instead of queueing
behind each other; SQLite has one writer at a time, so its single ``UPDATE`` is already a
compare-and-swap. A worker that dies holding a lease loses it when the lease runs out, and the
row is claimed again: work done under a lease must be safe to repeat, or be recorded as done
in the same transaction that ends the lease.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.backoff import pause_after

log = logging.getLogger(__name__)

# One cycle: how many things it did (logged when not zero), or None.
Cycle = Callable[[], Awaitable[int | None]]


class Loop:
    """Runs ``cycle`` every ``every`` seconds until stopped; ``every <= 0`` disables it."""

    def __init__(self, name: str, every: float, cycle: Cycle) -> None:
        self.name, self.every, self.cycle = name, every, cycle
        self.cycles = 0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                done = await self.cycle()
            except Exception:  # a database blip must not end the loop: log it, back off
                failures += 1
                log.exception(
                    "%s failed; retrying in %ss", self.name, pause_after(self.every, failures)
                )
            else:
                failures = 0
                if done:
                    log.info("%s: %d done", self.name, done)
            self.cycles += 1
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=pause_after(self.every, failures))

    def stop(self) -> None:
        self._stop.set()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        if self.every <= 0:
            yield
            return
        task = asyncio.create_task(self.run(), name=self.name)
        try:
            yield
        finally:
            self._stop.set()
            await task


async def claim(
    session: AsyncSession,
    table: type[Any],
    ready: ColumnElement[bool],
    *,
    owner: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    order_by: Any = None,
) -> list[int]:
    """Lease up to ``limit`` rows of ``table`` (a mapped class with an integer ``id`` and the
    columns ``lease_owner`` and ``lease_until``; mypy cannot check a mapped class against a
    protocol of columns) that are ``ready`` and not leased by anyone at
    ``now`` to ``owner`` until ``now + lease``; the ids claimed, in ``order_by`` order (id by
    default)."""
    unleased = or_(table.lease_until.is_(None), table.lease_until <= now)
    # Materialised, so PostgreSQL claims the rows once and then joins (see reservations.expiry).
    picked = (
        select(table.id)
        .where(ready, unleased)
        .order_by(order_by if order_by is not None else table.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("picked")
        .prefix_with("MATERIALIZED")
    )
    rows = await session.execute(
        update(table)
        .where(table.id.in_(select(picked.c.id)), unleased)
        .values(lease_owner=owner, lease_until=now + lease)
        .returning(table.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(rows.scalars())
