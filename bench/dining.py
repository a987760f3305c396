"""Dining: reading dates in words, judging names, and checking availability through both
stand-ins over loopback HTTP (Resy pauses off), cold (Google + matching + find) and warm (the
cache answers; one Resy find). Real Google and Resy add their latency and Resy's 1-3 s pauses."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from zoneinfo import ZoneInfo

import httpx

from bench._row import Row
from concierge import migrate
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.dining.dates import parse_date, parse_time
from concierge.dining.names import name_key, name_score
from concierge.dining.service import DiningService
from concierge.integrations.resy.client import ResyClient
from concierge.sandbox import google_places
from concierge.sandbox.google_places import SANDBOX_API_KEY, SEARCH_TEXT
from concierge.sandbox.loopback import serving
from concierge.sandbox.resy import ResyWorld, create_app
from concierge.sandbox.resy_data import DEMO_PASSWORD, VENUES

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
WORDS = ["today", "Saturday", "next Saturday", "Feb 14", "2/14", "2026-12-24", "in 3 days"]
NAMES = ["Carbone", "Don Angie", "Via Carota", "Lilia", "I Sodi", "Rezdora", "Thai Diner"]


class _Tokens:
    def __init__(self, token: str) -> None:
        self.token = token

    async def current_token(self) -> str:
        return self.token

    async def renew_token(self, rejected: str) -> str:
        return self.token


async def run() -> list[Row]:
    rows = [_dates(), _names()]
    rows += await _availability()
    return rows


def _dates() -> Row:
    tz = ZoneInfo("America/New_York")
    count = 0
    started = time.perf_counter()
    for _ in range(2000):
        for words in WORDS:
            parse_date(words, now=NOW, tz=tz, at=parse_time("7pm"))
            count += 1
    return Row("dates read", count / (time.perf_counter() - started), "per s", "date + time")


def _names() -> Row:
    venues = [name_key(v.name, v.locality) for v in VENUES]
    started = time.perf_counter()
    count = 0
    for _ in range(200):
        for place in NAMES:
            key = name_key(place)
            for venue in venues:
                name_score(key, venue)
                count += 1
    return Row("names judged", count / (time.perf_counter() - started), "per s", "normalise+score")


async def _availability() -> list[Row]:
    clock = FrozenClock(NOW)
    world = ResyWorld(clock)
    google = google_places.create_app()
    with (
        serving(create_app(world)) as resy_url,
        serving(google) as google_url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        database_url = f"sqlite:///{Path(scratch) / 'bench.db'}"
        migrate.upgrade(database_url)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=database_url,
            resy_base_url=resy_url,
            resy_min_delay=0,
            resy_max_delay=0,
            google_places_base_url=google_url,
            google_places_api_key=SANDBOX_API_KEY,
            data_dir=Path(scratch),
        )
        db = Database(database_url)
        try:
            async with httpx.AsyncClient() as http:
                login = await ResyClient(http, settings).login("demo@resy.test", DEMO_PASSWORD)
                tokens = _Tokens(login.token.get_secret_value())
                service = DiningService(http=http, settings=settings)
                cold, warm = [], []
                for rounds, timings in ((1, cold), (5, warm)):
                    for _ in range(rounds):
                        for name in NAMES:
                            t0 = time.perf_counter()
                            await service.check_availability(
                                db, tokens=tokens, restaurant=name, date="Saturday",
                                preferred_time="7pm", now=clock.now(),
                                timezone="America/New_York",
                            )  # fmt: skip
                            timings.append(time.perf_counter() - t0)
                    if timings is cold:
                        resy_cold = sum(world.stats.values())
                        google_cold = google.state.counts[SEARCH_TEXT]
                resy_warm = sum(world.stats.values()) - resy_cold
                google_warm = google.state.counts[SEARCH_TEXT] - google_cold
        finally:
            await db.dispose()
    per = len(NAMES)
    return [
        Row("check, first time", median(cold) * 1000, "ms", "p50: Google, matching, find"),
        Row("check, first time", (resy_cold - 1) / per, "Resy calls", "per restaurant"),
        Row("check, cached", median(warm) * 1000, "ms", "p50: cache, find"),
        Row("check, cached", resy_warm / len(warm), "Resy calls", "per check (want 1)"),
        Row("check, cached", google_warm / len(warm), "Google calls", "per check (want 0)"),
    ]
