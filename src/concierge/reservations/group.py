"""Meetings with several hosts: booked all or nothing, left one host at a time.

A meeting's reservation row names its first host (``host_id``) and its guest, the person who
booked it; the database's triggers write their participant rows. Every other host gets a
participant row written here, in the same transaction, before the commit; the triggers keep every
participant row's span and status in step with the reservation afterwards, and the same guard
(exclusion constraint on PostgreSQL, triggers on SQLite) refuses an overlap for any of them. The
rules are those of a single booking (``service``), checked for every host: grid, notice and
horizon, availability, and free time; the first broken rule refuses the whole meeting and
nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.accounts import service as accounts
from concierge.config import Settings
from concierge.errors import Forbidden, InvalidRequest, NotLeavable, SelfBooking, SlotUnavailable
from concierge.models import ParticipantRole, Reservation, ReservationParticipant, User
from concierge.observability import metrics
from concierge.reservations import service, transitions
from concierge.reservations.hosts import hosts_of
from concierge.reservations.service import Status

MAX_HOSTS = 20
Participant = ReservationParticipant


async def reserve_meeting(
    session: AsyncSession,
    *,
    guest: User,
    host_ids: Sequence[int],
    start: datetime,
    duration_minutes: int,
    now: datetime,
    settings: Settings,
    note: str | None = None,
    confirm: bool = False,
) -> Reservation:
    """Hold (or, with ``confirm``, book) ``[start, start + duration)`` of every host's time at
    once, the ``guest`` booking; accepted only if every rule of every host holds."""
    if len(set(host_ids)) != len(host_ids):
        raise InvalidRequest("List each host once.", field="hosts")
    if not 1 <= len(host_ids) <= MAX_HOSTS:
        raise InvalidRequest(f"A meeting has 1 to {MAX_HOSTS} hosts.", field="hosts")
    if guest.id in host_ids:
        raise SelfBooking(
            "You book this meeting, so you take part in it already: list only the others as hosts."
        )
    hosts = await accounts.get_users(session, list(host_ids))
    # The same span for each, checked against each host's own rules.
    span = await service.clear_time(session, hosts, guest, start, duration_minutes, now, settings)
    active = Status.CONFIRMED if confirm else Status.HELD
    reservation = Reservation(
        host_id=hosts[0].id,
        guest_id=guest.id,
        start_at=span.start,
        end_at=span.end,
        status=active,
        note=note or None,
        hold_expires_at=None if confirm else now + timedelta(minutes=settings.hold_minutes),
        confirmed_at=now if confirm else None,
        created_at=now,
    )
    session.add(reservation)
    co_hosts = [h.id for h in hosts[1:]]
    # Worded before the flush: a failed flush rolls back and expires every loaded object.
    taken = "One of the hosts was booked for that time a moment ago; find a common time again."
    try:
        await session.flush()
        session.add_all(
            Participant(
                reservation_id=reservation.id,
                user_id=uid,
                role=ParticipantRole.HOST,
                start_at=span.start,
                end_at=span.end,
                active=True,
            )
            for uid in co_hosts
        )
        await session.flush()
    except IntegrityError as exc:
        # Reached only past the checks above (a writer without the person locks): the
        # database itself still refuses the overlap.
        if service.NO_OVERLAP in str(exc.orig):
            metrics.double_booking_refused("constraint")
            raise SlotUnavailable(taken) from exc
        raise
    transitions.created(session, reservation, co_hosts)
    return reservation


async def leave(
    session: AsyncSession, actor: User, reservation_id: int, now: datetime
) -> Reservation:
    """The calling host leaves the meeting; the last host leaving cancels it."""
    reservation = await service.get_visible(session, actor, reservation_id)
    hosts = (await hosts_of(session, [reservation]))[reservation.id]
    if actor.id not in hosts:
        raise Forbidden(
            "Only a host leaves a meeting; whoever booked it cancels it instead, which calls "
            "it off for everyone."
        )
    left = await transitions.leave(session, reservation.id, actor.id, now)
    await session.refresh(reservation)
    if left is None:
        status = service.effective_status(reservation, now)
        raise NotLeavable(
            f"Booking {reservation.id} is already {status}: there is nothing to leave."
        )
    return reservation
