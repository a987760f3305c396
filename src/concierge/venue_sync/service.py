"""The incremental sync of a venue's ResyOS book (seed 000), and reading the mirror.

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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from concierge import events
from concierge.clock import Clock
from concierge.config import Settings
from concierge.db import Database
from concierge.errors import Forbidden, InvalidRequest, RangeTooLong, ServiceUnavailable
from concierge.integrations.resyos.client import ResyOSClient
from concierge.integrations.resyos.errors import ResyOSAuthError, ResyOSError
from concierge.integrations.resyos.schemas import Guest, ReservationDetail
from concierge.models import User, VenueSyncCycle
from concierge.observability import metrics
from concierge.venue_sync.mirror import (
    MirroredReservation,
    list_reservations,
    load_known,
    mark_reappeared,
    mark_vanished,
    missing_guests,
    store_details,
    store_guests,
)
from concierge.venue_sync.plan import Plan, SyncConfig, chunks, day_range, plan_cycle, window
from concierge.venue_sync.schemas import CATCH_UP, CycleReport

log = logging.getLogger("concierge.venue_sync")
T = TypeVar("T")

CYCLE_LOG_KEPT = timedelta(days=30)

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` after each batch of a catch-up cycle."""


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
        metrics.venue_sync_cycle(report.requests, "error")
        log.warning(report.line())
        hint = "" if isinstance(exc, ResyOSAuthError) else " The next cycle will try again."
        raise ServiceUnavailable(
            f"Venue sync failed: {exc}. The mirror keeps everything committed before.{hint}"
        ) from exc
    metrics.venue_sync_cycle(report.requests, "ok")
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
    events.notify(session, _notice(report))
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
            events.notify(session, _notice(report))
    except Exception:  # the failure being recorded may be the database's own
        log.exception("could not record the failed venue sync cycle")


def _notice(report: CycleReport) -> events.Notice:
    """What admin-wide webhooks are told of a finished cycle (``venue_sync.completed`` or
    ``venue_sync.failed``)."""
    fields = ("venue_id", "mode", "listed", "fetched", "created", "updated", "cancelled",
              "vanished", "reappeared", "guests_added", "error")  # fmt: skip
    data = {"venue_sync": {name: getattr(report, name) for name in fields}}
    kind = "completed" if report.ok else "failed"
    at = report.finished_at or report.started_at
    return events.Notice(f"venue_sync.{kind}", frozenset(), data, at)


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


# --------------------------------------------------------------------------- reading the mirror


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


async def read_book(
    session: AsyncSession,
    settings: Settings,
    *,
    today_at: datetime,
    venue_id: str | None = None,
    first: date | None = None,
    last: date | None = None,
    states: Sequence[str] | None = None,
    limit: int = 50,
    after: tuple[datetime, int] | None = None,
) -> tuple[SyncConfig, list[MirroredReservation]]:
    """The venue's mirrored reservations booked on local dates ``first`` to ``last``, by time,
    with guests: at most ``limit + 1``, so the caller can tell whether another page follows."""
    config = SyncConfig.from_settings(settings, venue_id)
    today = today_at.astimezone(config.zone).date()
    first, last = book_range(first, last, today, settings.max_range_days)
    start, end = day_range(first, last, config.zone)
    rows = await list_reservations(
        session, config.venue_id, start, end, states=states, limit=limit, after=after
    )
    return config, rows
