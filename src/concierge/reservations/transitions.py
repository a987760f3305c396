"""The one place where a reservation's state changes.

Creating a reservation (``created``) and moving reservations from one status to another
(``move``) are the only writes of a reservation's status; each records one domain event per
reservation on the unit of work (see ``concierge.events``), naming the people whose taken time
it was. The database keeps the participant rows in step (migration 0500). Reserve, confirm,
cancel, expire (on booking and by the sweeper) and cancelling for a deleted user all come here,
and so does moving a reservation to another time (``reschedule``).

Every change adds one to the row's ``sequence``, the SEQUENCE its calendar event carries, so a
calendar app that has an older copy of the event takes the new one in its place.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, update
from sqlalchemy.ext.asyncio import AsyncSession

from concierge import events
from concierge.models import Reservation, ReservationStatus
from concierge.scheduling.taken import takes_time

Kind = events.ReservationKind
_STATUS: dict[Kind, ReservationStatus] = {
    "held": ReservationStatus.HELD,
    "confirmed": ReservationStatus.CONFIRMED,
    "cancelled": ReservationStatus.CANCELLED,
    "expired": ReservationStatus.EXPIRED,
}


def _people(*user_ids: int | None) -> frozenset[int]:
    return frozenset(uid for uid in user_ids if uid is not None)


def created(session: AsyncSession, reservation: Reservation) -> None:
    """Record the birth of a flushed ``reservation`` (held, or confirmed at once)."""
    kind: Kind = "confirmed" if reservation.status == ReservationStatus.CONFIRMED else "held"
    people = _people(reservation.host_id, reservation.guest_id)
    events.record(session, events.ReservationChanged(kind, reservation.id, people))


async def move(
    session: AsyncSession,
    which: ColumnElement[bool],
    kind: Kind,
    *,
    reason: str | None = None,
    **stamps: datetime,
) -> list[int]:
    """Move every reservation matching ``which`` into ``kind`` in one statement (a
    compare-and-swap when ``which`` names the status it expects), and record one event each;
    the ids moved, in order. A cancellation keeps its ``reason``, for the people told of it."""
    extra = {"cancel_reason": reason} if kind == "cancelled" else {}
    rows = await session.execute(
        update(Reservation)
        .where(which)
        .values(status=_STATUS[kind], sequence=Reservation.sequence + 1, **extra, **stamps)
        .returning(Reservation.id, Reservation.host_id, Reservation.guest_id)
        .execution_options(synchronize_session=False)
    )
    moved = sorted((r.id, r.host_id, r.guest_id) for r in rows)
    for reservation_id, host_id, guest_id in moved:
        events.record(
            session, events.ReservationChanged(kind, reservation_id, _people(host_id, guest_id))
        )
    return [reservation_id for reservation_id, _, _ in moved]


async def reschedule(
    session: AsyncSession, reservation: Reservation, start: datetime, end: datetime, now: datetime
) -> bool:
    """Move ``reservation`` to ``[start, end)`` in one statement, while it still takes time (a
    compare-and-swap: a cancellation or a lapse in between wins), and record ``rescheduled``.
    The database moves its participant rows with it, and refuses an overlap (migration 0500).
    The old span is given up and the new one taken in the same statement."""
    old = (reservation.start_at, reservation.end_at)
    rows = await session.execute(
        update(Reservation)
        .where(and_(Reservation.id == reservation.id, takes_time(now)))
        .values(start_at=start, end_at=end, sequence=Reservation.sequence + 1, rescheduled_at=now)
        .returning(Reservation.id, Reservation.host_id, Reservation.guest_id)
        .execution_options(synchronize_session=False)
    )
    moved = rows.first()
    if moved is None:
        return False
    people = _people(moved.host_id, moved.guest_id)
    events.record(
        session, events.ReservationChanged("rescheduled", moved.id, people, moved_from=old)
    )
    return True
