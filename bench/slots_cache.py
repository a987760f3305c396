"""The slots cache under a mixed load: does it pay?

One seeded sequence of requests, as a booking service sees them: mostly free-slots reads of
``HOSTS`` hosts (a few popular, most not), with bookings, cancellations and common-time reads
interleaved, sent by ``WORKERS`` concurrent clients. The same sequence runs twice per database,
against two apps on two identically seeded databases: one with the slots cache as configured
(SLOTS_CACHE_SECONDS, default 2 s), one with it off (0). Everything else is the same (the token
cache is on in both). Requests go through the whole ASGI app in this process (httpx's ASGI
transport: FastAPI, SQLAlchemy, the database; no sockets), on the real clock, so TTLs and
``until`` expire as they do in production. SQLite in a scratch file, then PostgreSQL in a
scratch database (as ``bench.reservations`` makes it; skipped if no server answers).

Prints, per kind of request and for each run, the median and 95th percentile latency, the
throughput of the whole mix, the slots cache's hit rate, and the ratios cache on / cache off.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg

from bench.reservations import scratch_database
from concierge import migrate
from concierge.app import create_app
from concierge.config import Settings
from concierge.db import Database

Row = tuple[str, ...]

HOSTS, GUESTS, WORKERS = 20, 40, 8
REQUESTS = 1500
# The mix, by weight: what a booking service answers, reads far outnumbering writes.
MIX = {"slots": 80, "common": 5, "book": 12, "cancel": 3}
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
KINDS = ("slots", "common", "book", "cancel")


@dataclass(frozen=True)
class Op:
    kind: str
    host: int  # index into the hosts
    guest: int  # index into the guests
    day: int  # days after today
    minute: int  # minutes after 09:00 in the host's zone
    other: int = 0  # a second host, for common time
    explicit: bool = False  # dates given, or the default two weeks


def plan(rng: random.Random) -> list[Op]:
    """The sequence both runs send: hosts by popularity (Zipf), days within two weeks."""
    weights = [1 / (rank + 1) for rank in range(HOSTS)]
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=REQUESTS)
    ops = []
    for kind in kinds:
        host, other = rng.choices(range(HOSTS), weights=weights, k=2)
        ops.append(
            Op(
                kind,
                host,
                rng.randrange(GUESTS),
                rng.randrange(2, 14),
                15 * rng.randrange(31),
                other if other != host else (host + 1) % HOSTS,
                explicit=rng.random() < 0.3,
            )
        )
    return ops


@dataclass
class Run:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    hits: int = 0
    misses: int = 0
    rates: list[float] = field(default_factory=list)  # requests/s of each run pooled here

    def absorb(self, other: Run) -> None:
        for kind, values in other.latencies.items():
            self.latencies[kind] += values
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.seconds += other.seconds
        self.hits += other.hits
        self.misses += other.misses
        self.rates.append(REQUESTS / other.seconds)


async def seed(client: httpx.AsyncClient) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    async def sign_up(name: str, tz: str) -> dict[str, Any]:
        email = f"{name.lower().replace(' ', '.')}@example.com"
        response = await client.post(
            "/v1/users", json={"name": name, "email": email, "timezone": tz}
        )
        response.raise_for_status()
        body = response.json()
        return {
            "id": body["user"]["id"],
            "tz": tz,
            "auth": {"Authorization": f"Bearer {body['token']}"},
        }

    hosts = [await sign_up(f"Host {n}", ZONES[n % len(ZONES)]) for n in range(HOSTS)]
    guests = [await sign_up(f"Guest {n}", "UTC") for n in range(GUESTS)]
    for n, host in enumerate(hosts):
        # Every day open 09:00-17:00 local, and a few hosts with buffers and limits.
        hours = {d: [{"start": "09:00", "end": "17:00"}] for d in _WEEK}
        put = await client.put(
            f"/v1/users/{host['id']}/weekly-hours", json={"days": hours}, headers=host["auth"]
        )
        put.raise_for_status()
        if n % 4 == 1:
            rules = {"buffer_before_minutes": 10, "buffer_after_minutes": 5, "max_per_day": 6}
            (
                await client.patch(f"/v1/users/{host['id']}", json=rules, headers=host["auth"])
            ).raise_for_status()
    return hosts, guests


_WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _start(host: dict[str, Any], day: date, minute: int) -> str:
    local = datetime.combine(day, datetime.min.time()) + timedelta(hours=9, minutes=minute)
    instant = local.replace(tzinfo=ZoneInfo(host["tz"])).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


async def drive(app: Any, ops: Sequence[Op]) -> Run:
    run = Run()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as client:
        hosts, guests = await seed(client)
        today = datetime.now(UTC).date()
        booked: list[tuple[int, dict[str, str]]] = []
        queue = iter(ops)

        async def one(op: Op) -> httpx.Response:
            host, guest = hosts[op.host], guests[op.guest]
            day = today + timedelta(days=op.day)
            if op.kind == "slots":
                params: dict[str, Any] = {"duration": 30}
                if op.explicit:
                    params |= {
                        "from": str(today + timedelta(days=2)),
                        "to": str(today + timedelta(days=8)),
                    }
                return await client.get(
                    f"/v1/users/{host['id']}/slots", params=params, headers=guest["auth"]
                )
            if op.kind == "common":
                users = f"{host['id']},{hosts[op.other]['id']}"
                return await client.get(
                    "/v1/availability/common",
                    params={"users": users, "from": str(day), "to": str(day + timedelta(days=6))},
                    headers=guest["auth"],
                )
            if op.kind == "cancel" and booked:
                reservation, auth = booked.pop(0)
                return await client.post(f"/v1/reservations/{reservation}/cancel", headers=auth)
            body = {
                "host_id": host["id"],
                "start": _start(host, day, op.minute),
                "duration": 30,
                "confirm": True,
            }
            response = await client.post("/v1/reservations", json=body, headers=guest["auth"])
            if response.status_code == 201:
                booked.append((response.json()["id"], guest["auth"]))
            return response

        async def worker() -> None:
            for op in queue:
                began = time.perf_counter()
                response = await one(op)
                run.latencies[op.kind].append((time.perf_counter() - began) * 1000)
                run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1
                if response.status_code >= 500:
                    raise RuntimeError(
                        f"{op.kind} answered {response.status_code}: {response.text[:200]}"
                    )

        cache = app.state.slots_cache
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(WORKERS)))
        run.seconds = time.perf_counter() - began
        run.hits, run.misses = cache.hits, cache.misses
    return run


async def measure(
    url: str, scratch: str, name: str, cache_seconds: float, ops: Sequence[Op]
) -> Run:
    settings = Settings(
        database_url=url,
        data_dir=f"{scratch}/{name}",
        slots_cache_seconds=cache_seconds,
        rate_limits_enabled=False,  # one address sends everything here
        _env_file=None,
    )
    db = Database(url)
    try:
        print(f"slots_cache: {name} ({REQUESTS:,} requests)...", file=sys.stderr)
        return await drive(create_app(settings, db=db), ops)
    finally:
        await db.dispose()


def ms(values: list[float], q: str) -> float:
    if not values:
        return 0.0
    if q == "median":
        return statistics.median(values)
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


# Runs alternate off/on, on/off, off/on: the machine's load drifts, and each pair shares it.
ORDERS = (("off", "on"), ("on", "off"), ("off", "on"))


async def rounds(backend: str, scratch: str, ttl: float, ops: Sequence[Op]) -> tuple[Run, Run]:
    """Every round's runs with the cache on, and off, pooled into one ``Run`` each."""
    pooled = {"on": Run(), "off": Run()}
    for n, order in enumerate(ORDERS):
        for state in order:
            name = f"{backend}-{n}-cache-{state}"
            seconds = ttl if state == "on" else 0
            if backend == "sqlite":
                url = f"sqlite:///{scratch}/{name}.db"
                await asyncio.to_thread(migrate.upgrade, url)
                found = await measure(url, scratch, name, seconds, ops)
            else:
                async with scratch_database() as url:
                    found = await measure(url, scratch, name, seconds, ops)
            pooled[state].absorb(found)
    return pooled["on"], pooled["off"]


