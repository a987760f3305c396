"""The background refresh of connected calendars, inside ``concierge serve``: every calendar
due is claimed by one process (``background.claim``), read between two short units of work
(never with a transaction open while waiting on the network), and stored; the next read is due
``OUTSIDE_REFRESH_MINUTES`` later. However many processes run it, each calendar is read once
per period, and a process that dies mid-read loses its lease and the calendar is read again.
"""

from __future__ import annotations

import asyncio
import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, select

from concierge.background import Loop, claim
from concierge.clock import Clock
from concierge.config import Settings
from concierge.db import Database
from concierge.models import OutsideCalendar, User
from concierge.outbound import client
from concierge.outside import service
from concierge.outside.reading import Reading, Source, read, window

BATCH = 20


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class Refreshed:
    calendars: int
    requests: int


async def refresh_due(
    db: Database, clock: Clock, settings: Settings, owner: str | None = None
) -> Refreshed:
    """Claim the calendars due now, read them, store what was found."""
    owner = owner or worker_name()
    now = clock.now()
    rules = service.policy(settings)
    # A lease outlives the longest read: past it, another process may take the calendar over.
    lease = timedelta(seconds=rules.timeout * 3 + 30)
    async with db.unit_of_work() as session:
        ids = await claim(
            session,
            # background.Leased describes instance attributes as InstrumentedAttribute, which
            # no mapped class's instances have: mypy cannot match it (reported to the lead).
            OutsideCalendar,
            # A deleted person's calendars are no one's taken time: not read again.
            and_(
                OutsideCalendar.next_refresh_at <= now,
                OutsideCalendar.user_id.in_(select(User.id).where(User.deleted_at.is_(None))),
            ),
            owner=owner,
            now=now,
            lease=lease,
            limit=BATCH,
            order_by=OutsideCalendar.next_refresh_at,
        )
        if not ids:
            return Refreshed(0, 0)
        rows = await session.execute(
            select(OutsideCalendar, User.timezone)
            .join(User, User.id == OutsideCalendar.user_id)
            .where(OutsideCalendar.id.in_(ids))
        )
        sources = [service.source_of(row, tz, settings) for row, tz in rows]
    span = window(now, settings.outside_days_ahead)
    async with client(rules) as http:
        readings = await asyncio.gather(*(read(http, rules, s, span) for s in sources))
    await _store(db, sources, readings, owner, clock, settings)
    return Refreshed(len(sources), sum(r.requests for r in readings))


async def _store(
    db: Database,
    sources: list[Source],
    readings: list[Reading],
    owner: str,
    clock: Clock,
    settings: Settings,
) -> None:
    now = clock.now()
    async with db.unit_of_work() as session:
        for source, reading in zip(sources, readings, strict=True):
            row = await session.get(OutsideCalendar, source.id)
            if row is None or row.lease_owner != owner:
                continue  # removed meanwhile, or our lease ran out and another took it
            await service.store(session, row, reading, now, settings)
            row.lease_owner, row.lease_until = None, None


def calendar_refresher(db: Database, clock: Clock, settings: Settings) -> Loop:
    """The loop that looks for calendars due every ``OUTSIDE_CHECK_SECONDS``."""
    owner = worker_name()

    async def cycle() -> int:
        return (await refresh_due(db, clock, settings, owner)).calendars

    return Loop("outside-calendars", settings.outside_check_seconds, cycle)
