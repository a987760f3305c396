"""Watches book the first table that opens, once: at a release (the stand-in Resy releases a
new day at 09:00:00 on its own clock) and after a cancellation (other diners free tables at
random, seeded), at the configured pace. Watches are set and read through a real MCP client
session (Python SDK), against the Resy and Google stand-ins over loopback, on SQLite and
PostgreSQL; the worker is the one ``concierge serve`` runs.

The frozen clocks (ours and the stand-in's) read Monday 2026-11-23 12:00 UTC, 7 am in New
York; SATURDAY is 2026-11-28. Don Angie is closed on Mondays.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import httpx
import pytest
from mcp import Client
from sqlalchemy import select

from concierge.background import claim
from concierge.clock import Clock, FrozenClock, RunningClock
from concierge.config import Settings
from concierge.db import Database
from concierge.dining import watch_transitions
from concierge.dining.watch_worker import WatchWorker, watch_loop
from concierge.mcp.runtime import Runtime
from concierge.mcp.server import build_server
from concierge.models import DiningReservation, DiningWatch
from concierge.sandbox.resy_inventory import cancel_at_random, sell_out
from tests.fixtures.mcp import ok, text_of
from tests.fixtures.resy import ResySandbox
from tests.mcp import booking_steps
from tests.mcp.test_restaurant_tools import SATURDAY, call, login

pytestmark = pytest.mark.anyio

NEW_YORK = ZoneInfo("America/New_York")
DON_ANGIE = 1505
FAST = {"backoff": 0.01, "backoff_max": 0.05}


@pytest.fixture
def watch_settings(dining_settings: Settings) -> Settings:
    return dining_settings.model_copy(
        update={
            "watch_poll_seconds": 300.0,
            "watch_fast_seconds": 1.0,
            "watch_fast_window": 60.0,
            "watch_wake_before": 3.0,
        }
    )


@pytest.fixture
def connect_as(
    db: Database, watch_settings: Settings
) -> Callable[[Any, Clock], AbstractAsyncContextManager[Client]]:
    @asynccontextmanager
    async def connect(person: Any, clock: Clock) -> AsyncIterator[Client]:
        runtime = Runtime(
            db=db, clock=clock, settings=watch_settings, token=person.token, resy_options=FAST
        )
        async with Client(build_server(runtime), mode="legacy") as client:
            yield client

    return connect


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def both_clocks(resy_sandbox: ResySandbox, clock: FrozenClock) -> Iterator[FrozenClock]:
    """Our clock and the stand-in's as one: setting or advancing it moves both."""
    world_clock = resy_sandbox.world.clock
    resy_sandbox.world.clock = clock
    try:
        yield clock
    finally:
        resy_sandbox.world.clock = world_clock


def finds(resy_sandbox: ResySandbox) -> int:
    return resy_sandbox.count("GET /4/find") + resy_sandbox.count("POST /4/find")


def confirmed(resy_sandbox: ResySandbox) -> list[dict[str, Any]]:
    return [r for r in resy_sandbox.reservations() if r["status"] == "confirmed"]


async def watch_row(db: Database, watch_id: int) -> DiningWatch:
    async with db.unit_of_work(write=False) as session:
        row = await session.get(DiningWatch, watch_id)
        assert row is not None
        return row


async def watch_saturday(client: Client, **more: Any) -> dict[str, Any]:
    asked: dict[str, Any] = {
        "restaurant_name": "Don Angie",
        "date": "Saturday",
        "earliest": "7pm",
        "latest": "9pm",
        "party_size": 2,
        "seating": ["Bar", "Dining Room"],
        **more,
    }
    result = ok(await call(client, "watch_for_table", **asked))
    body: dict[str, Any] = result.structured_content
    return body


def free_one_in_window(resy_sandbox: ResySandbox, day: date, seed: int) -> list[time]:
    """Other diners cancel at random until one of the freed tables is between 7 and 9 pm;
    the times freed, in order."""
    freed: list[time] = []
    rng_seed = seed
    while not any(time(19) <= t <= time(21) for t in freed):
        [(_, _, at, _)] = cancel_at_random(
            resy_sandbox.world, 1, venue_id=DON_ANGIE, day=day, seed=rng_seed
        )
        freed.append(at)
        rng_seed += 1
    return freed


