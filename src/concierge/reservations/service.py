"""Reservations: hold, confirm, cancel, read and list, with never a double booking.

No person is ever in two meetings at once, in any role. The database is the last word on it
(participant rows guarded by an exclusion constraint on PostgreSQL, triggers on SQLite); the
checks here read the same taken time (``scheduling.taken``) inside the same write transaction, so
that a refusal comes with a message a person can act on. On SQLite a write unit already holds the
database's write lock (``BEGIN IMMEDIATE``) before its first read; on PostgreSQL ``reserve`` takes
a transaction-scoped advisory lock on every person it books, in id order, for its last check and
insert, so concurrent bookings of one person queue up instead of racing each other into the
constraint (where PostgreSQL may answer a tie with a deadlock error rather than a clean refusal).
Bookings of different people never wait for each other, and the locks are held only from the
final check to the commit.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.accounts import service as accounts
from concierge.config import Settings
from concierge.errors import (
    Forbidden,
    HoldExpired,
    Misaligned,
    NotCancellable,
    NotConfirmable,
    NotFound,
    OutsideAvailability,
    PickFreeTime,
    SelfBooking,
    SlotUnavailable,
    TooFar,
    TooSoon,
)
from concierge.models import Reservation, ReservationParticipant, ReservationStatus, User
from concierge.observability import metrics
from concierge.reservations import transitions
from concierge.scheduling import engine
from concierge.scheduling.engine import Interval, Schedule
from concierge.scheduling.service import busy_times, load_schedules
from concierge.scheduling.taken import takes_time
from concierge.timezones import render, zone
from concierge.validation import require_instant

NO_OVERLAP = "participants_no_overlap"

# First key of PostgreSQL's two-key advisory locks, so ours never collide with another feature's.
PERSON_LOCK = 0x5245_5356  # "RESV"

Status = ReservationStatus
Participant = ReservationParticipant


@dataclass(frozen=True, slots=True)
class Visitor:
    """A guest without an account (a public booking page): known by name and email only."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Offer:
    """What a host's meeting type brings to a booking: its own notice and horizon (in place of
    the host's), and the guest's answers to its questions, kept on the reservation."""

    meeting_type_id: int
    min_notice_minutes: int
    horizon_days: int
    answers: list[dict[str, str]]


# ------------------------------------------------------------------------------------ statuses


def effective_status(reservation: Reservation, now: datetime) -> str:
    """The status as people see it: a hold past its deadline is expired, swept or not."""
    if reservation.status == Status.HELD and _lapsed(reservation, now):
        return Status.EXPIRED
    return reservation.status


def _lapsed(reservation: Reservation, now: datetime) -> bool:
    return reservation.hold_expires_at is not None and reservation.hold_expires_at <= now


def _live_hold(now: datetime) -> ColumnElement[bool]:
    return and_(Reservation.status == Status.HELD, Reservation.hold_expires_at > now)


def _lapsed_hold(now: datetime) -> ColumnElement[bool]:
    return and_(Reservation.status == Status.HELD, Reservation.hold_expires_at <= now)


def status_filter(statuses: Collection[str], now: datetime) -> ColumnElement[bool]:
    """Rows whose *effective* status is one of ``statuses``."""
    clauses: list[ColumnElement[bool]] = []
    if Status.HELD in statuses:
        clauses.append(_live_hold(now))
    if Status.EXPIRED in statuses:
        clauses.append(or_(Reservation.status == Status.EXPIRED, _lapsed_hold(now)))
    plain = [s for s in (Status.CONFIRMED, Status.CANCELLED) if s in statuses]
    if plain:
        clauses.append(Reservation.status.in_(plain))
    return or_(*clauses) if clauses else false()


# ------------------------------------------------------------------------------------- locking


