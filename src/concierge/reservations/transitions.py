"""The one place where a reservation's state changes.

Creating a reservation (``created``) and moving reservations from one status to another
(``move``) are the only writes of a reservation's status; each records one domain event per
reservation on the unit of work (see ``concierge.events``), naming the people whose taken time
it was. The database keeps the participant rows in step (migration 0500). Reserve, confirm,
cancel, expire (on booking and by the sweeper), a host leaving a meeting (``leave``) and
cancelling for a deleted user all come here, and so does moving a reservation to another time
(``reschedule``).

Every change adds one to the row's ``sequence``, the SEQUENCE its calendar event carries, so a
calendar app that has an older copy of the event takes the new one in its place.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from concierge import events
from concierge.models import (
    ParticipantRole,
    Reservation,
    ReservationParticipant,
    ReservationStatus,
)
from concierge.outside import writeback  # noqa: F401  (its hook queues calendar write-backs)
from concierge.scheduling.taken import takes_time

Participant = ReservationParticipant

Kind = events.ReservationKind
_STATUS: dict[Kind, ReservationStatus] = {
    "held": ReservationStatus.HELD,
    "confirmed": ReservationStatus.CONFIRMED,
    "cancelled": ReservationStatus.CANCELLED,
    "expired": ReservationStatus.EXPIRED,
}


def _people(*user_ids: int | None) -> frozenset[int]:
    return frozenset(uid for uid in user_ids if uid is not None)


def created(
    session: AsyncSession, reservation: Reservation, co_hosts: Collection[int] = ()
) -> None:
    """Record the birth of a flushed ``reservation`` (held, or confirmed at once), with the
    ``co_hosts`` of a meeting with several hosts (their participant rows already flushed)."""
    kind: Kind = "confirmed" if reservation.status == ReservationStatus.CONFIRMED else "held"
    people = _people(reservation.host_id, reservation.guest_id, *co_hosts)
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
    co_hosts = await _co_hosts(session, [reservation_id for reservation_id, _, _ in moved])
    for reservation_id, host_id, guest_id in moved:
        people = _people(host_id, guest_id, *co_hosts.get(reservation_id, ()))
        events.record(session, events.ReservationChanged(kind, reservation_id, people))
    return [reservation_id for reservation_id, _, _ in moved]


async def _co_hosts(session: AsyncSession, reservation_ids: list[int]) -> dict[int, list[int]]:
    """The participants of each reservation beyond its own host and guest columns."""
    if not reservation_ids:
        return {}
    rows = await session.execute(
        select(Participant.reservation_id, Participant.user_id)
        .join(Reservation, Reservation.id == Participant.reservation_id)
        .where(
            Participant.reservation_id.in_(reservation_ids),
            Participant.user_id != Reservation.host_id,
            Participant.role == ParticipantRole.HOST,
        )
    )
    found: dict[int, list[int]] = {}
    for reservation_id, user_id in rows:
        found.setdefault(reservation_id, []).append(user_id)
    return found


async def leave(
    session: AsyncSession, reservation_id: int, host_id: int, now: datetime
) -> Kind | None:
    """``host_id`` leaves the meeting: their participant row goes, so their time is free again
    and the meeting goes on for the others (recorded as one ``left`` event naming them). The
    last host leaving cancels it for everyone (one ``cancelled`` event). None when the meeting
    no longer takes time or ``host_id`` is not one of its hosts: nothing changes."""
    # Row lock: two last hosts leaving at once must not both see the other still there.
    locked = await session.execute(
        select(Reservation.host_id)
        .where(Reservation.id == reservation_id, takes_time(now))
        .with_for_update()
    )
    lead = locked.scalar_one_or_none()
    hosts = list(
        await session.scalars(
            select(Participant.user_id)
            .where(
                Participant.reservation_id == reservation_id,
                Participant.role == ParticipantRole.HOST,
            )
            .order_by(Participant.user_id)
        )
    )
    if lead is None or host_id not in hosts:
        return None
    staying = [uid for uid in hosts if uid != host_id]
    if not staying:
        moved = await move(
            session,
            and_(Reservation.id == reservation_id, takes_time(now)),
            "cancelled",
            cancelled_at=now,
        )
        return "cancelled" if moved else None
    await session.execute(
        delete(Participant).where(
            Participant.reservation_id == reservation_id, Participant.user_id == host_id
        )
    )
    if lead == host_id:
        # The reservation's own host column always names a host still in the meeting.
        await session.execute(
            update(Reservation)
            .where(Reservation.id == reservation_id)
            .values(host_id=staying[0])
            .execution_options(synchronize_session=False)
        )
    events.record(session, events.ReservationChanged("left", reservation_id, _people(host_id)))
    return "left"


async def leave_meetings(session: AsyncSession, user_id: int, now: datetime) -> list[int]:
    """``user_id`` leaves every meeting still ahead that they host with others (a deleted
    user's, say), one ``left`` event each; the ids left. Meetings they host alone or booked
    are theirs to cancel."""
    other = aliased(Participant)
    others = select(other.reservation_id).where(
        other.role == ParticipantRole.HOST, other.user_id != user_id
    )
    meetings = list(
        await session.scalars(
            select(Participant.reservation_id)
            .join(Reservation, Reservation.id == Participant.reservation_id)
            .where(
                Participant.user_id == user_id,
                Participant.role == ParticipantRole.HOST,
                Participant.reservation_id.in_(others),
                Reservation.end_at > now,
                takes_time(now),
            )
            .order_by(Participant.reservation_id)
        )
    )
    return [rid for rid in meetings if await leave(session, rid, user_id, now) == "left"]


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
    co_hosts = await _co_hosts(session, [moved.id])
    people = _people(moved.host_id, moved.guest_id, *co_hosts.get(moved.id, ()))
    events.record(
        session, events.ReservationChanged("rescheduled", moved.id, people, moved_from=old)
    )
    return True
