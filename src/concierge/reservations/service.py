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
    LimitReached,
    Misaligned,
    NotCancellable,
    NotConfirmable,
    NotFound,
    NotReschedulable,
    OutsideAvailability,
    PickFreeTime,
    SelfBooking,
    SlotUnavailable,
    TooFar,
    TooSoon,
)
from concierge.models import (
    ParticipantRole,
    Reservation,
    ReservationParticipant,
    ReservationStatus,
    User,
)
from concierge.observability import metrics
from concierge.outside import service as outside
from concierge.reservations import transitions
from concierge.reservations.hosts import hosts_of
from concierge.scheduling import engine
from concierge.scheduling.engine import Interval, Schedule
from concierge.scheduling.service import busy_times, load_schedules, rules_of
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


async def require_free(
    session: AsyncSession,
    hosts: Sequence[User],
    guest: User | Visitor,
    span: Interval,
    now: datetime,
    moving: Reservation | None = None,
) -> None:
    """Refuse ``span`` unless it is free for every host and for a guest with an account, each
    under their own buffers and limits (``engine.refusal``, as the slots list decides it); the
    time of ``moving`` (the reservation being rescheduled) is theirs to reuse."""
    people = [*hosts, guest] if isinstance(guest, User) else [*hosts]
    rules = {p.id: rules_of(p) for p in people}
    reaches = [engine.rules_reach(span, r) for r in rules.values()]
    reach = Interval(min(r.start for r in reaches), max(r.end for r in reaches))
    busy = await busy_times(session, [p.id for p in people], reach, now)
    own = None if moving is None else Interval(moving.start_at, moving.end_at)
    for person in people:
        taken = list(busy[person.id].intervals)
        if own in taken:
            # The database keeps a person's active reservations apart, so this span is the
            # moving reservation itself.
            taken.remove(own)
        why = engine.refusal(span, taken, rules[person.id])
        if why is None:
            continue
        if why == "taken":
            metrics.double_booking_refused("check")
        raise refused(why, person, hosts, span, rules[person.id])


_MINUTE = timedelta(minutes=1)


def _meetings(count: int | None) -> str:
    return "1 meeting" if count == 1 else f"{count} meetings"


def refused(
    why: engine.Refusal,
    person: User,
    hosts: Sequence[User],
    span: Interval,
    rules: engine.Rules,
) -> SlotUnavailable | LimitReached:
    """The error for a time ``engine.refusal`` keeps from ``person`` (a host or the guest)."""
    is_host = any(h.id == person.id for h in hosts)
    # One host: their free slots are the way on; several: a time all of them share.
    alone = len(hosts) == 1
    next_step = PickFreeTime(person.id, person.name) if is_host and alone else None
    who, has = (person.name, "has") if is_host else ("You", "have")
    when = f"between {render(span.start)} and {render(span.end)}"
    if why == "taken":
        if is_host:
            also = "." if alone else "; find a time when all of the hosts are free."
            return SlotUnavailable(
                f"{person.name} is already booked {when}{also}", next_step=next_step
            )
        return SlotUnavailable(
            f"You already take part in another meeting {when}; cancel it or pick another time."
        )
    if why == "buffer":
        return SlotUnavailable(
            f"{who} keep{'s' if is_host else ''} {rules.before // _MINUTE} minutes "
            f"free before and {rules.after // _MINUTE} after each meeting, and another "
            f"meeting lies too close to {when}.",
            next_step=next_step,
        )
    day = span.start.astimezone(rules.zone).date()
    if why == "day":
        return LimitReached(
            f"{who} already {has} {_meetings(rules.per_day)} on {day} ({rules.zone.key}), "
            "the most in a day; pick another day.",
            next_step=next_step,
        )
    return LimitReached(
        f"{who} already {has} {_meetings(rules.per_week)} in the week (Monday to Sunday, "
        f"{rules.zone.key}) of {day}, the most in a week; pick another week.",
        next_step=next_step,
    )


# ---------------------------------------------------------------------------------- commands


