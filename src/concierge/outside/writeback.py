"""Bookings written back into the CalDAV calendars their people chose, moved when their time
changes and removed when they end.

It must not be lost, so it is a job row, written in the same transaction as the change: a
``before_commit`` hook reads the reservation events recorded on the unit of work and, for each
participant with a write-back calendar, bumps ``calendar_writes.wanted``. A loop inside
``concierge serve`` claims rows with ``written < wanted`` and makes the calendar say what is
true when it runs: the booking's event (named by the booking's UID, so writing it again moves
it) while the reservation is confirmed and the person still takes part, no event otherwise.
So repeats, retries and changes that arrive out of order all end in the right state.

Self-contained on purpose: when the general outbox lands, the hook becomes one outbox row per
change and ``write_one`` its handler.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, literal, or_, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from concierge import events, outbound
from concierge.background import Loop, claim
from concierge.backoff import pause_after
from concierge.calendars import ics
from concierge.calendars.service import event_for, event_uid
from concierge.clock import Clock
from concierge.config import Settings
from concierge.db import Database
from concierge.errors import ConciergeError
from concierge.models import (
    CalendarWrite,
    OutsideCalendar,
    Reservation,
    ReservationParticipant,
    ReservationStatus,
    User,
)
from concierge.outside import caldav
from concierge.outside.refresh import worker_name
from concierge.outside.secrets import unseal
from concierge.timezones import zone

log = logging.getLogger(__name__)
BATCH = 20
# Only a confirmed booking is ever written, and only holds expire: "expired" needs nothing. A
# write reads the booking as it is then: a moved one is written again at its new time, an ended
# one deleted.
_CHANGED = frozenset({"cancelled", "left", "rescheduled"})


@sa_event.listens_for(Session, "before_commit")
def _queue_writes(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for change in events.pending(session):
        if not change.users:
            continue
        if change.kind == "confirmed":
            _want_present(session, change.reservation_id, change.users)
        elif change.kind in _CHANGED:
            session.execute(
                update(CalendarWrite)
                .where(CalendarWrite.reservation_id == change.reservation_id)
                .values(wanted=CalendarWrite.wanted + 1)
            )


def _want_present(session: Session, reservation_id: int, users: frozenset[int]) -> None:
    targets = select(
        OutsideCalendar.id, literal(reservation_id), literal(1), literal(0), literal(0)
    ).where(OutsideCalendar.user_id.in_(sorted(users)), OutsideCalendar.write_href.is_not(None))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # The SELECT has a WHERE, which SQLite needs to read INSERT ... SELECT ... ON CONFLICT.
    statement = insert(CalendarWrite).from_select(
        ["calendar_id", "reservation_id", "wanted", "written", "attempts"], targets
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["reservation_id", "calendar_id"],
            set_={"wanted": CalendarWrite.wanted + 1, "retry_at": None},
        )
    )


# ------------------------------------------------------------------------------- the job


async def write_due(
    db: Database, clock: Clock, settings: Settings, owner: str | None = None
) -> int:
    """Claim the writes due, do them, record each; how many were done."""
    owner = owner or worker_name()
    now = clock.now()
    rules = outbound.policy_from(settings)
    ready = and_(
        CalendarWrite.written < CalendarWrite.wanted,
        or_(CalendarWrite.retry_at.is_(None), CalendarWrite.retry_at <= now),
    )
    async with db.unit_of_work() as session:
        ids = await claim(
            session,
            CalendarWrite,
            ready,
            owner=owner,
            now=now,
            lease=timedelta(seconds=rules.timeout * 3 + 30),
            limit=BATCH,
        )
        if not ids:
            return 0
        plans = [await _plan(session, write_id, now, settings) for write_id in ids]
    done = 0
    async with outbound.client(rules) as http:
        outcomes: list[tuple[_Plan, str | None]] = []
        for plan in plans:
            try:
                await plan.run(http, rules)
            except ConciergeError as exc:
                outcomes.append((plan, exc.detail))
            else:
                outcomes.append((plan, None))
                done += 1
    await _record(db, outcomes, owner, clock.now(), settings)
    return done


class _Plan:
    """One write decided from the rows as they are now: put the event, or delete it."""

    def __init__(self, write_id: int, wanted: int, present: bool, **parts: Any) -> None:
        self.write_id, self.wanted, self.present = write_id, wanted, present
        self.parts = parts

    async def run(self, http: Any, rules: outbound.Policy) -> None:
        if not self.parts:
            return  # the calendar stopped writing bookings: nothing to do
        collection, uid, auth = self.parts["collection"], self.parts["uid"], self.parts["auth"]
        if self.present:
            body = self.parts["body"]
            await caldav.put_event(http, rules, collection, uid, body, auth)
        else:
            await caldav.delete_event(http, rules, collection, uid, auth)


async def _plan(session: Any, write_id: int, now: datetime, settings: Settings) -> _Plan:
    write = await session.get(CalendarWrite, write_id)
    calendar = await session.get(OutsideCalendar, write.calendar_id)
    reservation = await session.get(Reservation, write.reservation_id)
    if calendar is None or calendar.write_href is None or reservation is None:
        return _Plan(write.id, write.wanted, False)
    taking_part = await session.scalar(
        select(ReservationParticipant.active).where(
            ReservationParticipant.reservation_id == reservation.id,
            ReservationParticipant.user_id == calendar.user_id,
        )
    )
    present = reservation.status == ReservationStatus.CONFIRMED and bool(taking_part)
    secret = unseal(settings, calendar.secret)
    parts: dict[str, Any] = {
        "collection": calendar.write_href,
        "uid": event_uid(reservation.id, settings.uid_domain),
        "auth": secret.auth,
    }
    if present:
        owner = await session.get(User, calendar.user_id)
        other = await _other_name(session, reservation, calendar.user_id)
        item = event_for(reservation, f"Meeting with {other}", settings.uid_domain)
        parts["body"] = ics.calendar([item], zone(owner.timezone), now)
    return _Plan(write.id, write.wanted, present, **parts)


async def _other_name(session: Any, reservation: Reservation, user_id: int) -> str:
    other_id = reservation.guest_id if reservation.host_id == user_id else reservation.host_id
    if other_id is None:
        return reservation.guest_name or reservation.guest_email or "a guest"
    other = aliased(User)
    name = await session.scalar(select(other.name).where(other.id == other_id))
    return str(name or "a guest")


async def _record(
    db: Database,
    outcomes: list[tuple[_Plan, str | None]],
    owner: str,
    now: datetime,
    settings: Settings,
) -> None:
    async with db.unit_of_work() as session:
        for plan, error in outcomes:
            write = await session.get(CalendarWrite, plan.write_id)
            if write is None or write.lease_owner != owner:
                continue
            write.lease_owner, write.lease_until = None, None
            if error is None:
                write.written = max(write.written, plan.wanted)
                write.state = "present" if plan.present else "absent"
                write.attempts, write.error, write.retry_at = 0, None, None
            else:
                write.attempts += 1
                write.error = error
                pause = pause_after(settings.outside_write_seconds or 5.0, write.attempts)
                write.retry_at = now + timedelta(seconds=pause)
                log.warning("calendar write %d failed: %s", write.id, error)


def calendar_writer(db: Database, clock: Clock, settings: Settings) -> Loop:
    owner = worker_name()

    async def cycle() -> int:
        return await write_due(db, clock, settings, owner)

    return Loop("calendar-writes", settings.outside_write_seconds, cycle)
