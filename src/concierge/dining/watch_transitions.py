"""The one place where a watch's state changes, each change written to its log.

Every move out of ``watching`` is a compare-and-swap on the status (and, for the worker, on
the lease it holds): of two processes that both believe they may finish a watch, one moves it
and the other learns it did not (``False``), so a watch is booked once, and a watch the person
cancelled stays cancelled.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.models import DiningWatch, DiningWatchEntry, WatchStatus

FINISHED = (WatchStatus.BOOKED, WatchStatus.CANCELLED, WatchStatus.ENDED, WatchStatus.FAILED)


def note(session: AsyncSession, watch_id: int, at: datetime, kind: str, message: str) -> None:
    session.add(DiningWatchEntry(watch_id=watch_id, at=at, kind=kind, message=message))


async def _finish(
    session: AsyncSession,
    watch_id: int,
    status: WatchStatus,
    now: datetime,
    *,
    owner: str | None,
    **values: object,
) -> bool:
    which = [DiningWatch.id == watch_id, DiningWatch.status == WatchStatus.WATCHING]
    if owner is not None:
        which.append(DiningWatch.lease_owner == owner)
    rows = await session.execute(
        update(DiningWatch)
        .where(*which)
        .values(status=status, finished_at=now, lease_owner=None, lease_until=None, **values)
        .returning(DiningWatch.id)
        .execution_options(synchronize_session=False)
    )
    return rows.scalar_one_or_none() is not None


async def booked(
    session: AsyncSession,
    watch_id: int,
    now: datetime,
    *,
    owner: str | None,
    booking_id: int | None,
    confirmation: str | None,
    at: time,
    seating: str | None,
    message: str,
) -> bool:
    moved = await _finish(
        session,
        watch_id,
        WatchStatus.BOOKED,
        now,
        owner=owner,
        booking_id=booking_id,
        confirmation=confirmation,
        booked_time=at,
        booked_seating=seating,
    )
    note(session, watch_id, now, "booked" if moved else "booked-late", message)
    return moved


async def ended(
    session: AsyncSession,
    watch_id: int,
    now: datetime,
    *,
    owner: str | None,
    message: str,
    failed: bool = False,
) -> bool:
    status = WatchStatus.FAILED if failed else WatchStatus.ENDED
    moved = await _finish(session, watch_id, status, now, owner=owner)
    if moved:
        note(session, watch_id, now, str(status), message)
    return moved


async def cancelled(session: AsyncSession, watch_id: int, now: datetime) -> bool:
    moved = await _finish(session, watch_id, WatchStatus.CANCELLED, now, owner=None)
    if moved:
        note(session, watch_id, now, "cancelled", "Cancelled by you; nothing was booked.")
    return moved


async def looked(
    session: AsyncSession,
    watch_id: int,
    *,
    owner: str,
    next_check_at: datetime,
) -> bool:
    """A look that booked nothing: count it, say when to look again, give the lease back."""
    rows = await session.execute(
        update(DiningWatch)
        .where(
            DiningWatch.id == watch_id,
            DiningWatch.status == WatchStatus.WATCHING,
            DiningWatch.lease_owner == owner,
        )
        .values(
            checks=DiningWatch.checks + 1,
            next_check_at=next_check_at,
            lease_owner=None,
            lease_until=None,
        )
        .returning(DiningWatch.id)
        .execution_options(synchronize_session=False)
    )
    return rows.scalar_one_or_none() is not None
