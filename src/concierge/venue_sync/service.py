"""The incremental sync of a venue's ResyOS book (seed 000), and reads of the mirror.

A cycle lists the ids and ``last_updated`` of every reservation in a long window (one request),
fetches details only for ids that are new or whose ``last_updated`` changed, and guests only for
user ids the mirror has never asked about. A quiet cycle therefore costs one request.

Transactions. A cycle is its own boundary, like a worker tick. Network calls never run inside a
transaction (a SQLite write lock is never held across a slow request). Then:

* an *incremental* cycle (at most ``atomic_limit`` stale reservations: every steady-state minute)
  fetches everything first and writes all its changes, and its log row, in ONE transaction: a
  reader sees the whole cycle or none of it, and a failure anywhere leaves the mirror untouched;
* a *catch-up* cycle (more than that: the first full sync, or a return after a long outage)
  commits each details batch, then each guests batch, in its own transaction. Each row is
  correct as of its fetch, so a crash loses at most the batch in flight, and the next cycle
  resumes from the database: ids already stored with their current ``last_updated`` are not
  stale any more and are not fetched again. Vanished marks and the log row come last, in one
  transaction, only once the whole list has been handled.

Guests missing from the mirror are computed from the database (user ids of stored reservations
without a guest row), not from what this cycle fetched, so guests whose fetch was cut short by
a crash are fetched by the next cycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.clock import Clock
from concierge.config import Settings
from concierge.db import Database
from concierge.errors import Forbidden, InvalidRequest, RangeTooLong, ServiceUnavailable
from concierge.integrations.resyos.client import ResyOSClient
from concierge.integrations.resyos.errors import ResyOSAuthError, ResyOSError
from concierge.integrations.resyos.schemas import Guest, ReservationDetail, ReservationStamp
from concierge.models import (
    User,
    VenueGuest,
    VenueReservation,
    VenueReservationState,
    VenueSyncCycle,
)
from concierge.timezones import zone
from concierge.venue_sync.schemas import CATCH_UP, CycleReport

log = logging.getLogger("concierge.venue_sync")
T = TypeVar("T")

CYCLE_LOG_KEPT = timedelta(days=30)
# Stay well under SQLite's bound-parameter limit in ``IN (...)`` lists.
_IN_CHUNK = 500

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` after each batch of a catch-up cycle."""


@dataclass(frozen=True)
class SyncConfig:
    venue_id: str
    zone: ZoneInfo
    batch: int = 50
    days_back: int = 30
    days_ahead: int = 180
    atomic_limit: int = 1000

    @classmethod
    def from_settings(cls, settings: Settings, venue_id: str | None = None) -> SyncConfig:
        venue = venue_id or settings.resyos_venue_id
        if not venue:
            raise InvalidRequest(
                "No venue: set CONCIERGE_RESYOS_VENUE_ID to the ResyOS venue id to mirror."
            )
        if settings.resyos_batch < 1:
            raise InvalidRequest("CONCIERGE_RESYOS_BATCH must be at least 1.")
        return cls(
            venue_id=venue,
            zone=zone(settings.resyos_timezone),
            batch=settings.resyos_batch,
            days_back=settings.resyos_days_back,
            days_ahead=settings.resyos_days_ahead,
            atomic_limit=settings.resyos_atomic_limit,
        )


@dataclass(frozen=True)
class Window:
    """Whole venue-local days from ``days_back`` before today to ``days_ahead`` after it."""

    start_local: datetime
    end_local: datetime
    start: datetime
    end: datetime

    def covers(self, instant: datetime | None) -> bool:
        return instant is not None and self.start <= instant <= self.end


def window(now: datetime, config: SyncConfig) -> Window:
    today = now.astimezone(config.zone).date()
    start_local = datetime.combine(today - timedelta(days=config.days_back), time(0, 0))
    end_local = datetime.combine(today + timedelta(days=config.days_ahead), time(23, 59, 59))
    return Window(
        start_local,
        end_local,
        local_to_utc(start_local, config.zone),
        local_to_utc(end_local, config.zone),
    )


def local_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=tz).astimezone(UTC)