async def run() -> list[Row]:
    ops = plan(random.Random(18))
    ttl = Settings(_env_file=None).slots_cache_seconds
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="concierge-bench-") as scratch:
        rows += table("SQLite", ttl, *await rounds("sqlite", scratch, ttl, ops))
        try:
            rows += table("PostgreSQL", ttl, *await rounds("postgres", scratch, ttl, ops))
        except (OSError, psycopg.Error) as exc:  # no PostgreSQL: the SQLite figures stand
            print(f"slots_cache: PostgreSQL skipped ({exc})", file=sys.stderr)
    return rows


def _rates(run: Run) -> str:
    return " / ".join(f"{rate:,.0f}" for rate in run.rates) + " (each round)"


def table(backend: str, ttl: float, on: Run, off: Run) -> list[Row]:
    label = f"slots cache, mixed load ({backend}, ASGI)"
    shape = ", ".join(f"{k} {v}%" for k, v in MIX.items())
    rows: list[Row] = [
        (
            label,
            "load",
            f"{len(ORDERS)} x {REQUESTS:,} requests each way, {WORKERS} clients, {HOSTS} hosts",
            shape,
        ),
        (
            label,
            "slots cache hit rate",
            f"{on.hits / max(on.hits + on.misses, 1):.1%}",
            f"TTL {ttl:g} s",
        ),
        (label, "requests/s, whole mix, cache on", _rates(on)),
        (label, "requests/s, whole mix, cache off", _rates(off)),
        (label, "speed-up, whole mix (on / off), all rounds", f"{off.seconds / on.seconds:.2f}x"),
    ]
    for kind in KINDS:
        for q in ("median", "p95"):
            a, b = ms(on.latencies[kind], q), ms(off.latencies[kind], q)
            rows.append(
                (
                    label,
                    f"{kind} {q} ms, on / off",
                    f"{a:.2f} / {b:.2f}",
                    f"ratio {b / a:.2f}x" if a else "",
                )
            )
    rows.append(
        (
            label,
            "answers by status, on",
            ", ".join(f"{s}: {n}" for s, n in sorted(on.statuses.items())),
        )
    )
    rows.append(
        (
            label,
            "answers by status, off",
            ", ".join(f"{s}: {n}" for s, n in sorted(off.statuses.items())),
        )
    )
    return rows