async def test_a_cancellation_is_booked_at_the_next_look_and_only_one_table_is_booked(
    connect_as,
    sign_up,
    resy_sandbox: ResySandbox,
    db: Database,
    both_clocks,
    http,
    watch_settings,
) -> None:
    saturday = date.fromisoformat(SATURDAY)
    sell_out(resy_sandbox.world, DON_ANGIE, saturday)
    me = await sign_up("Dana", "America/New_York")
    async with connect_as(me, both_clocks) as client:
        await login(client)
        watch = await watch_saturday(client)
        assert watch["status"] == "watching"
        assert watch["release_at"] is None  # Saturday is open already: cancellations only
        worker = WatchWorker(db, both_clocks, watch_settings, http, resy_options=FAST)

        assert await worker.cycle() == 0  # a first look: sold out
        looks = finds(resy_sandbox)
        both_clocks.advance(seconds=100)
        assert await worker.cycle() == 0
        assert finds(resy_sandbox) == looks  # not due yet: Resy is not asked

        freed = free_one_in_window(resy_sandbox, saturday, seed=7)
        both_clocks.advance(seconds=200)  # the next look is due
        assert await worker.cycle() == 1
        assert finds(resy_sandbox) == looks + 1  # picked up within one poll

        both_clocks.advance(seconds=600)
        assert await worker.cycle() == 0  # booked: never looked at again
        assert finds(resy_sandbox) == looks + 1

        [table] = confirmed(resy_sandbox)
        booked_at = time.fromisoformat(table["at"])
        assert booked_at in freed
        assert time(19) <= booked_at <= time(21)
        assert resy_sandbox.count("POST /3/book") == 1

        shown = ok(await call(client, "list_watches", watch_id=watch["id"]))
        [view] = shown.structured_content["items"]
        assert view["status"] == "booked"
        assert view["confirmation"] == str(table["reservation_id"])
        assert "Booked: Don Angie" in text_of(shown)
        mine = ok(await call(client, "my_reservations"))
        assert "Booked by your watches:" in text_of(mine)
        assert str(table["reservation_id"]) in text_of(mine)
        again = await call(client, "cancel_watch", watch_id=watch["id"])
        assert again.is_error
        assert "cancel the reservation itself" in text_of(again)


async def test_a_watch_takes_only_the_seating_and_window_asked_for(
    connect_as,
    sign_up,
    resy_sandbox: ResySandbox,
    db: Database,
    both_clocks,
    http,
    watch_settings,
) -> None:
    saturday = date.fromisoformat(SATURDAY)
    sell_out(resy_sandbox.world, DON_ANGIE, saturday)
    me = await sign_up("Dana", "America/New_York")
    async with connect_as(me, both_clocks) as client:
        await login(client)
        watch = await watch_saturday(client, seating=["Bar"])
        worker = WatchWorker(db, both_clocks, watch_settings, http, resy_options=FAST)
        # A dining room table at 8 pm and a bar table at 5:30 pm free up: neither fits.
        resy_sandbox.world.taken_by_others[(DON_ANGIE, saturday, time(20), "Dining Room")] -= 1
        resy_sandbox.world.taken_by_others[(DON_ANGIE, saturday, time(17, 30), "Bar")] -= 1
        assert await worker.cycle() == 0
        assert confirmed(resy_sandbox) == []
        resy_sandbox.world.taken_by_others[(DON_ANGIE, saturday, time(20, 30), "Bar")] -= 1
        both_clocks.advance(seconds=300)
        assert await worker.cycle() == 1
    [table] = confirmed(resy_sandbox)
    assert (table["at"], table["kind"]) == ("20:30:00", "Bar")
    row = await watch_row(db, watch["id"])
    assert (row.status, row.booked_seating) == ("booked", "Bar")


