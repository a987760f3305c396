"""The watch worker: claims due watches, looks at Resy, books the first table that fits.

It runs inside ``concierge serve`` (``watch_worker(...).running()`` in the app's lifespan) and
in ``concierge watches run``, as one ``background.Loop`` that ticks often (a release is a race)
and does nothing until a watch is due. Any number of processes may run it on one database: a
due watch is leased to one of them (``background.claim``: ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, a compare-and-swap ``UPDATE`` on SQLite) while it is being checked; the look ends
by handing the lease back with the next time to look, or by finishing the watch
(``watch_transitions``, a compare-and-swap on the status and the lease).

Never two tables for one watch: a watch is checked by one process at a time; a process that
lost its lease (it stalled longer than ``watch_lease_seconds``) cannot finish the watch; and
whoever books next first reads the person's tables there that day (``watch_booking``), so a
table booked by a process that died before recording the watch as booked is found and taken
as the watch's, not booked again.

Each look is one ``/4/find`` call. No transaction stays open across a call to Resy.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select

from concierge.background import Loop, claim
from concierge.clock import Clock
from concierge.config import Settings
from concierge.credentials import CredentialStore
from concierge.db import Database
from concierge.dining import watch_plan, watch_transitions
from concierge.dining.booking import DuplicateTable, TableUnavailable
from concierge.dining.schemas import clock_text
from concierge.dining.watch_booking import book_open_table
from concierge.dining.watches import pace
from concierge.errors import ConciergeError
from concierge.integrations.resy import errors as resy_errors
from concierge.integrations.resy.auth import ResyAuthManager
from concierge.models import DiningWatch, User, WatchStatus

log = logging.getLogger("concierge.watches")

BATCH = 20
# Failures Resy may get over (a pause, a hiccup): the watch looks again later.
PASSING = (resy_errors.RateLimited, resy_errors.Unavailable, resy_errors.UnrecognisedResponse)


class WatchWorker:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        http: httpx.AsyncClient,
        *,
        owner: str | None = None,
        rng: random.Random | None = None,
        resy_options: dict[str, Any] | None = None,
    ) -> None:
        self.db, self.clock, self.settings, self.http = db, clock, settings, http
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.pace = pace(settings)
        self.rng = rng or random.Random()
        self.resy_options = resy_options or {}
        self.lease = timedelta(seconds=settings.watch_lease_seconds)

    async def cycle(self) -> int:
        """Claim the due watches and look at each (at once: each is its own person's); how
        many booked."""
        now = self.clock.now()
        # A read first: the worker ticks several times a second in every process, and an
        # idle tick must not take SQLite's write lock.
        async with self.db.unit_of_work(write=False) as session:
            due = await session.scalar(
                select(DiningWatch.id)
                .where(DiningWatch.status == WatchStatus.WATCHING, DiningWatch.next_check_at <= now)
                .limit(1)
            )
        if due is None:
            return 0
        async with self.db.unit_of_work() as session:
            ids = await claim(
                session,
                # Mapped columns read as values on instances, as the protocol's on the class.
                DiningWatch,
                (DiningWatch.status == WatchStatus.WATCHING) & (DiningWatch.next_check_at <= now),
                owner=self.owner,
                now=now,
                lease=self.lease,
                limit=BATCH,
                order_by=DiningWatch.next_check_at,
            )
        if not ids:
            return 0
        done = await asyncio.gather(*(self.check(i) for i in ids), return_exceptions=True)
        for watch_id, outcome in zip(ids, done, strict=True):
            if isinstance(outcome, BaseException):
                log.error("watch %s: look failed", watch_id, exc_info=outcome)
        return sum(1 for outcome in done if outcome is True)

    async def check(self, watch_id: int) -> bool:
        """One look at one claimed watch; True when it booked."""
        async with self.db.unit_of_work(write=False) as session:
            watch = await session.get(DiningWatch, watch_id)
            user = await session.get(User, watch.user_id) if watch else None
        if watch is None or user is None or watch.lease_owner != self.owner:
            return False
        tz = ZoneInfo(watch.time_zone)
        now = self.clock.now()
        if watch_plan.window_closed(watch.day, watch.latest, tz, now):
            return await self._end(watch, "The window passed without a table; nothing booked.")
        auth = ResyAuthManager(
            self.http,
            self.settings,
            CredentialStore.for_owner(self.settings, user.id),
            clock=self.clock,
            **self.resy_options,
        )
        if auth.stored() is None:
            return await self._end(
                watch, "Stopped: no Resy login is saved (store_resy_credentials).", failed=True
            )
        try:
            found = await auth.client().find(watch.venue_id, watch.day, watch.party_size)
        except PASSING as exc:
            log.warning("watch %s: Resy did not answer (%s); looking again later", watch_id, exc)
            return await self._again(watch, now)
        except resy_errors.ResyError as exc:
            from concierge.dining.booking import translate

            return await self._end(watch, f"Stopped: {translate(exc).detail}", failed=True)
        now = self.clock.now()
        open_tables = watch_plan.takeable(
            found.slots,
            earliest=watch.earliest,
            latest=watch.latest,
            seating=watch.seating_kinds,
            day=watch.day,
            tz=tz,
            now=now,
        )
        for slot in open_tables[:3]:
            try:
                row, new = await book_open_table(
                    self.db, auth=auth, user=user, watch=watch, slot=slot, now=self.clock.now()
                )
            except TableUnavailable:
                continue  # someone else was quicker: the next table that fits
            except DuplicateTable as exc:
                return await self._end(watch, f"Stopped: {exc.detail}")
            except ConciergeError as exc:
                if isinstance(exc.__cause__, PASSING):
                    break
                return await self._end(watch, f"Stopped: {exc.detail}", failed=True)
            kind = f" ({row.table_type})" if row.table_type else ""
            how = "Booked" if new else "Found the table already yours"
            message = (
                f"{how}: {row.restaurant_name}, {clock_text(row.time)}{kind}, party of "
                f"{row.party_size}, confirmation {row.confirmation}."
            )
            async with self.db.unit_of_work() as session:
                await watch_transitions.booked(
                    session,
                    watch.id,
                    self.clock.now(),
                    owner=self.owner,
                    booking_id=row.id,
                    confirmation=row.confirmation,
                    at=row.time,
                    seating=row.table_type,
                    message=message,
                )
            log.info("watch %s: %s", watch.id, message)
            return True
        return await self._again(watch, self.clock.now())

    async def _again(self, watch: DiningWatch, now: datetime) -> bool:
        later = watch_plan.next_check(watch.release_at, now, self.pace, self.rng)
        async with self.db.unit_of_work() as session:
            await watch_transitions.looked(session, watch.id, owner=self.owner, next_check_at=later)
        return False

    async def _end(self, watch: DiningWatch, message: str, *, failed: bool = False) -> bool:
        async with self.db.unit_of_work() as session:
            await watch_transitions.ended(
                session,
                watch.id,
                self.clock.now(),
                owner=self.owner,
                message=message,
                failed=failed,
            )
        return False


def watch_loop(worker: WatchWorker, every: float) -> Loop:
    return Loop("watches", every, worker.cycle)


@asynccontextmanager
async def watch_worker(db: Database, clock: Clock, settings: Settings) -> AsyncIterator[None]:
    """The worker running beside ``concierge serve`` (``watch_tick_seconds <= 0``: not)."""
    if settings.watch_tick_seconds <= 0:
        yield
        return
    async with httpx.AsyncClient(timeout=settings.resy_timeout) as http:
        worker = WatchWorker(db, clock, settings, http)
        async with watch_loop(worker, settings.watch_tick_seconds).running():
            yield
