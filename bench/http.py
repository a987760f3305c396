"""Requests per second of GET /v1/users/{id}/slots over 31 days, against bare FastAPI routes
that return a body of the same size, on loopback, measured side by side in one run.

Two uvicorn processes serve the same database: one with the in-process caches as configured by
default (``AUTH_CACHE_SECONDS`` 30, ``SLOTS_CACHE_SECONDS`` 2: the warm path, where a repeated
query is answered from memory and recomputed when its TTL lapses), one with both caches off
(``0``: every request checks its token in the database and computes its slots, the cold path).
Their clock runs at the system clock's pace from a fixed instant, so TTLs lapse as in
production.

Two bare routes, both without auth or database: ``/bare`` returns the slots body as prepared
bytes, the floor of what FastAPI and uvicorn cost for that many bytes; ``/bare-dict`` returns
the same content as a dict, serialised by FastAPI's default JSON path. The ratios say what the
work of the slots route (token check, queries, the engine, rendering) costs on top.
Aim: a ratio of at least 0.5. ``GET /v1/users/me``, which only checks the token, is measured
too: it is the floor under every authenticated route.

The load generator is a few dozen lines of asyncio over keep-alive connections, the same for
every route, bounded in requests. Rounds alternate between the routes so that a noisy neighbour
on the machine slows all alike.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Response

Row = tuple[str, str, str]

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
FIRST = date(2026, 12, 1)
LAST = FIRST + timedelta(days=30)  # 31 dates
CONNECTIONS = 8
REQUESTS = 1_500  # per round and route
ROUNDS = 3
ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------- the served app


class BenchClock:
    """The system clock's pace, started at ``NOW`` (the bench data's "today")."""

    def __init__(self) -> None:
        self._offset = NOW - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


def served_app() -> FastAPI:
    """The Concierge app on the bench database, plus ``GET /bare`` and ``GET /bare-dict``.

    Built inside the uvicorn process (``--factory``), from the environment the bench sets;
    ``BENCH_CACHES=off`` turns both in-process caches off.
    """
    from concierge.app import create_app
    from concierge.config import Settings
    from concierge.observability.logs import configure_logging

    caches: dict[str, float] = {}
    if os.environ.get("BENCH_CACHES") == "off":
        caches = {"auth_cache_seconds": 0, "slots_cache_seconds": 0}
    settings = Settings(
        database_url=os.environ["BENCH_DATABASE_URL"],
        # Like uvicorn's access log (--no-access-log below), the app's line per request is a
        # constant cost of every route, bare ones too, that would pull every ratio towards 1.
        log_level="WARNING",
        # Thousands of requests a second on one token would hit the per-token rate limit at
        # once: this measures the routes, not the limiter.
        rate_limits_enabled=False,
        _env_file=None,  # type: ignore[call-arg]
        **caches,
    )
    configure_logging(settings)  # as `concierge serve` does, before anything logs
    app = create_app(settings, clock=BenchClock())
    body_file = Path(os.environ["BENCH_BARE_BODY"])
    # Read at the first request (the bench writes the file once the server is up), then kept.
    cache: dict[str, Any] = {}

    def body() -> bytes:
        if "bytes" not in cache:
            cache["bytes"] = body_file.read_bytes()
            cache["dict"] = json.loads(cache["bytes"])
        data: bytes = cache["bytes"]
        return data

    @app.get("/bare", include_in_schema=False)
    async def bare_route() -> Response:
        return Response(body(), media_type="application/json")

    @app.get("/bare-dict", include_in_schema=False)
    async def bare_dict_route() -> dict[str, Any]:
        body()
        content: dict[str, Any] = cache["dict"]
        return content

    return app


# -------------------------------------------------------------------------- the data


async def prepare(database_url: str) -> tuple[int, str]:
    """A host in New York with weekly hours and 120 bookings in the month, and a viewer:
    ``(host id, viewer token)``."""
    import random

    from concierge import migrate
    from concierge.accounts import service as accounts
    from concierge.config import Settings
    from concierge.db import Database
    from concierge.models import Reservation, ReservationStatus

    migrate.upgrade(database_url)
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    db = Database(database_url)
    rng = random.Random(31)
    try:
        async with db.unit_of_work() as session:
            host, _ = await accounts.create_user(
                session,
                name="Host",
                email="host@bench.test",
                timezone="America/New_York",
                now=NOW,
                settings=settings,
            )
            guest, token = await accounts.create_user(
                session,
                name="Viewer",
                email="viewer@bench.test",
                timezone="Europe/London",
                now=NOW,
                settings=settings,
            )
            taken: set[int] = set()
            while len(taken) < 120:
                quarter = rng.randrange(31 * 96)
                if quarter in taken:
                    continue
                taken.add(quarter)
                start = datetime(2026, 12, 1, 5, tzinfo=UTC) + quarter * timedelta(minutes=15)
                session.add(
                    Reservation(
                        host_id=host.id,
                        guest_id=guest.id,
                        start_at=start,
                        end_at=start + timedelta(minutes=15),
                        status=ReservationStatus.CONFIRMED,
                        created_at=NOW,
                    )
                )
        return host.id, token
    finally:
        await db.dispose()


# ---------------------------------------------------------------------- the load generator


async def fetch(port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        return await read_response(reader)
    finally:
        writer.close()
        await writer.wait_closed()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


async def load(port: int, request: bytes, total: int, connections: int) -> float:
    """Send ``total`` requests over ``connections`` keep-alive connections; requests/s."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while remaining > 0:
                remaining -= 1
                writer.write(request)
                status, _ = await read_response(reader)
                if status != 200:
                    raise RuntimeError(f"status {status}")
        finally:
            writer.close()
            await writer.wait_closed()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return total / (time.perf_counter() - began)


