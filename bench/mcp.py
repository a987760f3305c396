"""What the MCP layer costs on top of the services.

One read-only tool (find_free_slots) called directly as a service, through the SDK's client in
memory, over streamable HTTP (/mcp of the web app, bearer token checked on every request), and
over stdio (``concierge mcp``), plus how long ``concierge mcp`` takes to start. A temporary
SQLite database; loopback only. The answer is a week of 30-minute slots (about 160 starts), so
each call also measures rendering and schema-checking a realistic answer."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from statistics import median

import uvicorn
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from bench._row import Row
from concierge import migrate
from concierge.accounts import service as accounts
from concierge.app import create_app
from concierge.clock import SystemClock
from concierge.config import Settings
from concierge.db import Database
from concierge.mcp.runtime import Runtime
from concierge.mcp.server import build_server
from concierge.scheduling import service as scheduling
from concierge.timezones import zone

CALLS = 200
STDIO_CALLS = 50
ARGUMENTS = {"person": "ada@example.com", "date_range": "next 7 days", "duration": 30}


async def _timed(calls: int, once: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """(calls per second, median latency in ms) of ``calls`` sequential calls."""
    latencies = []
    started = time.perf_counter()
    for _ in range(calls):
        t0 = time.perf_counter()
        await once()
        latencies.append(time.perf_counter() - t0)
    return calls / (time.perf_counter() - started), median(latencies) * 1000


async def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/bench.db"
        settings = Settings(_env_file=None, database_url=url, data_dir=Path(scratch))
        migrate.upgrade(url)
        db = Database(url)
        clock = SystemClock()
        async with db.unit_of_work() as session:
            await accounts.create_user(
                session, name="Ada", email="ada@example.com", timezone="UTC",
                now=clock.now(), settings=settings,
            )  # fmt: skip
            _, token = await accounts.create_user(
                session, name="Grace", email="grace@example.com", timezone="UTC",
                now=clock.now(), settings=settings,
            )  # fmt: skip

        async def direct() -> object:
            async with db.unit_of_work(write=False) as session:
                host = await accounts.find_person(session, "ada@example.com")
                today = clock.now().date()
                return await scheduling.free_slots(
                    session, host, today, date.fromordinal(today.toordinal() + 6), zone("UTC"),
                    30, clock.now(), settings,
                )  # fmt: skip

        rate, p50 = await _timed(CALLS, direct)
        rows += [Row("service call", rate, "calls/s", "no MCP: the floor")]
        rows += [Row("service call p50", p50, "ms")]

        server = build_server(Runtime(db=db, clock=clock, settings=settings, token=token))
        async with Client(server, mode="legacy") as client:
            rate, p50 = await _timed(CALLS, lambda: client.call_tool("find_free_slots", ARGUMENTS))
        # The client's own check of the answer against the output schema is ~8 ms of this.
        rows += [Row("in-memory tool call", rate, "calls/s", "SDK client, JSON-RPC in memory")]
        rows += [Row("in-memory tool call p50", p50, "ms")]

        rows += await _over_http(settings, db, token)
        rows += await _over_stdio(settings, token, Path(scratch))
        await db.dispose()
    return rows


async def _over_http(settings: Settings, db: Database, token: str) -> list[Row]:
    app = create_app(settings, db=db)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 -- uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}/mcp"
    try:
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            create_mcp_http_client(headers=headers) as http,
            Client(streamable_http_client(endpoint, http_client=http)) as client,
        ):
            rate, p50 = await _timed(CALLS, lambda: client.call_tool("find_free_slots", ARGUMENTS))
            health = endpoint.removesuffix("/mcp") + "/healthz"
            _, floor = await _timed(CALLS, lambda: http.get(health))
            health = endpoint.removesuffix("/mcp") + "/healthz"
            _, floor = await _timed(CALLS, lambda: http.get(health))
    finally:
        server.should_exit = True
        await task
        sock.close()
    return [
        Row("HTTP tool call", rate, "calls/s", "uvicorn on loopback, token checked per call"),
        Row("HTTP tool call p50", p50, "ms"),
        Row("HTTP GET /healthz p50", floor, "ms", "the same loopback HTTP, no MCP: the floor"),
    ]


async def _over_stdio(settings: Settings, token: str, scratch: Path) -> list[Row]:
    params = StdioServerParameters(
        command=str(Path(sys.executable).with_name("concierge")),
        args=["mcp"],
        env={
            "PATH": os.environ.get("PATH", ""),
            "CONCIERGE_DATABASE_URL": settings.database_url,
            "CONCIERGE_DATA_DIR": str(scratch),
            "CONCIERGE_MCP_TOKEN": token,
            "CONCIERGE_LOG_LEVEL": "WARNING",
        },
        cwd=scratch,
    )
    t0 = time.perf_counter()
    async with Client(params) as client:
        await client.list_tools()
        started = (time.perf_counter() - t0) * 1000
        rate, p50 = await _timed(
            STDIO_CALLS, lambda: client.call_tool("find_free_slots", ARGUMENTS)
        )
    return [
        Row("stdio start to first listing", started, "ms", "concierge mcp, cold process"),
        Row("stdio tool call", rate, "calls/s", "one subprocess"),
        Row("stdio tool call p50", p50, "ms"),
    ]
