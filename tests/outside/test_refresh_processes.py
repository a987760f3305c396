"""Two real ``concierge serve`` processes on one database refresh each connected calendar once
per period between them (``background.claim``), never both at once. Both databases."""

from __future__ import annotations

import itertools

import anyio
import httpx
import pytest

from concierge.db import Database
from tests.fixtures.server import ServerPool
from tests.fixtures.static_http import StaticHTTP
from tests.outside.helpers import calendar, event

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

PERIOD_SECONDS = 3.0
FEEDS = ("/a.ics", "/b.ics", "/c.ics")


async def test_two_servers_refresh_each_calendar_once_per_period(
    live_servers: ServerPool, database_url: str, db: Database, static_http: StaticHTTP
) -> None:
    first, second = live_servers.start(
        database_url,
        count=2,
        env={
            "CONCIERGE_OUTBOUND_ALLOW_PRIVATE": "true",
            "CONCIERGE_OUTSIDE_REFRESH_MINUTES": str(PERIOD_SECONDS / 60),
            "CONCIERGE_OUTSIDE_CHECK_SECONDS": "0.2",
        },
    )
    for path in FEEDS:
        static_http.put(path, calendar(event(path, ":20301125T100000Z", ":20301125T110000Z")))
    async with httpx.AsyncClient(base_url=first.url, timeout=30) as api:
        signed = (
            await api.post(
                "/v1/users", json={"name": "Hana", "email": "hana@example.com", "timezone": "UTC"}
            )
        ).json()
        auth = {"Authorization": f"Bearer {signed['token']}"}
        for path in FEEDS:
            made = await api.post(
                f"/v1/users/{signed['user']['id']}/outside-calendars",
                json={"kind": "ics", "name": path, "url": static_http.url(path)},
                headers=auth,
            )
            assert made.status_code == 201, made.text
    watched = 5 * PERIOD_SECONDS
    await anyio.sleep(watched)
    assert first.alive
    assert second.alive
    for path in FEEDS:
        times = [t for p, t in static_http.times if p == path]
        refreshes = len(times) - 1  # the first read is the connect itself
        # At most one read per period since the connect (about 5), never two processes at
        # once; a loaded machine may be late for some, so the floor is only "it goes on".
        assert 2 <= refreshes <= 6, (path, refreshes)
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert min(gaps) > PERIOD_SECONDS * 0.8, (path, gaps)
    assert {status for _, p, status in static_http.requests if p in FEEDS} == {200, 304}
