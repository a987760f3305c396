"""Outside calendars: what connecting them costs the slots route, how long a big ICS feed takes
to read, and how many requests a quiet refresh makes.

All on a scratch SQLite file, the app in-process (ASGI), the feeds on a loopback HTTP server
and a CalDAV account on a loopback Radicale:

- slots: ``GET /v1/users/{id}/slots`` over 31 days for a host with no outside calendar and for
  one with three connected (their busy times cached, 300 intervals each), interleaved in one
  run, the slots answer cache off; median of ``ROUNDS`` each, and the ratio.
- a 5,000-event ICS feed (4,900 single events and 100 weekly series): the first read (fetch,
  parse with recurrences expanded, store) and a quiet refresh (a 304).
- requests per quiet refresh over three calendars (two ICS feeds, one CalDAV calendar): aim one
  conditional request each.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from tests.fixtures.radicale import PASSWORD, USER, Radicale
from tests.fixtures.static_http import StaticHTTP

from concierge import migrate
from concierge.app import create_app
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.models import OutsideCalendar
from concierge.outside import service
from concierge.outside.reading import Reading
from concierge.outside.refresh import refresh_due
from concierge.outside.secrets import Secret, seal
from concierge.scheduling.engine import Interval

Row = tuple[str, ...]

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
ROUNDS = 200
UNLIMITED = "1000000/minute"


def settings_for(root: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{root / 'bench.db'}",
        data_dir=root / "data",
        outbound_allow_private=True,
        slots_cache_seconds=0,
        outside_check_seconds=0,
        outside_write_seconds=0,
        rate_limit_default=UNLIMITED,
        rate_limit_signup=UNLIMITED,
        rate_limit_reservations=UNLIMITED,
        _env_file=None,  # type: ignore[call-arg]
    )


def big_feed(events: int = 5000) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN", "X-WR-TIMEZONE:Europe/Berlin"]
    start = datetime(2026, 11, 24, 7, tzinfo=UTC)
    for n in range(events):
        at = start + timedelta(hours=(n * 7) % (24 * 120))
        lines += ["BEGIN:VEVENT", f"UID:e{n}@bench", "DTSTAMP:20261101T000000Z",
                  f"DTSTART:{at:%Y%m%dT%H%M%SZ}",
                  f"DTEND:{at + timedelta(minutes=30):%Y%m%dT%H%M%SZ}"]  # fmt: skip
        if n % 50 == 0:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=20")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


async def sign_up(client: httpx.AsyncClient, name: str) -> tuple[int, dict[str, str]]:
    made = await client.post(
        "/v1/users", json={"name": name, "email": f"{name}@example.com", "timezone": "UTC"}
    )
    body = made.json()
    assert made.status_code == 201, made.text
    auth = {"Authorization": f"Bearer {body['token']}"}
    days = {d: [{"start": "08:00", "end": "18:00"}] for d in ("monday", "tuesday", "wednesday",
                                                           "thursday", "friday")}  # fmt: skip
    await client.put(
        f"/v1/users/{body['user']['id']}/weekly-hours",
        json={"timezone": "UTC", "days": days},
        headers=auth,
    )
    return body["user"]["id"], auth


async def cached_calendars(db: Database, settings: Settings, user_id: int) -> None:
    """Three connected calendars with 300 cached busy intervals each, as a read leaves them."""
    async with db.unit_of_work() as session:
        for n in range(3):
            row = OutsideCalendar(
                user_id=user_id,
                kind="ics",
                name=f"cal {n}",
                host="calendar.example",
                secret=seal(settings, Secret("https://calendar.example/x.ics")),
                collections=[],
                validators={},
                created_at=NOW,
                next_refresh_at=NOW + timedelta(days=1),
            )
            session.add(row)
            await session.flush()
            starts = [NOW + timedelta(hours=5 * k + n) for k in range(300)]
            busy = [Interval(s, s + timedelta(minutes=45)) for s in starts]
            await service.store(session, row, Reading(busy=busy), NOW, settings)
            row.next_refresh_at = NOW + timedelta(days=1)


async def slots_figures(client: httpx.AsyncClient, db: Database, settings: Settings) -> list[Row]:
    plain, viewer = await sign_up(client, "plain")
    connected, _ = await sign_up(client, "connected")
    await cached_calendars(db, settings, connected)
    params = {"from": "2026-11-25", "to": "2026-12-25", "duration": 30}
    timings: dict[int, list[float]] = {plain: [], connected: []}
    for _ in range(ROUNDS):
        for host in (plain, connected):
            started = time.perf_counter()
            answer = await client.get(f"/v1/users/{host}/slots", params=params, headers=viewer)
            timings[host].append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
    none, three = (statistics.median(timings[h]) * 1000 for h in (plain, connected))
    return [
        ("calendars", "slots, 31 days, no outside calendar (median)", f"{none:.2f} ms"),
        ("calendars", "slots, 31 days, 3 cached calendars (median)", f"{three:.2f} ms",
         "900 busy intervals"),
        ("calendars", "slots ratio, 3 calendars / none", f"{three / none:.2f}x", "aim: under 1.5x"),
    ]  # fmt: skip


async def feed_figures(
    client: httpx.AsyncClient, db: Database, settings: Settings, clock: FrozenClock
) -> list[Row]:
    site = StaticHTTP().start()
    radicale = Radicale(Path(tempfile.mkdtemp(prefix="bench-radicale-")))
    try:
        host, auth = await sign_up(client, "feeds")
        site.put("/big.ics", big_feed())
        started = time.perf_counter()
        made = await client.post(
            f"/v1/users/{host}/outside-calendars",
            json={"kind": "ics", "name": "big", "url": site.url("/big.ics")},
            headers=auth,
        )
        first_read = time.perf_counter() - started
        assert made.status_code == 201, made.text
        site.put("/small.ics", big_feed(20))
        radicale.make_calendar("work")
        radicale.put("work", "a", big_feed(1))  # one UID per CalDAV resource
        for body in (
            {"kind": "ics", "name": "small", "url": site.url("/small.ics")},
            {"kind": "caldav", "name": "dav", "url": radicale.url, "username": USER,
             "password": PASSWORD},
        ):  # fmt: skip
            answer = await client.post(
                f"/v1/users/{host}/outside-calendars", json=body, headers=auth
            )
            assert answer.status_code == 201, answer.text
        clock.advance(minutes=settings.outside_refresh_minutes)
        started = time.perf_counter()
        quiet = await refresh_due(db, clock, settings)
        quiet_seconds = time.perf_counter() - started
        site.put("/big.ics", big_feed() + b"\r\n")  # changed: a whole read again
        clock.advance(minutes=settings.outside_refresh_minutes)
        started = time.perf_counter()
        changed = await refresh_due(db, clock, settings)
        changed_seconds = time.perf_counter() - started
    finally:
        radicale.stop()
        site.stop()
    per_calendar = quiet.requests / quiet.calendars
    return [
        ("calendars", "5,000-event ICS feed: first read (fetch, parse, store)",
         f"{first_read * 1000:.0f} ms", "4,900 events + 100 weekly series"),
        ("calendars", "refresh after the 5,000-event feed changed (3 calendars)",
         f"{changed_seconds * 1000:.0f} ms", f"{changed.requests} requests"),
        ("calendars", "quiet refresh of 3 calendars (2 ICS, 1 CalDAV)",
         f"{quiet_seconds * 1000:.0f} ms", f"{quiet.requests} requests"),
        ("calendars", "requests per quiet refresh, per calendar", f"{per_calendar:.2f}",
         "aim: 1 conditional request"),
    ]  # fmt: skip


async def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-calendars-") as scratch:
        settings = settings_for(Path(scratch))
        migrate.upgrade(settings.database_url)
        db = Database(settings.database_url)
        clock = FrozenClock(NOW)
        app = create_app(settings, db=db, clock=clock)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench.test", timeout=120
            ) as client:
                rows = await slots_figures(client, db, settings)
                rows += await feed_figures(client, db, settings, clock)
        finally:
            await db.dispose()
    return rows