def get(path: str, token: str | None = None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode()


# ------------------------------------------------------------------------------ the run


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def wait_until_up(port: int, server: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.returncode is not None:
            raise RuntimeError("the server exited at start")
        try:
            status, _ = await fetch(port, get("/healthz"))
            if status == 200:
                return
        except OSError:
            await asyncio.sleep(0.1)  # a real process is starting
    raise RuntimeError("the server did not start within 60 s")


async def serve(
    database_url: str, body_file: Path, caches: str
) -> tuple[int, asyncio.subprocess.Process]:
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "uvicorn", "bench.http:served_app", "--factory"),
        *("--host", "127.0.0.1", "--port", str(port)),
        *("--log-level", "warning", "--no-access-log"),
        cwd=ROOT,
        env={
            **os.environ,
            "BENCH_DATABASE_URL": database_url,
            "BENCH_BARE_BODY": str(body_file),
            "BENCH_CACHES": caches,
        },
    )
    return port, server


async def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="concierge-bench-") as scratch:
        database_url = f"sqlite:///{scratch}/bench.db"
        host_id, token = await prepare(database_url)
        body_file = Path(scratch) / "bare.json"
        servers = [await serve(database_url, body_file, caches) for caches in ("on", "off")]
        (warm, _), (cold, _) = servers
        try:
            for port, server in servers:
                await wait_until_up(port, server)
            slots = get(f"/v1/users/{host_id}/slots?from={FIRST}&to={LAST}&duration=15", token)
            status, body = await fetch(warm, slots)
            if status != 200:
                raise RuntimeError(f"slots answered {status}: {body[:200]!r}")
            if (await fetch(cold, slots))[1] != body:
                raise RuntimeError("the two servers answer differently")
            body_file.write_bytes(body)
            me = get("/v1/users/me", token)
            routes = {
                "slots": (warm, slots),
                "slots-cold": (cold, slots),
                "me": (warm, me),
                "me-cold": (cold, me),
                "bare": (warm, get("/bare")),
                "bare-dict": (warm, get("/bare-dict")),
            }
            for port, request in routes.values():  # warm every path up
                await load(port, request, 200, CONNECTIONS)
            _, dict_body = await fetch(warm, routes["bare-dict"][1])
            rates: dict[str, list[float]] = {name: [] for name in routes}
            for _ in range(ROUNDS):
                for name, (port, request) in routes.items():
                    rates[name].append(await load(port, request, REQUESTS, CONNECTIONS))
        finally:
            for _, server in servers:
                server.terminate()
                await asyncio.wait_for(server.wait(), timeout=30)
    rate = {name: statistics.median(values) for name, values in rates.items()}
    bare = rate["bare"]
    slot_count = sum(len(starts) for starts in json.loads(body)["days"].values())
    label = "http: GET /v1/users/{id}/slots, 31 days, SQLite"
    shape = f"uvicorn, {CONNECTIONS} connections, {ROUNDS}x{REQUESTS:,} requests per route"
    warm_note = "caches as configured (tokens 30 s, slots 2 s)"
    cold_note = "caches off (AUTH_ and SLOTS_CACHE_SECONDS=0)"
    return [
        (label, "response body", f"{len(body):,} bytes, {slot_count} slots"),
        (label, "load", shape),
        (label, "requests/s, bare route, prepared bytes", f"{bare:,.0f}"),
        (
            label,
            f"requests/s, bare route, dict ({len(dict_body):,} bytes)",
            f"{rate['bare-dict']:,.0f}",
        ),
        (label, "requests/s, slots, warm", f"{rate['slots']:,.0f}", warm_note),
        (label, "ratio slots warm / bare bytes (aim >= 0.5)", f"{rate['slots'] / bare:.2f}"),
        (label, "ratio slots warm / bare dict", f"{rate['slots'] / rate['bare-dict']:.2f}"),
        (label, "requests/s, slots, cold", f"{rate['slots-cold']:,.0f}", cold_note),
        (label, "ratio slots cold / bare bytes", f"{rate['slots-cold'] / bare:.2f}"),
        (label, "requests/s, GET /v1/users/me, warm", f"{rate['me']:,.0f}", "token cache on"),
        (label, "ratio users/me warm / bare bytes", f"{rate['me'] / bare:.2f}"),
        (label, "requests/s, GET /v1/users/me, cold", f"{rate['me-cold']:,.0f}", "token cache off"),
        (label, "ratio users/me cold / bare bytes", f"{rate['me-cold'] / bare:.2f}"),
    ]
