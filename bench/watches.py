"""Watches: how soon after a release the table is booked, and what a quiet watch costs Resy.

Releases: the stand-in Resy releases a new day at 09:00:00 on its clock, which runs in real
time from a moment set a random 0.5-3 s before the release (the watch is awake already: it
wakes 3 s early); the worker ticks as in ``concierge serve``; the figure is the stand-in's
booking time minus 09:00:00, over RELEASES releases (one new day each). Resy's 1-3 s pauses
are off here (each pause adds to a real booking: it takes three calls after the look).

Quiet: a watch on a sold-out day, the worker ticking every 10 s of a frozen clock for an hour
of it; the figure is Resy calls per watch-hour at the default pace.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from statistics import median, quantiles
from zoneinfo import ZoneInfo

import anyio
import httpx

from bench._row import Row
from concierge import migrate
from concierge.accounts import service as accounts
from concierge.clock import FrozenClock, RunningClock
from concierge.config import Settings
from concierge.credentials import CredentialStore
from concierge.db import Database
from concierge.dining import watches
from concierge.dining.service import DiningService
from concierge.dining.watch_worker import WatchWorker, watch_loop
from concierge.integrations.google_places import GooglePlacesClient
from concierge.integrations.resy.auth import ResyAuthManager
from concierge.models import User
from concierge.sandbox import google_places
from concierge.sandbox.google_places import SANDBOX_API_KEY
from concierge.sandbox.loopback import serving
from concierge.sandbox.resy import ResyWorld, create_app
from concierge.sandbox.resy_data import DEMO_PASSWORD, USERS
from concierge.sandbox.resy_inventory import sell_out

RELEASES = 50
NEW_YORK = ZoneInfo("America/New_York")
DON_ANGIE = 1505
# A Tuesday; Don Angie is closed on Mondays, so release days are chosen to open Tue-Sun.
FIRST_DAY = datetime(2026, 11, 24, tzinfo=NEW_YORK).date()


async def run() -> list[Row]:
    world = ResyWorld(RunningClock())
    with (
        serving(create_app(world)) as resy_url,
        serving(google_places.create_app()) as google_url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        database_url = f"sqlite:///{Path(scratch) / 'bench.db'}"
        migrate.upgrade(database_url)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=database_url,
            resy_base_url=resy_url,
            resy_web_url=resy_url,
            resy_min_delay=0,
            resy_max_delay=0,
            google_places_base_url=google_url,
            google_places_api_key=SANDBOX_API_KEY,
            data_dir=Path(scratch),
        )
        db = Database(database_url)
        try:
            async with httpx.AsyncClient() as http:
                latencies = await _releases(db, settings, http, world)
                world.reset()
                quiet, asleep = await _quiet(db, settings, http, world)
        finally:
            await db.dispose()
    p50 = median(latencies)
    p99 = quantiles(latencies, n=100, method="inclusive")[98]
    note = f"{RELEASES} releases, fast look every {settings.watch_fast_seconds:g} s"
    return [
        Row("release to booked, p50", p50 * 1000, "ms", note),
        Row("release to booked, p99", p99 * 1000, "ms", note),
        Row("release to booked, max", max(latencies) * 1000, "ms", note),
        Row(
            "Resy calls per watch-hour, quiet",
            quiet,
            "calls",
            f"cancellation poll every {settings.watch_poll_seconds:g} s",
        ),
        Row(
            "Resy calls per watch-hour, before a release",
            asleep,
            "calls",
            "the hour before; it wakes 3 s before",
        ),
    ]


async def _person(db: Database, settings: Settings, http: httpx.AsyncClient, n: int) -> User:
    async with db.unit_of_work() as session:
        user, _ = await accounts.create_user(
            session,
            name=f"Bench {n}",
            email=f"bench{n}@example.com",
            timezone="America/New_York",
            now=datetime.now(UTC),
            settings=settings,
        )
    store = CredentialStore.for_owner(settings, user.id)
    await ResyAuthManager(http, settings, store).login(USERS[0].email, DEMO_PASSWORD)
    return user


async def _releases(
    db: Database, settings: Settings, http: httpx.AsyncClient, world: ResyWorld
) -> list[float]:
    world.release_time, world.horizon_days = time(9), 30
    clock = world.clock
    assert isinstance(clock, RunningClock)
    rng = random.Random(17)
    user = await _person(db, settings, http, 1)
    places = GooglePlacesClient.from_settings(settings, http, backoff_seconds=0)
    dining = DiningService(http=http, settings=settings, places=places)
    worker = WatchWorker(db, clock, settings, http)
    latencies: list[float] = []
    day = FIRST_DAY
    async with watch_loop(worker, 0.02).running():
        while len(latencies) < RELEASES:
            target = day + timedelta(days=30)
            if target.weekday() == 0:
                day += timedelta(days=1)
                continue
            release = datetime.combine(day, time(9), NEW_YORK)
            clock.set(release - timedelta(seconds=rng.uniform(0.5, 3.0)))
            auth = ResyAuthManager(
                http, settings, CredentialStore.for_owner(settings, user.id), clock=clock
            )
            await watches.create_watch(
                db,
                dining=dining,
                auth=auth,
                user=user,
                settings=settings,
                restaurant="Don Angie",
                date_text=target.isoformat(),
                earliest_text="7pm",
                latest_text="9pm",
                party_size=2,
                release_time_text="9am",
                now=clock.now(),
            )
            booked = len(world.reservations)
            for _ in range(2000):  # 20 s at most
                if len(world.reservations) > booked:
                    break
                await anyio.sleep(0.01)
            else:
                raise RuntimeError(f"the release of {target} was never booked")
            latencies.append((world.reservations[-1].booked_at - release).total_seconds())
            print(f"release {len(latencies)}: {latencies[-1]:.3f} s", file=sys.stderr)
            day += timedelta(days=1)
    return latencies


async def _quiet(
    db: Database, settings: Settings, http: httpx.AsyncClient, world: ResyWorld
) -> tuple[float, float]:
    frozen = FrozenClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    world.clock = frozen
    saturday = datetime(2026, 11, 28, tzinfo=NEW_YORK).date()
    sell_out(world, DON_ANGIE, saturday)
    user = await _person(db, settings, http, 2)
    places = GooglePlacesClient.from_settings(settings, http, backoff_seconds=0)
    await watches.create_watch(
        db,
        dining=DiningService(http=http, settings=settings, places=places),
        auth=ResyAuthManager(
            http, settings, CredentialStore.for_owner(settings, user.id), clock=frozen
        ),
        user=user,
        settings=settings,
        restaurant="Don Angie",
        date_text=saturday.isoformat(),
        earliest_text="7pm",
        latest_text="9pm",
        party_size=2,
        now=frozen.now(),
    )
    worker = WatchWorker(db, frozen, settings, http)
    quiet = await _an_hour(world, worker, frozen)
    world.release_time = time(11, 30)
    await watches.create_watch(  # the day after Don Angie's last open one: released at 11:30
        db,
        dining=DiningService(http=http, settings=settings, places=places),
        auth=ResyAuthManager(
            http, settings, CredentialStore.for_owner(settings, user.id), clock=frozen
        ),
        user=user,
        settings=settings,
        restaurant="Don Angie",
        date_text=(frozen.now().astimezone(NEW_YORK).date() + timedelta(days=30)).isoformat(),
        earliest_text="7pm",
        latest_text=None,
        party_size=2,
        release_time_text="11:30am",
        now=frozen.now(),
    )
    asleep = await _an_hour(world, worker, frozen) - quiet
    return quiet, asleep


async def _an_hour(world: ResyWorld, worker: WatchWorker, clock: FrozenClock) -> float:
    """Resy calls in an hour of the clock, the worker ticking every 10 s of it."""
    before = sum(world.stats.values())
    for _ in range(360):
        await worker.cycle()
        clock.advance(seconds=10)
    return float(sum(world.stats.values()) - before)