def day_range(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants from local midnight of ``first`` to local midnight after ``last``."""
    start = local_to_utc(datetime.combine(first, time(0, 0)), tz)
    end = local_to_utc(datetime.combine(last + timedelta(days=1), time(0, 0)), tz)
    return start, end


# --------------------------------------------------------------------------- planning (pure)


@dataclass(frozen=True)
class Known:
    """What the mirror holds about one reservation, as much as planning needs."""

    last_updated: datetime
    booked_at: datetime | None
    vanished: bool


@dataclass(frozen=True)
class Plan:
    stale: list[str]
    """New ids and ids whose ``last_updated`` changed, in the order ResyOS listed them."""
    new: int
    vanished: list[str]
    """Known, not yet vanished, booked inside the window, and absent from the list."""
    reappeared: list[str]
    """Marked vanished before, listed again."""


def plan_cycle(
    stamps: Sequence[ReservationStamp], known: Mapping[str, Known], span: Window
) -> Plan:
    listed: dict[str, ReservationStamp] = {}
    for stamp in stamps:
        listed[stamp.id] = stamp
    stale: list[str] = []
    new = 0
    reappeared: list[str] = []
    for rid, stamp in listed.items():
        mine = known.get(rid)
        if mine is None:
            stale.append(rid)
            new += 1
            continue
        if mine.last_updated != stamp.last_updated:
            stale.append(rid)
        if mine.vanished:
            reappeared.append(rid)
    vanished = [
        rid
        for rid, mine in known.items()
        if rid not in listed and not mine.vanished and span.covers(mine.booked_at)
    ]
    return Plan(stale=stale, new=new, vanished=vanished, reappeared=reappeared)


def chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --------------------------------------------------------------------------- the cycle


async def run_cycle(
    db: Database,
    client: ResyOSClient,
    config: SyncConfig,
    clock: Clock,
    progress: Progress | None = None,
) -> CycleReport:
    """One sync cycle. Raises ``ServiceUnavailable`` when ResyOS fails it; the failure is logged
    as a cycle row, and the mirror keeps every transaction committed before it."""
    started = clock.now()
    span = window(started, config)
    spent_before = client.requests
    report = CycleReport(
        venue_id=config.venue_id, started_at=started, window_start=span.start, window_end=span.end
    )
    try:
        stamps = await client.reservation_ids(span.start_local, span.end_local)
        async with db.unit_of_work(write=False) as session:
            known = await load_known(session, config.venue_id)
        plan = plan_cycle(stamps, known, span)
        report.listed = len({s.id for s in stamps})
        updated_at = {s.id: s.last_updated for s in stamps}
        if len(plan.stale) > config.atomic_limit:
            report.mode = CATCH_UP
            await _catch_up(
                db, client, config, clock, plan, updated_at, report, spent_before, progress
            )
        else:
            await _incremental(db, client, config, clock, plan, updated_at, report, spent_before)
    except ResyOSError as exc:
        report.ok = False
        report.error = str(exc)
        report.requests = client.requests - spent_before
        report.finished_at = clock.now()
        await _record_failure(db, report)
        log.warning(report.line())
        hint = "" if isinstance(exc, ResyOSAuthError) else " The next cycle will try again."
        raise ServiceUnavailable(
            f"Venue sync failed: {exc}. The mirror keeps everything committed before.{hint}"
        ) from exc
    log.info(report.line())
    return report


async def _incremental(
    db: Database,
    client: ResyOSClient,
    config: SyncConfig,
    clock: Clock,
    plan: Plan,
    updated_at: Mapping[str, datetime],
    report: CycleReport,
    spent_before: int,
) -> None:
    details: list[ReservationDetail] = []
    for ids in chunks(plan.stale, config.batch):
        details.extend(await client.reservations(ids))
    async with db.unit_of_work(write=False) as session:
        missing = await missing_guests(
            session, config.venue_id, {d.user_id for d in details if d.user_id}
        )
    guests: list[Guest] = []
    for ids in chunks(missing, config.batch):
        guests.extend(await client.guests(ids))
    async with db.unit_of_work() as session:
        now = clock.now()
        created, updated, cancelled = await store_details(
            session, config.venue_id, details, updated_at, config.zone, now
        )
        report.fetched = len(details)
        report.created, report.updated, report.cancelled = created, updated, cancelled
        report.guests_added = await store_guests(session, config.venue_id, missing, guests, now)
        await _finish(session, client, config, plan, report, clock, spent_before)


async def _catch_up(
    db: Database,
    client: ResyOSClient,
    config: SyncConfig,
    clock: Clock,
    plan: Plan,
    updated_at: Mapping[str, datetime],
    report: CycleReport,
    spent_before: int,
    progress: Progress | None,
) -> None:
    async def store_batch(ids: list[str], details: list[ReservationDetail]) -> None:
        async with db.unit_of_work() as session:
            created, updated, cancelled = await store_details(
                session, config.venue_id, details, updated_at, config.zone, clock.now()
            )
        report.fetched += len(details)
        report.created += created
        report.updated += updated
        report.cancelled += cancelled

    await _pipelined(
        list(chunks(plan.stale, config.batch)), client.reservations, store_batch, "reservations",
        progress,
    )  # fmt: skip
    async with db.unit_of_work(write=False) as session:
        missing = await missing_guests(session, config.venue_id, set())

    async def store_guest_batch(ids: list[str], guests: list[Guest]) -> None:
        async with db.unit_of_work() as session:
            report.guests_added += await store_guests(
                session, config.venue_id, ids, guests, clock.now()
            )

    await _pipelined(
        list(chunks(missing, config.batch)), client.guests, store_guest_batch, "guests", progress
    )
    async with db.unit_of_work() as session:
        await _finish(session, client, config, plan, report, clock, spent_before)


async def _pipelined(
    batches: list[list[str]],
    fetch: Callable[[list[str]], Awaitable[list[T]]],
    store: Callable[[list[str], list[T]], Awaitable[None]],
    stage: str,
    progress: Progress | None,
) -> None:
    """Fetch batch n+1 while batch n is being committed: one request in flight at a time, as
    a polite client should, but the network wait and the database write overlap."""
    if not batches:
        return
    total = sum(len(ids) for ids in batches)
    done = 0
    pending = asyncio.ensure_future(fetch(batches[0]))
    try:
        for n, ids in enumerate(batches):
            fetched = await pending
            if n + 1 < len(batches):
                pending = asyncio.ensure_future(fetch(batches[n + 1]))
            await store(ids, fetched)
            done += len(ids)
            if progress:
                progress(stage, done, total)
    finally:
        if not pending.done():
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, ResyOSError):
                await pending


async def _finish(
    session: AsyncSession,
    client: ResyOSClient,
    config: SyncConfig,
    plan: Plan,
    report: CycleReport,
    clock: Clock,
    spent_before: int,
) -> None:
    """Vanished and reappeared marks, and the cycle's log row: the last write of a cycle."""
    now = clock.now()
    report.vanished = await mark_vanished(session, config.venue_id, plan.vanished, now)
    report.reappeared = await mark_reappeared(session, config.venue_id, plan.reappeared)
    report.requests = client.requests - spent_before
    report.finished_at = now
    session.add(_cycle_row(report))
    # One row a minute: keep a month of them.
    await session.execute(
        delete(VenueSyncCycle).where(
            VenueSyncCycle.venue_id == config.venue_id,
            VenueSyncCycle.started_at < now - CYCLE_LOG_KEPT,
        )
    )
    await session.flush()


async def _record_failure(db: Database, report: CycleReport) -> None:
    try:
        async with db.unit_of_work() as session:
            session.add(_cycle_row(report))
    except Exception:  # the failure being recorded may be the database's own
        log.exception("could not record the failed venue sync cycle")


def _cycle_row(report: CycleReport) -> VenueSyncCycle:
    return VenueSyncCycle(
        venue_id=report.venue_id,
        started_at=report.started_at,
        finished_at=report.finished_at or report.started_at,
        window_start=report.window_start,
        window_end=report.window_end,
        mode=report.mode,
        ok=report.ok,
        listed=report.listed,
        fetched=report.fetched,
        created=report.created,
        updated=report.updated,
        cancelled=report.cancelled,
        vanished=report.vanished,
        reappeared=report.reappeared,
        guests_added=report.guests_added,
        requests=report.requests,
        error=report.error,
    )


# --------------------------------------------------------------------------- the mirror's rows


async def load_known(session: AsyncSession, venue_id: str) -> dict[str, Known]:
    # Through Core, not the ORM: this reads every row of the venue on every cycle.
    connection = await session.connection()
    rows = await connection.execute(
        select(
            VenueReservation.resyos_id,
            VenueReservation.last_updated,
            VenueReservation.booked_at,
            VenueReservation.vanished_at,
        ).where(VenueReservation.venue_id == venue_id)
    )
    return {
        rid: Known(last_updated, booked_at, vanished_at is not None)
        for rid, last_updated, booked_at, vanished_at in rows.all()
    }


async def missing_guests(session: AsyncSession, venue_id: str, also: Iterable[str]) -> list[str]:
    """User ids the mirror has never asked ResyOS about: those of stored reservations without a
    guest row, and those of ``also`` (reservations fetched but not stored yet) likewise."""
    guest = and_(
        VenueGuest.venue_id == VenueReservation.venue_id,
        VenueGuest.user_id == VenueReservation.user_id,
    )
    orphans = await session.scalars(
        select(VenueReservation.user_id)
        .distinct()
        .outerjoin(VenueGuest, guest)
        .where(
            VenueReservation.venue_id == venue_id,
            VenueReservation.user_id.is_not(None),
            VenueGuest.user_id.is_(None),
        )
    )
    missing = {uid for uid in orphans if uid}
    candidates = sorted(set(also) - missing)
    for ids in chunks(candidates, _IN_CHUNK):
        seen = set(
            await session.scalars(
                select(VenueGuest.user_id).where(
                    VenueGuest.venue_id == venue_id, VenueGuest.user_id.in_(ids)
                )
            )
        )
        missing.update(uid for uid in ids if uid not in seen)
    return sorted(missing, key=lambda uid: (len(uid), uid))


def _columns(
    detail: ReservationDetail, last_updated: datetime | None, tz: ZoneInfo, now: datetime
) -> dict[str, object]:
    wall = detail.specs.booked_local()
    cancelled = detail.specs.is_cancelled
    return {
        "user_id": detail.user_id,
        "seats": detail.specs.num_seats,
        "booked_at": local_to_utc(wall, tz) if wall else None,
        "booked_local": detail.specs.booked_datetime,
        "is_cancelled": cancelled,
        "flag": detail.flag,
        "state": VenueReservationState.CANCELLED if cancelled else VenueReservationState.BOOKED,
        "last_updated": detail.last_updated or last_updated or now,
        "last_synced_at": now,
        "vanished_at": None,
        "raw": detail.raw,
    }


async def store_details(
    session: AsyncSession,
    venue_id: str,
    details: Sequence[ReservationDetail],
    updated_at: Mapping[str, datetime],
    tz: ZoneInfo,
    now: datetime,
) -> tuple[int, int, int]:
    """Insert or update one row per reservation; ``(created, updated, newly cancelled)``."""
    latest = {d.reservation_id: d for d in details}
    existing: dict[str, VenueReservation] = {}
    for ids in chunks(list(latest), _IN_CHUNK):
        rows = await session.scalars(
            select(VenueReservation).where(
                VenueReservation.venue_id == venue_id, VenueReservation.resyos_id.in_(ids)
            )
        )
        existing.update((row.resyos_id, row) for row in rows)
    fresh: list[dict[str, object]] = []
    updated = cancelled = 0
    for rid, detail in latest.items():
        values = _columns(detail, updated_at.get(rid), tz, now)
        row = existing.get(rid)
        if row is None:
            fresh.append({"venue_id": venue_id, "resyos_id": rid, "first_seen_at": now, **values})
            continue
        if values["is_cancelled"] and not row.is_cancelled:
            cancelled += 1
        for name, value in values.items():
            setattr(row, name, value)
        updated += 1
    await session.flush()
    if fresh:
        # A Core executemany: one short statement, not the 750-placeholder multi-row INSERT
        # the ORM would build per batch (which psycopg re-parses every time).
        await session.execute(insert(VenueReservation), fresh)
    return len(fresh), updated, cancelled


async def store_guests(
    session: AsyncSession,
    venue_id: str,
    asked: Sequence[str],
    guests: Sequence[Guest],
    now: datetime,
) -> int:
    """One row per user id asked about; ids ResyOS did not return get a row without ``raw``,
    so they are not asked about every cycle. Returns the number of guests ResyOS returned."""
    returned = {g.user_id: g for g in guests}
    wanted = set(asked) | set(returned)
    existing: dict[str, VenueGuest] = {}
    for ids in chunks(sorted(wanted), _IN_CHUNK):
        rows = await session.scalars(
            select(VenueGuest).where(VenueGuest.venue_id == venue_id, VenueGuest.user_id.in_(ids))
        )
        existing.update((row.user_id, row) for row in rows)
    fresh: list[dict[str, object]] = []
    for uid in sorted(wanted):
        guest = returned.get(uid)
        values = {
            "first_name": guest.first_name if guest else None,
            "last_name": guest.last_name if guest else None,
            "raw": guest.raw if guest else None,
        }
        row = existing.get(uid)
        if row is None:
            fresh.append({"venue_id": venue_id, "user_id": uid, "first_seen_at": now, **values})
        elif guest is not None:
            for name, value in values.items():
                setattr(row, name, value)
    await session.flush()
    if fresh:
        await session.execute(insert(VenueGuest), fresh)
    return len(returned)


async def mark_vanished(
    session: AsyncSession, venue_id: str, ids: Sequence[str], now: datetime
) -> int:
    marked = 0
    for chunk in chunks(ids, _IN_CHUNK):
        result = await session.execute(
            update(VenueReservation)
            .where(
                VenueReservation.venue_id == venue_id,
                VenueReservation.resyos_id.in_(chunk),
                VenueReservation.vanished_at.is_(None),
            )
            .values(vanished_at=now, state=VenueReservationState.VANISHED)
            .execution_options(synchronize_session=False)
        )
        marked += _rowcount(result)
    return marked


async def mark_reappeared(session: AsyncSession, venue_id: str, ids: Sequence[str]) -> int:
    """Clear the vanished mark of reservations listed again (their details, when changed, were
    stored already, which cleared it too)."""
    for chunk in chunks(ids, _IN_CHUNK):
        await session.execute(
            update(VenueReservation)
            .where(
                VenueReservation.venue_id == venue_id,
                VenueReservation.resyos_id.in_(chunk),
                VenueReservation.vanished_at.is_not(None),
            )
            .values(
                vanished_at=None,
                state=case(
                    (VenueReservation.is_cancelled, VenueReservationState.CANCELLED),
                    else_=VenueReservationState.BOOKED,
                ),
            )
            .execution_options(synchronize_session=False)
        )
    return len(ids)


def _rowcount(result: object) -> int:
    count = getattr(result, "rowcount", 0)
    return int(count) if isinstance(count, int) and count > 0 else 0


# --------------------------------------------------------------------------- reads


@dataclass(frozen=True)
class MirroredReservation:
    reservation: VenueReservation
    guest: VenueGuest | None


async def list_reservations(
    session: AsyncSession,
    venue_id: str,
    start: datetime,
    end: datetime,
    *,
    states: Sequence[str] | None = None,
    limit: int = 50,
    after: tuple[datetime, int] | None = None,
) -> list[MirroredReservation]:
    """Reservations booked in ``[start, end)``, by booked time, with their guests; at most
    ``limit + 1`` so the caller can tell whether another page follows."""
    guest = and_(
        VenueGuest.venue_id == VenueReservation.venue_id,
        VenueGuest.user_id == VenueReservation.user_id,
    )
    query = (
        select(VenueReservation, VenueGuest)
        .outerjoin(VenueGuest, guest)
        .where(
            VenueReservation.venue_id == venue_id,
            VenueReservation.booked_at >= start,
            VenueReservation.booked_at < end,
        )
        .order_by(VenueReservation.booked_at, VenueReservation.id)
        .limit(limit + 1)
    )
    if states:
        query = query.where(VenueReservation.state.in_(list(states)))
    if after is not None:
        at, last_id = after
        query = query.where(
            or_(
                VenueReservation.booked_at > at,
                and_(VenueReservation.booked_at == at, VenueReservation.id > last_id),
            )
        )
    rows = await session.execute(query)
    return [MirroredReservation(r, g) for r, g in rows]


async def last_cycles(
    session: AsyncSession, venue_id: str, limit: int = 10
) -> list[VenueSyncCycle]:
    rows = await session.scalars(
        select(VenueSyncCycle)
        .where(VenueSyncCycle.venue_id == venue_id)
        .order_by(VenueSyncCycle.started_at.desc(), VenueSyncCycle.id.desc())
        .limit(limit)
    )
    return list(rows)


def require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise Forbidden("Only an admin may read the venue's book.")


def book_range(
    first: date | None, last: date | None, today: date, max_days: int
) -> tuple[date, date]:
    """The local dates asked for (default: today and the six days after), validated."""
    first = first or today
    last = last or first + timedelta(days=6)
    if last < first:
        raise InvalidRequest("'to' is before 'from': pass dates with from <= to.")
    if (last - first).days + 1 > max_days:
        raise RangeTooLong(f"Ask for at most {max_days} days at a time.")
    return first, last
