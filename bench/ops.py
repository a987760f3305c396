"""Operations: what rate limiting and metrics cost on GET slots, and the fuzzing run's size.

GET /v1/users/{id}/slots (one host, a week) in process over the ASGI transport, the same app
built three ways and measured in interleaved rounds so drift hits all alike: with the rate
limiter (memory storage) and metrics on, with both off, and with the limiter in Redis when one
answers on 127.0.0.1:6379. Logging has no handler in all three (its cost is the handler's).
Then the schemathesis run of tests/api/test_fuzz.py: how many cases, how long.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import redis

from bench._row import Row
from concierge import migrate
from concierge.accounts import service as accounts
from concierge.app import create_app
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database

ROUNDS = 8
PER_ROUND = 50
REDIS_URL = "redis://127.0.0.1:6379/0"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# High enough never to refuse: the limiter does all its work and always says yes.
GENEROUS = "1000000/minute"


def _redis_up() -> bool:
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        client.close()
        return True
    except redis.RedisError:
        return False


async def _people(db: Database, settings: Settings) -> tuple[int, str]:
    async with db.unit_of_work() as session:
        host, _ = await accounts.create_user(
            session, name="Host", email="host@example.com", timezone="UTC", now=NOW,
            settings=settings,
        )  # fmt: skip
        _, token = await accounts.create_user(
            session, name="Guest", email="guest@example.com", timezone="UTC", now=NOW,
            settings=settings,
        )  # fmt: skip
    return host.id, token


async def _latencies(client: httpx.AsyncClient, path: str, auth: dict[str, str]) -> list[float]:
    out = []
    for _ in range(PER_ROUND):
        started = time.perf_counter()
        response = await client.get(path, headers=auth)
        out.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return out


async def slots_cost(scratch: Path) -> list[Row]:
    url = f"sqlite:///{scratch}/bench.db"
    migrate.upgrade(url)
    base = Settings(_env_file=None, database_url=url, data_dir=scratch)  # type: ignore[call-arg]
    db = Database(url)
    host, token = await _people(db, base)
    variants: dict[str, Settings] = {
        "off": base.model_copy(update={"rate_limits_enabled": False, "metrics_enabled": False}),
        "on": base.model_copy(update={"rate_limit_default": GENEROUS}),
    }
    if _redis_up():
        variants["on, Redis"] = base.model_copy(
            update={
                "rate_limit_default": GENEROUS,
                "redis_url": REDIS_URL,
                "rate_limit_key_prefix": f"concierge-bench-{secrets.token_hex(4)}",
            }
        )
    clock = FrozenClock(NOW)
    clients: dict[str, httpx.AsyncClient] = {}
    samples: dict[str, list[float]] = {name: [] for name in variants}
    path = f"/v1/users/{host}/slots?from=2026-11-30&to=2026-12-06&duration=30"
    auth = {"Authorization": f"Bearer {token}"}
    try:
        for name, settings in variants.items():
            app = create_app(settings, db=db, clock=clock)
            transport = httpx.ASGITransport(app=app)
            clients[name] = httpx.AsyncClient(transport=transport, base_url="http://bench")
            await _latencies(clients[name], path, auth)  # warm up
        for _ in range(ROUNDS):
            for name, client in clients.items():
                samples[name] += await _latencies(client, path, auth)
    finally:
        for client in clients.values():
            await client.aclose()
        limiter_prefix = variants.get("on, Redis")
        if limiter_prefix is not None:
            r = redis.Redis.from_url(REDIS_URL)
            keys = list(r.scan_iter(match=f"{limiter_prefix.rate_limit_key_prefix}*"))
            if keys:
                r.delete(*keys)
            r.close()
        await db.dispose()

    p50 = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    n = ROUNDS * PER_ROUND
    rows = [
        Row(f"GET slots p50, limits+metrics {name}", p50[name], "ms", f"{n} requests")
        for name in variants
    ]
    for name in variants:
        if name != "off":
            rows.append(
                Row(f"GET slots ratio {name} / off", p50[name] / p50["off"], "x", "same run")
            )
    return rows


def fuzz_figures(scratch: Path) -> list[Row]:
    from tests.api import fuzzing  # the test suite's runner: the same run CI makes

    report = fuzzing.run(scratch)
    note = f"{len(report.operations)} operations, {len(report.failures)} failing"
    return [
        Row("schemathesis cases", report.cases, "cases", note),
        Row("schemathesis time", report.seconds, "s", "in process, SQLite"),
    ]


async def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        rows = await slots_cost(Path(first))
        rows += await asyncio.to_thread(fuzz_figures, Path(second))
    return rows
