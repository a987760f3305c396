"""Watches for the front doors: set one, list them, read one with its log, cancel one.

A watch is asked once ("the first table for 2 at Don Angie on Saturday between 7 and 9 pm,
bar or dining room") and the worker (``dining.watch_worker``) does the rest. Setting it finds
the restaurant and its Resy venue (as booking does), reads the booking window from Resy's
calendar to know when the day's tables are released, and stores the watch; it books nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.config import Settings
from concierge.db import Database
from concierge.dining import booking, watch_plan, watch_transitions
from concierge.dining.booking import NotOnResy
from concierge.dining.dates import parse_time, resolve
from concierge.dining.matching import VenueMatcher
from concierge.dining.schemas import clock_text, day_text
from concierge.dining.service import MAX_PARTY, DiningService
from concierge.dining.watch_schemas import Watches, WatchView
from concierge.errors import ConciergeError, InvalidRequest, NotFound
from concierge.integrations.resy import errors as resy_errors
from concierge.integrations.resy.auth import ResyAuthManager
from concierge.models import DiningWatch, DiningWatchEntry, User, WatchStatus
from concierge.timezones import zone

MAX_ACTIVE = 20
LOG_SHOWN = 50


class WatchFinished(ConciergeError):
    status, code, title = 409, "watch_finished", "Watch already finished"


def pace(settings: Settings) -> watch_plan.Pace:
    """The configured pace, never faster than the Resy client's own pause between calls."""
    return watch_plan.Pace(
        slow=max(settings.watch_poll_seconds, settings.resy_max_delay),
        fast=max(settings.watch_fast_seconds, settings.resy_min_delay),
        fast_window=settings.watch_fast_window,
        wake_before=settings.watch_wake_before,
        jitter=max(0.0, settings.resy_max_delay - settings.resy_min_delay),
    )


async def create_watch(
    db: Database,
    *,
    dining: DiningService,
    auth: ResyAuthManager,
    user: User,
    settings: Settings,
    restaurant: str,
    date_text: str,
    earliest_text: str,
    latest_text: str | None,
    party_size: int,
    seating: Sequence[str] = (),
    special_requests: str | None = None,
    release_time_text: str | None = None,
    now: datetime,
) -> WatchView:
    """Watch ``restaurant`` on ``date_text`` for a table between ``earliest_text`` and
    ``latest_text`` (the restaurant's local times; ``latest`` defaults to ``earliest``)."""
    if not 1 <= party_size <= MAX_PARTY:
        raise InvalidRequest(f"Party size must be between 1 and {MAX_PARTY}.", field="party_size")
    kinds = [" ".join(s.split()) for s in seating if s.strip()]
    if any(len(k) > 100 for k in kinds) or len(kinds) > 10:
        raise InvalidRequest(
            "Name at most 10 kinds of seating, as Resy shows them.", field="seating"
        )
    earliest = parse_time(earliest_text)
    latest = parse_time(latest_text) if latest_text and latest_text.strip() else earliest
    if latest < earliest:
        raise InvalidRequest(
            f"The window ends ({clock_text(latest)}) before it starts ({clock_text(earliest)}).",
            field="latest",
        )
    release_time = parse_time(release_time_text) if release_time_text else watch_plan.MIDNIGHT
    booking._stored(auth)
    async with db.unit_of_work(write=False) as session:
        active = await session.scalar(
            select(DiningWatch.id)
            .where(DiningWatch.user_id == user.id, DiningWatch.status == WatchStatus.WATCHING)
            .offset(MAX_ACTIVE - 1)
            .limit(1)
        )
    if active is not None:
        raise InvalidRequest(
            f"You already have {MAX_ACTIVE} watches running; cancel one of them first."
        )
    resy = auth.client()
    try:
        await auth.ensure_valid_token()
        place = await dining.find_restaurant(db, restaurant, now=now)
        venue_id = await VenueMatcher(db, resy, now=now).find_resy_venue(place)
        if venue_id is None:
            raise NotOnResy(
                f"{place.name} is not on Resy, so Concierge cannot watch it for tables.",
                place_id=place.place_id,
            )
        tz = zone(place.time_zone or user.timezone)
        day = resolve(date_text, earliest_text, now=now, tz=tz).day
        if watch_plan.window_closed(day, latest, tz, now):
            raise InvalidRequest(
                f"{day_text(day)} at {clock_text(latest)} has passed; pick a later date or time.",
                field="date",
            )
        today = now.astimezone(tz).date()
        calendar = await resy.calendar(venue_id, party_size, today, today + timedelta(days=1))
    except resy_errors.ResyError as exc:
        raise booking.translate(exc) from exc
    last_open = calendar.last_calendar_day or today
    release_at = watch_plan.release_moment(
        day, last_open=last_open, now=now, tz=tz, release_time=release_time
    )
    watch = DiningWatch(
        user_id=user.id,
        restaurant_name=place.name,
        place_id=place.place_id,
        venue_id=venue_id,
        time_zone=tz.key,
        day=day,
        earliest=earliest,
        latest=latest,
        party_size=party_size,
        seating="|".join(kinds) or None,
        special_requests=(special_requests or "").strip() or None,
        status=WatchStatus.WATCHING,
        release_at=release_at,
        next_check_at=watch_plan.first_check(
            release_at, now, pace(settings), guessed=not release_time_text
        ),
        checks=0,
        created_at=now,
    )
    async with db.unit_of_work() as session:
        session.add(watch)
        await session.flush()
        view = WatchView.of(watch)
        when = (
            f"its tables are released {view.release_at:%a %b %d at %H:%M %Z}; "
            "Concierge will be looking from a few seconds before"
            if view.release_at
            else "its tables are open already; Concierge looks for a cancellation"
        )
        message = f"Watching {view.what()}: {when}. It books at most one table."
        watch_transitions.note(session, watch.id, now, "created", message)
        log = [DiningWatchEntry(at=now, kind="created", message=message)]
    return WatchView.of(watch, log)


