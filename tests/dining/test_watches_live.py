"""Real ``concierge serve`` processes run watches: two of them on one watch book one table, and
a watch survives its server being killed and started again. The stand-in Resy runs in this
process on the real clock (these servers read the system clock), so the day watched lies a
few days after today; Google's stand-in finds the restaurant. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import httpx
import pytest

from concierge.clock import RunningClock
from concierge.config import Settings
from concierge.credentials import CredentialStore
from concierge.db import Database
from concierge.integrations.resy.auth import ResyAuthManager
from concierge.sandbox.google_places import SANDBOX_API_KEY
from concierge.sandbox.loopback import serving
from concierge.sandbox.resy import ResyWorld, create_app
from concierge.sandbox.resy_inventory import sell_out
from tests.fixtures.dining import GoogleSandbox
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD
from tests.fixtures.server import ServerPool, ServerProcess

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

NEW_YORK = ZoneInfo("America/New_York")
DON_ANGIE = 1505


def watched_day() -> date:
    """Three or more days ahead in New York, not a Monday (Don Angie is closed then)."""
    day = datetime.now(NEW_YORK).date() + timedelta(days=3)
    return day + timedelta(days=1) if day.weekday() == 0 else day


@pytest.fixture
def live_resy() -> Iterator[tuple[str, ResyWorld]]:
    world = ResyWorld(RunningClock())
    with serving(create_app(world)) as url:
        yield url, world


@pytest.fixture
def pool(
    live_servers: ServerPool, live_resy: tuple[str, ResyWorld], google_sandbox: GoogleSandbox
) -> ServerPool:
    url, _ = live_resy
    live_servers.base_env.update(
        {
            "CONCIERGE_RESY_BASE_URL": url,
            "CONCIERGE_RESY_WEB_URL": url,
            "CONCIERGE_RESY_MIN_DELAY": "0",
            "CONCIERGE_RESY_MAX_DELAY": "0",
            "CONCIERGE_GOOGLE_PLACES_BASE_URL": google_sandbox.url,
            "CONCIERGE_GOOGLE_PLACES_API_KEY": SANDBOX_API_KEY,
            "CONCIERGE_WATCH_TICK_SECONDS": "0.1",
            "CONCIERGE_WATCH_POLL_SECONDS": "0.3",
            "CONCIERGE_WATCH_LEASE_SECONDS": "3",
        }
    )
    return live_servers


async def person_with_resy_login(server: ServerProcess, pool: ServerPool, resy_url: str) -> Any:
    """Signed up on ``server``, with the demo Resy login saved where every server reads it."""
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.post(
            "/v1/users",
            json={"name": "Dana", "email": "dana@example.com", "timezone": "America/New_York"},
        )
    assert response.status_code == 201, response.text
    body = response.json()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=pool.workdir / "data",
        resy_base_url=resy_url,
        resy_web_url=resy_url,
        resy_min_delay=0,
        resy_max_delay=0,
    )
    async with httpx.AsyncClient() as http:
        store = CredentialStore.for_owner(settings, body["user"]["id"])
        await ResyAuthManager(http, settings, store).login(DEMO_EMAIL, DEMO_PASSWORD)
    return {"Authorization": f"Bearer {body['token']}"}


async def watch(server: ServerProcess, auth: Any, day: date) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        response = await client.post(
            "/v1/dining/watches",
            json={
                "restaurant": "Don Angie",
                "date": day.isoformat(),
                "earliest": "7pm",
                "latest": "9pm",
                "party_size": 2,
                "seating": ["Bar", "Dining Room"],
            },
            headers=auth,
        )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def state(server: ServerProcess, auth: Any, watch_id: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get(f"/v1/dining/watches/{watch_id}", headers=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def until(server: ServerProcess, auth: Any, watch_id: int, done: Any) -> dict[str, Any]:
    for _ in range(300):  # 30 s at most
        seen = await state(server, auth, watch_id)
        if done(seen):
            return seen
        await anyio.sleep(0.1)
    raise AssertionError(f"watch {watch_id} never got there: {seen}\n{server.log()}")


def free_the_evening(world: ResyWorld, day: date) -> int:
    """Every table between 7 and 9 pm that day is given back at once."""
    keys = [k for k in world.taken_by_others if k[1] == day and time(19) <= k[2] <= time(21)]
    for key in keys:
        world.taken_by_others[key] = 0
    return len(keys)


def confirmed(world: ResyWorld) -> list[Any]:
    return [r for r in world.reservations if r.status == "confirmed"]


async def test_two_servers_running_the_same_watch_book_one_table(
    pool: ServerPool, database_url: str, live_resy: tuple[str, ResyWorld], db: Database
) -> None:
    url, world = live_resy
    day = watched_day()
    sell_out(world, DON_ANGIE, day)
    first, second = pool.start(database_url, count=2)
    auth = await person_with_resy_login(first, pool, url)
    made = await watch(first, auth, day)
    # Both servers' workers take turns at it (each look hands the watch back).
    await until(second, auth, made["id"], lambda w: w["checks"] >= 6)
    assert confirmed(world) == []
    assert free_the_evening(world, day) >= 6  # several tables open at once: a real race
    booked = await until(second, auth, made["id"], lambda w: w["status"] == "booked")
    await anyio.sleep(1.5)  # five more poll intervals: nothing else is booked
    [table] = confirmed(world)
    assert world.stats["POST /3/book"] == 1
    assert booked["confirmation"] == str(table.reservation_id)
    assert [e["kind"] for e in booked["log"]] == ["created", "booked"]


async def test_a_watch_survives_its_server_being_killed_and_started_again(
    pool: ServerPool, database_url: str, live_resy: tuple[str, ResyWorld], db: Database
) -> None:
    url, world = live_resy
    day = watched_day()
    sell_out(world, DON_ANGIE, day)
    [server] = pool.start(database_url)
    auth = await person_with_resy_login(server, pool, url)
    made = await watch(server, auth, day)
    looked = await until(server, auth, made["id"], lambda w: w["checks"] >= 3)
    server.kill()  # SIGKILL, perhaps in the middle of a look, holding the watch's lease
    finds = world.stats["GET /4/find"] + world.stats["POST /4/find"]
    free_the_evening(world, day)
    server = pool.restart(server)
    booked = await until(server, auth, made["id"], lambda w: w["status"] == "booked")
    assert booked["checks"] >= looked["checks"]
    assert world.stats["GET /4/find"] + world.stats["POST /4/find"] > finds
    [table] = confirmed(world)
    assert booked["confirmation"] == str(table.reservation_id)
    assert datetime.fromisoformat(booked["created_at"]) == datetime.fromisoformat(
        made["created_at"]
    )