async def advisory_lock(session: AsyncSession, namespace: int, key: int | str) -> None:
    """Hold a PostgreSQL advisory lock until this transaction ends (a no-op on SQLite, whose
    write transaction already excludes every other writer)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if isinstance(key, int):
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": namespace, "key": key}
        )
    else:
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:ns, hashtext(:key))"),
            {"ns": namespace, "key": key},
        )


# --------------------------------------------------------------------------------- the rules


def check_time(
    host: User,
    start: datetime,
    duration_minutes: int,
    now: datetime,
    settings: Settings,
    offer: Offer | None = None,
) -> Interval:
    """The span ``[start, start + duration)`` if it keeps the grid, notice and horizon rules
    (the meeting type's notice and horizon when booked through one, else the host's)."""
    notice = host.min_notice_minutes if offer is None else offer.min_notice_minutes
    horizon_days = host.horizon_days if offer is None else offer.horizon_days
    require_instant(start, "start")
    step = settings.slot_minutes
    if duration_minutes <= 0 or duration_minutes % step:
        raise Misaligned(
            f"A duration of {duration_minutes} minutes is not a multiple of {step}; "
            f"book {step}, {2 * step}, {3 * step}... minutes.",
            field="duration",
        )
    host_zone = zone(host.timezone)
    if not engine.on_grid(start, host_zone, timedelta(minutes=step)):
        local = start.astimezone(host_zone)
        raise Misaligned(
            f"{local:%H:%M:%S} ({host_zone.key}) is not on the host's {step}-minute grid.",
            next_step=PickFreeTime(host.id, host.name),
            field="start",
        )
    earliest = now + timedelta(minutes=notice)
    if start < earliest:
        raise TooSoon(
            f"{host.name} needs {notice} minutes' notice: start at {render(earliest)} or later.",
            field="start",
        )
    horizon = now + timedelta(days=horizon_days)
    if start >= horizon:
        raise TooFar(
            f"{host.name} takes bookings up to {horizon_days} days ahead: start before "
            f"{render(horizon)}.",
            field="start",
        )
    return Interval(start, start + timedelta(minutes=duration_minutes))


def fits(schedule: Schedule, span: Interval) -> bool:
    """Whether ``span`` lies whole inside one of the schedule's windows."""
    return engine.covers(engine.availability_between(schedule, span), span)


async def _require_available(session: AsyncSession, host: User, span: Interval) -> None:
    schedule = (await load_schedules(session, [host], span))[host.id]
    if not fits(schedule, span):
        raise OutsideAvailability(
            f"{render(span.start)} to {render(span.end)} is outside {host.name}'s availability.",
            next_step=PickFreeTime(host.id, host.name),
            field="start",
        )


async def _release_lapsed_holds(
    session: AsyncSession, people: Sequence[int], span: Interval, now: datetime
) -> None:
    """Mark lapsed holds over ``span`` that any of ``people`` take part in expired, so the
    database's no-overlap rule, which cannot read the clock, lets the new row in."""
    theirs = select(Participant.reservation_id).where(
        Participant.user_id.in_(people),
        Participant.active,
        Participant.start_at < span.end,
        Participant.end_at > span.start,
    )
    await transitions.move(
        session, and_(Reservation.id.in_(theirs), _lapsed_hold(now)), "expired", expired_at=now
    )


async def _require_free(
    session: AsyncSession, host: User, guest: User | Visitor, span: Interval, now: datetime
) -> None:
    """Refuse ``span`` if it is taken time of the host or of a guest with an account."""
    people = [host, guest] if isinstance(guest, User) else [host]
    busy = await busy_times(session, [p.id for p in people], span, now)
    for person in people:
        if engine.is_free(span, busy[person.id].intervals):
            continue
        metrics.double_booking_refused("check")
        when = f"between {render(span.start)} and {render(span.end)}"
        if person is host:
            raise SlotUnavailable(
                f"{host.name} is already booked {when}.",
                next_step=PickFreeTime(host.id, host.name),
            )
        raise SlotUnavailable(
            f"You already take part in another meeting {when}; cancel it or pick another time."
        )


# ---------------------------------------------------------------------------------- commands