async def list_watches(db: Database, *, user: User, now: datetime, every: bool = False) -> Watches:
    """The person's watches, newest first: the running ones, those finished in the last
    week, and with ``every`` all the others too."""
    async with db.unit_of_work(write=False) as session:
        query = select(DiningWatch).where(DiningWatch.user_id == user.id)
        rows = list(await session.scalars(query.order_by(DiningWatch.id.desc())))
    week_ago = now - timedelta(days=7)
    if not every:
        rows = [r for r in rows if r.finished_at is None or r.finished_at >= week_ago]
    return Watches(items=[WatchView.of(r) for r in rows])


async def get_watch(db: Database, *, user: User, watch_id: int) -> WatchView:
    async with db.unit_of_work(write=False) as session:
        watch = await _mine(session, user, watch_id)
        log = list(
            await session.scalars(
                select(DiningWatchEntry)
                .where(DiningWatchEntry.watch_id == watch_id)
                .order_by(DiningWatchEntry.id.desc())
                .limit(LOG_SHOWN)
            )
        )
    return WatchView.of(watch, list(reversed(log)))


async def cancel_watch(db: Database, *, user: User, watch_id: int, now: datetime) -> WatchView:
    """Stop a running watch. A booked one stays booked: its table is cancelled with
    cancel_reservation, not here."""
    async with db.unit_of_work() as session:
        watch = await _mine(session, user, watch_id)
        if not await watch_transitions.cancelled(session, watch_id, now):
            await session.refresh(watch)
            if watch.status == WatchStatus.BOOKED:
                at = clock_text(watch.booked_time or time())
                raise WatchFinished(
                    f"Watch {watch_id} has booked already ({at}, confirmation "
                    f"{watch.confirmation}); to give up that table, cancel the reservation itself."
                )
            raise WatchFinished(f"Watch {watch_id} is {watch.status} already; nothing to stop.")
    return await get_watch(db, user=user, watch_id=watch_id)


async def booked_recently(db: Database, *, user: User, since: datetime) -> list[WatchView]:
    """Watches that booked a table since ``since``: what my_reservations tells the person."""
    async with db.unit_of_work(write=False) as session:
        rows = await session.scalars(
            select(DiningWatch)
            .where(
                DiningWatch.user_id == user.id,
                DiningWatch.status == WatchStatus.BOOKED,
                DiningWatch.finished_at >= since,
            )
            .order_by(DiningWatch.finished_at)
        )
        return [WatchView.of(r) for r in rows]


async def _mine(session: AsyncSession, user: User, watch_id: int) -> DiningWatch:
    watch = await session.get(DiningWatch, watch_id)
    if watch is None or watch.user_id != user.id:
        raise NotFound(f"You have no watch {watch_id}; the list of your watches shows yours.")
    return watch