async def test_a_table_already_held_there_that_day_stops_the_watch_without_booking(
    connect_as,
    sign_up,
    resy_sandbox: ResySandbox,
    db: Database,
    both_clocks,
    http,
    watch_settings,
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_as(me, both_clocks) as client:
        await login(client)
        ok(
            await booking_steps.book(
                client,
                restaurant_name="Don Angie",
                date="Saturday",
                time="17:30",
                party_size=2,
            )
        )
        watch = await watch_saturday(client)
        worker = WatchWorker(db, both_clocks, watch_settings, http, resy_options=FAST)
        assert await worker.cycle() == 0
        shown = ok(await call(client, "list_watches", watch_id=watch["id"]))
    assert shown.structured_content["items"][0]["status"] == "ended"
    assert "You already have a table at Don Angie" in text_of(shown)
    assert resy_sandbox.count("POST /3/book") == 1  # the person's own booking only


async def test_a_cancelled_watch_books_nothing(
    connect_as,
    sign_up,
    resy_sandbox: ResySandbox,
    db: Database,
    both_clocks,
    http,
    watch_settings,
) -> None:
    saturday = date.fromisoformat(SATURDAY)
    sell_out(resy_sandbox.world, DON_ANGIE, saturday)
    me = await sign_up("Dana", "America/New_York")
    async with connect_as(me, both_clocks) as client:
        await login(client)
        watch = await watch_saturday(client)
        stopped = ok(await call(client, "cancel_watch", watch_id=watch["id"]))
        assert stopped.structured_content["status"] == "cancelled"
        resy_sandbox.world.taken_by_others.clear()
        worker = WatchWorker(db, both_clocks, watch_settings, http, resy_options=FAST)
        assert await worker.cycle() == 0
        listed = ok(await call(client, "list_watches"))
    assert confirmed(resy_sandbox) == []
    assert finds(resy_sandbox) == 0
    assert "cancelled" in text_of(listed)


async def test_a_note_is_said_at_once_not_to_reach_the_restaurant_through_resy(
    connect_as, sign_up, resy_sandbox: ResySandbox, both_clocks
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_as(me, both_clocks) as client:
        await login(client)
        result = ok(
            await call(
                client,
                "watch_for_table",
                restaurant_name="Don Angie",
                date="Saturday",
                earliest="7pm",
                latest="9pm",
                special_requests="A high chair, please",
            )
        )
    assert result.structured_content["special_requests"] == "A high chair, please"
    said = text_of(result)
    assert 'Note "A high chair, please"' in said
    assert "will NOT reach the restaurant through Resy" in said


async def test_a_quiet_watch_keeps_to_the_configured_pace(
    connect_as,
    sign_up,
    resy_sandbox: ResySandbox,
    db: Database,
    both_clocks,
    http,
    watch_settings,
) -> None:
    """An hour of nothing, looked at every 10 s of the clock: one find per poll interval."""
    saturday = date.fromisoformat(SATURDAY)
    sell_out(resy_sandbox.world, DON_ANGIE, saturday)
    me = await sign_up("Dana", "America/New_York")
    async with connect_as(me, both_clocks) as client:
        await login(client)
        await watch_saturday(client)
    worker = WatchWorker(db, both_clocks, watch_settings, http, resy_options=FAST)
    for _ in range(360):
        await worker.cycle()
        both_clocks.advance(seconds=10)
    hour = watch_settings.watch_poll_seconds
    assert finds(resy_sandbox) == 3600 / hour  # 12 looks in the hour, the first at once
    looks = [
        datetime.fromisoformat(r["at"]) for r in resy_sandbox.requests() if r["path"] == "/4/find"
    ]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(looks)]
    assert min(gaps) >= hour


async def test_around_a_release_the_watch_looks_fast_for_a_bounded_minute_then_slowly(
    connect_as,
    sign_up,
    resy_sandbox: ResySandbox,
    db: Database,
    both_clocks,
    http,
    watch_settings,
) -> None:
    """The release happens, but the tables go to others at once: the watch wakes 3 s before,
    looks every second for a minute, then once per poll interval."""
    world = resy_sandbox.world
    world.release_time, world.horizon_days = time(9), 30
    # Tuesday 08:00 in New York; Thursday Dec 24 opens 30 days ahead, today at 09:00.
    both_clocks.set(datetime(2026, 11, 24, 8, 0, tzinfo=NEW_YORK))
    target = date(2026, 12, 24)
    sell_out(world, DON_ANGIE, target)
    me = await sign_up("Dana", "America/New_York")
    async with connect_as(me, both_clocks) as client:
        await login(client)
        watch = ok(
            await call(
                client,
                "watch_for_table",
                restaurant_name="Don Angie",
                date="2026-12-24",
                earliest="7pm",
                latest="9pm",
                release_time="9am",
            )
        ).structured_content
    release = datetime(2026, 11, 24, 9, 0, tzinfo=NEW_YORK)
    assert datetime.fromisoformat(watch["release_at"]) == release
    worker = WatchWorker(db, both_clocks, watch_settings, http, resy_options=FAST)
    await worker.cycle()  # at 8 am: nothing due
    both_clocks.set(release - timedelta(seconds=10))
    while both_clocks.now() < release + timedelta(seconds=70):
        await worker.cycle()
        both_clocks.advance(seconds=0.25)
    while both_clocks.now() < release + timedelta(minutes=12):
        await worker.cycle()
        both_clocks.advance(seconds=10)
    looks = [
        datetime.fromisoformat(r["at"]) for r in resy_sandbox.requests() if r["path"] == "/4/find"
    ]
    assert looks[0] >= release - timedelta(seconds=3)  # nothing asked in the hour before
    fast = [t for t in looks if t <= release + timedelta(seconds=60)]
    assert 60 <= len(fast) <= 64  # about one a second, from 3 s before to 60 s after
    slow = looks[len(fast) :]
    poll = timedelta(seconds=watch_settings.watch_poll_seconds)
    assert slow == [fast[-1] + poll, fast[-1] + 2 * poll]  # then once per poll interval
    assert confirmed(resy_sandbox) == []


async def test_a_release_at_nine_is_booked_within_two_seconds_on_the_stand_ins_clock(
    connect_as, sign_up, resy_sandbox: ResySandbox, db: Database, http, watch_settings
) -> None:
    """Real time: both clocks run from 08:59:57 in New York; the worker ticks as in serve."""
    world = resy_sandbox.world
    world.release_time, world.horizon_days = time(9), 30
    running = RunningClock(datetime(2026, 11, 24, 8, 59, 54, tzinfo=NEW_YORK))
    release = datetime(2026, 11, 24, 9, 0, tzinfo=NEW_YORK)
    frozen, world.clock = world.clock, running
    try:
        me = await sign_up("Dana", "America/New_York")
        async with connect_as(me, running) as client:
            await login(client)
            watch = ok(
                await call(
                    client,
                    "watch_for_table",
                    restaurant_name="Don Angie",
                    date="2026-12-24",
                    earliest="7pm",
                    latest="9pm",
                    release_time="9:00",
                )
            ).structured_content
        assert running.now() < release, "set-up took too long to see the release"
        worker = WatchWorker(db, running, watch_settings, http, resy_options=FAST)
        async with watch_loop(worker, 0.05).running():
            for _ in range(300):  # 15 s at most
                if confirmed(resy_sandbox):
                    break
                await anyio.sleep(0.05)
    finally:
        world.clock = frozen
    [table] = confirmed(resy_sandbox)
    booked_at = datetime.fromisoformat(table["booked_at"])
    assert timedelta(0) <= booked_at - release <= timedelta(seconds=2)
    assert table["day"] == "2026-12-24"
    assert "19:00:00" <= table["at"] <= "21:00:00"
    row = await watch_row(db, watch["id"])
    assert row.status == "booked"
    async with db.unit_of_work(write=False) as session:
        [record] = (await session.scalars(select(DiningReservation))).all()
    assert record.confirmation == str(table["reservation_id"]) == row.confirmation
    assert booked_at.astimezone(UTC) >= release.astimezone(UTC)


async def test_a_table_already_held_inside_the_window_is_taken_as_the_watchs_own(
    connect_as,
    sign_up,
    resy_sandbox: ResySandbox,
    db: Database,
    both_clocks,
    http,
    watch_settings,
) -> None:
    """What a worker finds after another booked the table and died before recording the watch
    as booked: the table is the watch's, and nothing more is booked."""
    me = await sign_up("Dana", "America/New_York")
    async with connect_as(me, both_clocks) as client:
        await login(client)
        held = ok(
            await booking_steps.book(
                client,
                restaurant_name="Don Angie",
                date="Saturday",
                time="19:30",
                party_size=2,
            )
        ).structured_content
        watch = await watch_saturday(client)
        worker = WatchWorker(db, both_clocks, watch_settings, http, resy_options=FAST)
        assert await worker.cycle() == 1
        shown = ok(await call(client, "list_watches", watch_id=watch["id"]))
    [view] = shown.structured_content["items"]
    assert (view["status"], view["confirmation"]) == ("booked", held["confirmation"])
    assert "Found the table already yours" in text_of(shown)
    assert resy_sandbox.count("POST /3/book") == 1
    assert len(confirmed(resy_sandbox)) == 1


async def test_a_leased_watch_is_left_alone_and_a_worker_that_lost_its_lease_cannot_finish_it(
    connect_as,
    sign_up,
    resy_sandbox: ResySandbox,
    db: Database,
    both_clocks,
    http,
    watch_settings,
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_as(me, both_clocks) as client:
        await login(client)
        watch = await watch_saturday(client)
    stalled = WatchWorker(db, both_clocks, watch_settings, http, owner="stalled")
    async with db.unit_of_work() as session:
        assert await claim(
            session,
            DiningWatch,
            DiningWatch.id == watch["id"],
            owner=stalled.owner,
            now=both_clocks.now(),
            lease=stalled.lease,
            limit=1,
        ) == [watch["id"]]
    other = WatchWorker(db, both_clocks, watch_settings, http, owner="other", resy_options=FAST)
    assert await other.cycle() == 0
    assert finds(resy_sandbox) == 0  # leased to the stalled worker: nobody else looks
    both_clocks.advance(seconds=watch_settings.watch_lease_seconds + 1)
    assert await other.cycle() == 1  # the lease ran out: the other worker books
    async with db.unit_of_work() as session:
        late = await watch_transitions.booked(
            session,
            watch["id"],
            both_clocks.now(),
            owner=stalled.owner,
            booking_id=None,
            confirmation="never",
            at=time(19),
            seating=None,
            message="the stalled worker wakes up",
        )
    assert late is False
    row = await watch_row(db, watch["id"])
    assert row.confirmation != "never"
    assert len(confirmed(resy_sandbox)) == 1
