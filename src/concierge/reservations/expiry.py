"""Marking lapsed holds ``expired``: one set-based statement, and the loop that runs it.

Correctness never waits for this: a hold past its deadline is already free when anyone reads
or books (see ``service``). Sweeping only tidies the rows, so it can run every minute from any
number of processes: each lapsed hold is claimed by exactly one of them (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so sweepers share the work instead of queueing behind each other or
deadlocking with a booking that frees the same hold; SQLite has one writer at a time and ignores
the clause), and a later sweep matches nothing because the hold is no longer ``held``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.background import Loop
from concierge.clock import Clock
from concierge.db import Database
from concierge.models import Reservation, ReservationStatus
from concierge.reservations import transitions


async def expire_lapsed_holds(session: AsyncSession, now: datetime) -> list[int]:
    """Mark every hold whose deadline is ``now`` or earlier expired; the ids this call marked."""
    # Materialised, so PostgreSQL claims the rows once and then joins, instead of re-running
    # the locking scan for each row of a nested loop when its statistics are stale.
    lapsed = (
        select(Reservation.id)
        .where(
            Reservation.status == ReservationStatus.HELD,
            Reservation.hold_expires_at <= now,
        )
        .with_for_update(skip_locked=True)
        .cte("lapsed")
        .prefix_with("MATERIALIZED")
    )
    return await transitions.move(session, Reservation.id == lapsed.c.id, "expired", expired_at=now)


async def sweep_once(db: Database, clock: Clock) -> list[int]:
    """One unit of work: expire what has lapsed by the clock's now."""
    async with db.unit_of_work() as session:
        return await expire_lapsed_holds(session, clock.now())


def hold_sweeper(db: Database, clock: Clock, every: float) -> Loop:
    """The loop that runs ``sweep_once`` every ``every`` seconds (``<= 0``: never)."""

    async def cycle() -> int:
        return len(await sweep_once(db, clock))

    return Loop("hold-sweeper", every, cycle)