async def clear_time(
    session: AsyncSession,
    hosts: Sequence[User],
    guest: User | Visitor,
    start: datetime,
    duration_minutes: int,
    now: datetime,
    settings: Settings,
    moving: Reservation | None = None,
    offer: Offer | None = None,
) -> Interval:
    """Every rule a booking of ``[start, start + duration)`` must keep, for every host (grid,
    notice, horizon, availability, outside calendars, taken time, buffers, limits) and the
    guest, checked, and its people locked (PostgreSQL) until the transaction ends: the span,
    free to write. The same checks for a new booking (through a meeting type's ``offer``, its
    own notice and horizon), a meeting of several hosts, and moving one (``moving``) to a new
    time."""
    spans = [check_time(host, start, duration_minutes, now, settings, offer) for host in hosts]
    span = spans[0]
    for host in hosts:
        await _require_available(session, host, span)
    accounted = [guest] if isinstance(guest, User) else []
    await outside.recheck(session, [*hosts, *accounted], now, settings)
    # Most losers of a race stop here, without queueing for the locks; the winner checks again.
    await require_free(session, hosts, guest, span, now, moving)
    people = sorted({h.id for h in hosts} | {g.id for g in accounted})
    # In id order, so two bookings of the same people never wait for each other in a circle.
    for person in people:
        await advisory_lock(session, PERSON_LOCK, person)
    await _release_lapsed_holds(session, people, span, now)
    if moving is not None:
        # Another process may have moved or cancelled it while this one waited for the lock.
        await session.refresh(moving)
    await require_free(session, hosts, guest, span, now, moving)
    return span


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
    span = await clear_time(
        session, [host], guest, start, duration_minutes, now, settings, offer=offer
    )
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
    """A reservation its guest, one of its hosts or an admin asks for; anyone else learns
    nothing."""
    reservation = await session.get(Reservation, reservation_id)
    if reservation is None or not (
        actor.is_admin
        or actor.id in (reservation.guest_id, reservation.host_id)
        or await _takes_part(session, actor, reservation_id)
    ):
        raise NotFound(f"No booking numbered {reservation_id} among yours.")
    return reservation


async def _takes_part(session: AsyncSession, actor: User, reservation_id: int) -> bool:
    found = await session.scalar(
        select(Participant.user_id).where(
            Participant.reservation_id == reservation_id, Participant.user_id == actor.id
        )
    )
    return found is not None


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
    session: AsyncSession,
    actor: User,
    reservation_id: int,
    now: datetime,
    reason: str | None = None,
) -> Reservation:
    """-> ``cancelled`` (guest, host or admin); the time is free again at once."""
    reservation = await get_visible(session, actor, reservation_id)
    return await cancel_reservation(session, reservation, now, reason)


async def cancel_reservation(
    session: AsyncSession, reservation: Reservation, now: datetime, reason: str | None = None
) -> Reservation:
    """The cancellation itself, for a caller that has already settled who may make it (``cancel``
    for users; a booking page for the visitor holding the booking's manage link). The ``reason``
    is kept on the row for the people told of the cancellation."""
    if await _swap(
        session, reservation, takes_time(now), "cancelled", reason=reason or None, cancelled_at=now
    ):
        return reservation
    status = effective_status(reservation, now)
    raise NotCancellable(
        f"Booking {reservation.id} is already {status}: there is nothing to cancel."
    )


async def reschedule(
    session: AsyncSession,
    actor: User,
    reservation_id: int,
    start: datetime,
    now: datetime,
    settings: Settings,
    duration_minutes: int | None = None,
) -> Reservation:
    """Move a reservation to another free time (its guest, its host or an admin)."""
    reservation = await get_visible(session, actor, reservation_id)
    return await reschedule_reservation(
        session, reservation, start, now, settings, duration_minutes
    )