async def reserve(
    session: AsyncSession,
    *,
    guest: User | Visitor,
    host_id: int,
    start: datetime,
    duration_minutes: int,
    now: datetime,
    settings: Settings,
    note: str | None = None,
    confirm: bool = False,
    offer: Offer | None = None,
) -> Reservation:
    """Hold ``[start, start + duration)`` of the host's time for ``settings.hold_minutes``, or
    book it at once with ``confirm``; through a meeting type with its ``offer``. Raises the
    domain error of the first rule it breaks."""
    host = await accounts.get_user(session, host_id)
    if isinstance(guest, User) and guest.id == host.id:
        raise SelfBooking(
            "You cannot reserve your own time; to keep it free, remove it from your "
            "availability with a date override instead."
        )
    span = check_time(host, start, duration_minutes, now, settings, offer)
    await _require_available(session, host, span)
    # Most losers of a race stop here, without queueing for the lock; the winner checks again.
    await _require_free(session, host, guest, span, now)
    people = sorted({host.id} | ({guest.id} if isinstance(guest, User) else set()))
    # In id order, so two bookings of the same people never wait for each other in a circle.
    for person in people:
        await advisory_lock(session, PERSON_LOCK, person)
    await _release_lapsed_holds(session, people, span, now)
    await _require_free(session, host, guest, span, now)
    reservation = Reservation(
        host_id=host.id,
        start_at=span.start,
        end_at=span.end,
        status=Status.CONFIRMED if confirm else Status.HELD,
        note=note or None,
        hold_expires_at=None if confirm else now + timedelta(minutes=settings.hold_minutes),
        confirmed_at=now if confirm else None,
        created_at=now,
    )
    if offer is not None:
        reservation.meeting_type_id, reservation.answers = offer.meeting_type_id, offer.answers
    if isinstance(guest, User):
        reservation.guest_id = guest.id
    else:
        reservation.guest_name, reservation.guest_email = guest.name, guest.email
    session.add(reservation)
    # Worded before the flush: a failed flush rolls back and expires every loaded object.
    taken = f"{host.name} was booked for that time a moment ago."
    next_step = PickFreeTime(host.id, host.name)
    try:
        await session.flush()
    except IntegrityError as exc:
        # Reached only past the checks above (a writer without the host lock): the database
        # itself still refuses the overlap.
        if NO_OVERLAP in str(exc.orig):
            metrics.double_booking_refused("constraint")
            raise SlotUnavailable(taken, next_step=next_step) from exc
        raise
    transitions.created(session, reservation)
    return reservation


async def get_visible(session: AsyncSession, actor: User, reservation_id: int) -> Reservation:
    """A reservation its guest, its host or an admin asks for; anyone else learns nothing."""
    reservation = await session.get(Reservation, reservation_id)
    if reservation is None or not (
        actor.is_admin or actor.id in (reservation.guest_id, reservation.host_id)
    ):
        raise NotFound(f"No booking numbered {reservation_id} among yours.")
    return reservation


async def confirm(
    session: AsyncSession, actor: User, reservation_id: int, now: datetime
) -> Reservation:
    """``held`` -> ``confirmed`` while the hold lasts: a compare-and-swap on the row, so a
    sweeper or a competing request in another process cannot slip in between."""
    reservation = await get_visible(session, actor, reservation_id)
    if not (actor.is_admin or reservation.guest_id == actor.id):
        raise Forbidden("Only the guest who made the hold (or an admin) may confirm it.")
    return await confirm_reservation(session, reservation, now)


async def confirm_reservation(
    session: AsyncSession, reservation: Reservation, now: datetime
) -> Reservation:
    """The confirmation itself, for a caller that has already settled who may make it (``confirm``
    for users; a booking page for the visitor holding the booking's manage link)."""
    if await _swap(session, reservation, _live_hold(now), "confirmed", confirmed_at=now):
        return reservation
    status = effective_status(reservation, now)
    if status == Status.CONFIRMED:
        return reservation
    if status == Status.EXPIRED:
        raise HoldExpired(
            f"The hold lapsed at {render(reservation.hold_expires_at or now)}; book the time "
            "again if it is still free."
        )
    raise NotConfirmable(f"Booking {reservation.id} was cancelled; book a new time instead.")


