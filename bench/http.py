"""Requests per second of GET /v1/users/{id}/slots over 31 days, against bare FastAPI routes
that return a body of the same size, served side by side by one uvicorn process on loopback.

Two bare routes, both without auth or database: ``/bare`` returns the slots body as prepared
bytes, the floor of what FastAPI and uvicorn cost for that many bytes; ``/bare-dict`` returns
the same content as a dict, serialised by FastAPI's default JSON path. The ratios say what the
work of the slots route (token check, four queries, the engine, rendering) costs on top.
Aim: a ratio of at least 0.5. ``GET /v1/users/me``, which only checks the token, is measured
too: it is the floor under every authenticated route.

The load generator is a few dozen lines of asyncio over keep-alive connections, the same for
both routes, bounded in requests. Rounds alternate between the routes so that a noisy neighbour
on the machine slows both alike.
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


def served_app() -> FastAPI:
    """The Concierge app on the bench database at a fixed instant, plus ``GET /bare``.

    Built inside the uvicorn process (``--factory``), from the environment the bench sets.
    """
    from concierge.app import create_app
    from concierge.clock import FrozenClock
    from concierge.config import Settings

    settings = Settings(database_url=os.environ["BENCH_DATABASE_URL"], _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings, clock=FrozenClock(NOW))
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


async def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="concierge-bench-") as scratch:
        database_url = f"sqlite:///{scratch}/bench.db"
        host_id, token = await prepare(database_url)
        body_file = Path(scratch) / "bare.json"
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
            },
        )
        try:
            await wait_until_up(port, server)
            slots = get(f"/v1/users/{host_id}/slots?from={FIRST}&to={LAST}&duration=15", token)
            status, body = await fetch(port, slots)
            if status != 200:
                raise RuntimeError(f"slots answered {status}: {body[:200]!r}")
            body_file.write_bytes(body)
            routes = {
                "slots": slots,
                "me": get("/v1/users/me", token),
                "bare": get("/bare"),
                "bare-dict": get("/bare-dict"),
            }
            for request in routes.values():  # warm every path up
                await load(port, request, 200, CONNECTIONS)
            _, dict_body = await fetch(port, routes["bare-dict"])
            rates: dict[str, list[float]] = {name: [] for name in routes}
            for _ in range(ROUNDS):
                for name, request in routes.items():
                    rates[name].append(await load(port, request, REQUESTS, CONNECTIONS))
        finally:
            server.terminate()
            await asyncio.wait_for(server.wait(), timeout=30)
    rate = {name: statistics.median(values) for name, values in rates.items()}
    slot_count = sum(len(starts) for starts in json.loads(body)["days"].values())
    label = "http: GET /v1/users/{id}/slots, 31 days, SQLite"
    shape = f"uvicorn, {CONNECTIONS} connections, {ROUNDS}x{REQUESTS:,} requests per route"
    return [
        (label, "response body", f"{len(body):,} bytes, {slot_count} slots"),
        (label, "load", shape),
        (label, "requests/s, slots route", f"{rate['slots']:,.0f}"),
        (label, "requests/s, bare route, prepared bytes", f"{rate['bare']:,.0f}"),
        (
            label,
            f"requests/s, bare route, dict ({len(dict_body):,} bytes)",
            f"{rate['bare-dict']:,.0f}",
        ),
        (label, "ratio slots / bare bytes (aim >= 0.5)", f"{rate['slots'] / rate['bare']:.2f}"),
        (label, "ratio slots / bare dict", f"{rate['slots'] / rate['bare-dict']:.2f}"),
        (label, "requests/s, GET /v1/users/me (token check only)", f"{rate['me']:,.0f}"),
        (
            label,
            "ratio users/me / bare bytes (floor of any route)",
            f"{rate['me'] / rate['bare']:.2f}",
        ),
    ]