async def reschedule_reservation(
    session: AsyncSession,
    reservation: Reservation,
    start: datetime,
    now: datetime,
    settings: Settings,
    duration_minutes: int | None = None,
) -> Reservation:
    """The move itself, for a caller that has already settled who may make it (``reschedule``
    for users; a booking page for the visitor holding the manage link): the same reservation,
    held or confirmed, at ``[start, start + duration)`` (its own length by default), every rule
    of a new booking checked. The new time is taken and the old one given up in one statement;
    a refusal leaves the reservation where it was."""
    _require_movable(reservation, now)
    duration = duration_minutes or reservation.duration_minutes
    if (start, duration) == (reservation.start_at, reservation.duration_minutes):
        return reservation  # already there: nothing changes, nothing is told
    # Every host of a meeting, in the order it names them: its own host column first.
    hosts = await accounts.get_users(
        session, (await hosts_of(session, [reservation]))[reservation.id]
    )
    host = hosts[0]
    guest: User | Visitor = Visitor(reservation.guest_name or "", reservation.guest_email or "")
    if reservation.guest_id is not None:
        guest = await accounts.get_user(session, reservation.guest_id)
    span = await clear_time(
        session,
        hosts,
        guest,
        start,
        duration,
        now,
        settings,
        moving=reservation,
        offer=await _offer_of(session, reservation, host, duration),
    )
    _require_movable(reservation, now)
    if (reservation.start_at, reservation.end_at) == (span.start, span.end):
        return reservation  # moved there by a request that got the lock first
    taken = f"{host.name} was booked for that time a moment ago."
    next_step = PickFreeTime(host.id, host.name)
    try:
        moved = await transitions.reschedule(session, reservation, span.start, span.end, now)
    except IntegrityError as exc:
        if NO_OVERLAP in str(exc.orig):
            metrics.double_booking_refused("constraint")
            raise SlotUnavailable(taken, next_step=next_step) from exc
        raise
    await session.refresh(reservation)
    if not moved:
        _require_movable(reservation, now)
    return reservation


async def _offer_of(
    session: AsyncSession, reservation: Reservation, host: User, duration: int
) -> Offer | None:
    """A booking made through a meeting type moves under that type's rules (its lengths, notice
    and horizon), as long as the type exists."""
    if reservation.meeting_type_id is None:
        return None
    # Imported here: meeting types book through this module.
    from concierge.meeting_types import service as meeting_types
    from concierge.models import MeetingType

    offered = await session.get(MeetingType, reservation.meeting_type_id)
    if offered is None:
        return None
    return meeting_types.offer(offered, host, duration, {}, answers_due=False)


def _require_movable(reservation: Reservation, now: datetime) -> None:
    status = effective_status(reservation, now)
    if status not in (Status.HELD, Status.CONFIRMED):
        raise NotReschedulable(
            f"Booking {reservation.id} is {status}: there is nothing to move; book a new "
            "time instead."
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
    # Through the participant rows (by their user index): a meeting's other hosts are there
    # only, and a host who left is there no more.
    theirs = select(Participant.reservation_id).where(Participant.user_id == actor.id)
    if query.role == "guest":
        statement = statement.where(Reservation.guest_id == actor.id)
    elif query.role == "host":
        hosting = theirs.where(Participant.role == ParticipantRole.HOST)
        statement = statement.where(Reservation.id.in_(hosting))
    else:
        statement = statement.where(Reservation.id.in_(theirs))
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
    # A meeting no longer fits when it leaves the availability of any of its hosts.
    hosting = await hosts_of(session, reservations)
    host_ids = {uid for ids in hosting.values() for uid in ids}
    hosts = list(await session.scalars(select(User).where(User.id.in_(host_ids))))
    span = Interval(min(r.start_at for r in reservations), max(r.end_at for r in reservations))
    schedules = await load_schedules(session, hosts, span)
    return [
        r
        for r in reservations
        if not all(fits(schedules[h], Interval(r.start_at, r.end_at)) for h in hosting[r.id])
    ]


async def _swap(
    session: AsyncSession,
    reservation: Reservation,
    condition: ColumnElement[bool],
    event: metrics.ReservationEvent,
    *,
    reason: str | None = None,
    **stamps: datetime,
) -> bool:
    """Compare-and-swap: move the row to the ``event``'s status only while ``condition`` still
    holds, so a sweeper or a competing request in another process cannot slip in between.
    Told to subscribers (metrics, caches) when the transaction commits."""
    swapped = await transitions.move(
        session, and_(Reservation.id == reservation.id, condition), event, reason=reason, **stamps
    )
    await session.refresh(reservation)
    return bool(swapped)