async def cancel(
    session: AsyncSession, actor: User, reservation_id: int, now: datetime
) -> Reservation:
    """-> ``cancelled`` (guest, host or admin); the time is free again at once."""
    reservation = await get_visible(session, actor, reservation_id)
    return await cancel_reservation(session, reservation, now)


async def cancel_reservation(
    session: AsyncSession, reservation: Reservation, now: datetime
) -> Reservation:
    """The cancellation itself, for a caller that has already settled who may make it (``cancel``
    for users; a booking page for the visitor holding the booking's manage link)."""
    if await _swap(session, reservation, takes_time(now), "cancelled", cancelled_at=now):
        return reservation
    status = effective_status(reservation, now)
    raise NotCancellable(
        f"Booking {reservation.id} is already {status}: there is nothing to cancel."
    )


# ----------------------------------------------------------------------------------- listing


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What ``GET /v1/reservations`` narrows by; None means "any"."""

    role: str | None = None
    statuses: frozenset[str] | None = None
    start_from: datetime | None = None
    to: datetime | None = None
    outside_availability: bool = False


_SCAN_BATCH = 200


async def list_for(
    session: AsyncSession,
    actor: User,
    query: ListQuery,
    now: datetime,
    limit: int,
    after: tuple[datetime, int] | None = None,
) -> list[Reservation]:
    """The actor's reservations by start ascending, after the keyset ``(start, id)``; up to
    ``limit + 1`` rows, so the caller can tell whether another page follows."""
    statement = select(Reservation).order_by(Reservation.start_at, Reservation.id)
    if query.role == "guest":
        statement = statement.where(Reservation.guest_id == actor.id)
    elif query.role == "host":
        statement = statement.where(Reservation.host_id == actor.id)
    else:
        statement = statement.where(
            or_(Reservation.guest_id == actor.id, Reservation.host_id == actor.id)
        )
    statuses = query.statuses
    if statuses is None and query.outside_availability:
        statuses = frozenset({Status.HELD, Status.CONFIRMED})
    if statuses is not None:
        statement = statement.where(status_filter(statuses, now))
    if query.start_from is not None:
        statement = statement.where(Reservation.end_at > query.start_from)
    if query.to is not None:
        statement = statement.where(Reservation.start_at < query.to)
    if not query.outside_availability:
        page = statement if after is None else statement.where(_after(after))
        return list(await session.scalars(page.limit(limit + 1)))
    # Whether a booking still fits is computed from the rules, not stored: scan in batches.
    found: list[Reservation] = []
    while len(found) <= limit:
        page = statement if after is None else statement.where(_after(after))
        batch = list(await session.scalars(page.limit(_SCAN_BATCH)))
        found.extend(await _outside_availability(session, batch))
        if len(batch) < _SCAN_BATCH:
            break
        after = (batch[-1].start_at, batch[-1].id)
    return found[: limit + 1]


def _after(position: tuple[datetime, int]) -> ColumnElement[bool]:
    start, reservation_id = position
    return or_(
        Reservation.start_at > start,
        and_(Reservation.start_at == start, Reservation.id > reservation_id),
    )


async def _outside_availability(
    session: AsyncSession, reservations: Sequence[Reservation]
) -> list[Reservation]:
    if not reservations:
        return []
    host_ids = {r.host_id for r in reservations}
    hosts = list(await session.scalars(select(User).where(User.id.in_(host_ids))))
    span = Interval(min(r.start_at for r in reservations), max(r.end_at for r in reservations))
    schedules = await load_schedules(session, hosts, span)
    return [
        r for r in reservations if not fits(schedules[r.host_id], Interval(r.start_at, r.end_at))
    ]


async def _swap(
    session: AsyncSession,
    reservation: Reservation,
    condition: ColumnElement[bool],
    event: metrics.ReservationEvent,
    **stamps: datetime,
) -> bool:
    """Compare-and-swap: move the row to the ``event``'s status only while ``condition`` still
    holds, so a sweeper or a competing request in another process cannot slip in between.
    Told to subscribers (metrics, caches) when the transaction commits."""
    swapped = await transitions.move(
        session, and_(Reservation.id == reservation.id, condition), event, **stamps
    )
    await session.refresh(reservation)
    return bool(swapped)
