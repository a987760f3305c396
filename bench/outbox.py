"""The outbox: how fast notifications and webhook deliveries leave, and how soon after the
commit that caused them they arrive, on loopback.

SQLite (a temporary file) in process. Reservations are created confirmed through
``transitions.created`` (the one place a reservation is born), so the outbox rows are written
by the same before-commit hook as in the service. Emails go to a real SMTP server (aiosmtpd) on
127.0.0.1, webhooks to a real HTTP receiver on 127.0.0.1 (8 subscriptions, so 8 deliveries per
event). Throughput: a backlog of events committed first, then drained by one worker
(``Worker.drain``) — events/s counts reservation events, messages/s what was sent. Latency:
the worker's loop runs (every 0.1 s instead of the default 1 s) while events commit one by
one, 0.25 s apart (below capacity, so this is the latency of an idle outbox, not of a queue);
the time from each commit to the first arrival at a receiver, p50 and p95. The receivers run in
a process of their own.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from tests.fixtures.server import LOOPBACK, free_port

from bench._row import Row
from concierge import migrate
from concierge.accounts import service as accounts
from concierge.clock import SystemClock
from concierge.config import Settings
from concierge.db import Database
from concierge.models import OutboxMessage, Reservation, ReservationStatus, User
from concierge.outbox.worker import Worker
from concierge.reservations import transitions
from concierge.webhooks import service as webhooks

BACKLOG = 300
TIMED = 50
SPACING = 0.25  # seconds between timed events: below capacity, so no queue builds up
HOOKS = 8


def _receivers(conn: Connection) -> None:
    """In a process of its own (so the receivers do not share the worker's interpreter): an
    SMTP server and an HTTP receiver on loopback, noting when each message arrives."""
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    arrivals: list[tuple[str, int, float]] = []
    lock = threading.Lock()

    class Smtp:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            for line in envelope.content.split(b"\r\n"):
                if line.startswith(b"X-Concierge-Message:"):
                    with lock:
                        arrivals.append(("email", int(line.split(b":")[1]), time.time()))
                    break
            return "250 OK"

    class Hook(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            with lock:
                arrivals.append(("webhook", int(body["data"]["reservation"]["id"]), time.time()))
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    smtp = Controller(Smtp(), hostname=LOOPBACK, port=free_port())
    smtp.start()
    http = ThreadingHTTPServer((LOOPBACK, 0), Hook)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    conn.send((smtp.port, f"http://{LOOPBACK}:{http.server_address[1]}/hooks"))
    while True:
        asked = conn.recv()
        with lock:
            conn.send(list(arrivals))
            arrivals.clear()
        if asked == "stop":
            break
    smtp.stop()
    http.shutdown()


async def _pending(db: Database) -> int:
    async with db.unit_of_work(write=False) as session:
        found = await session.scalar(
            select(func.count()).where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.given_up_at.is_(None),
                OutboxMessage.due_at <= datetime.now(UTC),
            )
        )
        return int(found or 0)


async def _book(db: Database, host: User, guest: User, n: int, base: datetime) -> float:
    """One confirmed reservation, committed; the wall-clock instant of the commit."""
    now = datetime.now(UTC)
    async with db.unit_of_work() as session:
        reservation = Reservation(
            host_id=host.id,
            guest_id=guest.id,
            start_at=base + timedelta(minutes=15 * n),
            end_at=base + timedelta(minutes=15 * n + 15),
            status=ReservationStatus.CONFIRMED,
            created_at=now,
            confirmed_at=now,
        )
        session.add(reservation)
        await session.flush()
        transitions.created(session, reservation)
    return time.time()


async def _scenario(channel: str, root: Path) -> list[Row]:
    url = f"sqlite:///{root / channel / 'bench.db'}"
    (root / channel).mkdir()
    migrate.upgrade(url)
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    child = multiprocessing.get_context("spawn").Process(target=_receivers, args=(theirs,))
    child.start()
    smtp_port, hook_url = ours.recv()
    message_reservation: dict[int, int] = {}

    def arrived() -> dict[int, list[float]]:
        """Arrival instants by reservation id, since the last call."""
        ours.send("more")
        found: dict[int, list[float]] = {}
        for kind, key, at in ours.recv():
            reservation = message_reservation.get(key, -1) if kind == "email" else key
            found.setdefault(reservation, []).append(at)
        return found

    settings = Settings(
        database_url=url,
        data_dir=root / channel / "data",
        smtp_host=LOOPBACK,
        smtp_port=smtp_port,
        smtp_security="none",
        outbound_allow_private=True,
        outbox_seconds=0.1,
        _env_file=None,  # type: ignore[call-arg]
    )
    db = Database(url)
    clock = SystemClock()
    try:
        async with db.unit_of_work() as session:
            host, _ = await accounts.create_user(
                session, name="Host", email="host@example.com", timezone="UTC",
                now=clock.now(), settings=settings,
            )  # fmt: skip
            guest, _ = await accounts.create_user(
                session, name="Guest", email="guest@example.com", timezone="UTC",
                now=clock.now(), settings=settings,
            )  # fmt: skip
            if channel == "webhook":
                from concierge.models import NotificationSettings

                for who in (host, guest):  # webhooks alone: no emails in this scenario
                    session.add(
                        NotificationSettings(user_id=who.id, emails=False, reminder_minutes=[])
                    )
                for n in range(HOOKS):
                    await webhooks.create(
                        session, host, url=f"{hook_url}/{n}",
                        events=["reservation.confirmed"], all_users=False,
                        now=clock.now(), settings=settings,
                    )  # fmt: skip
        base = (clock.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)

        async def remember_messages() -> None:
            async with db.unit_of_work(write=False) as session:
                rows = await session.execute(select(OutboxMessage.id, OutboxMessage.reservation_id))
                message_reservation.update({i: r or -1 for i, r in rows})

        # Throughput: a backlog, then one worker drains it.
        for n in range(BACKLOG):
            await _book(db, host, guest, n, base)
        await remember_messages()
        waiting = await _pending(db)
        worker = Worker(db, clock, settings)
        started = time.perf_counter()
        while await _pending(db):
            await worker.drain()
        elapsed = time.perf_counter() - started
        await worker.aclose()
        print(f"outbox {channel}: {waiting} messages in {elapsed:.2f}s", file=sys.stderr)

        # Latency: the loop runs; events commit one at a time.
        arrived()
        committed: dict[int, float] = {}
        worker = Worker(db, clock, settings)
        async with worker.running():
            for n in range(BACKLOG, BACKLOG + TIMED):
                at = await _book(db, host, guest, n, base)
                await remember_messages()
                committed[n] = at
                await asyncio.sleep(SPACING)
            deadline = time.time() + 30
            while await _pending(db) and time.time() < deadline:  # noqa: ASYNC110 (the DB)
                await asyncio.sleep(0.05)
        async with db.unit_of_work(write=False) as session:
            ids = list(await session.scalars(select(Reservation.id).order_by(Reservation.id)))[
                BACKLOG:
            ]
        await remember_messages()
        timed = arrived()
        lags = [
            (min(timed[rid]) - committed[BACKLOG + i]) * 1000
            for i, rid in enumerate(ids)
            if rid in timed
        ]
        per_event = "2 emails (guest, host)" if channel == "email" else f"{HOOKS} webhooks"
        return [
            Row(f"{channel}: throughput", BACKLOG / elapsed, "events/s", per_event + " each"),
            Row(f"{channel}: messages sent", waiting / elapsed, "msg/s", "one worker, SQLite"),
            Row(
                f"{channel}: commit to delivery p50",
                statistics.median(lags),
                "ms",
                f"worker loop every {settings.outbox_seconds:g} s, {len(lags)} events",
            ),
            Row(
                f"{channel}: commit to delivery p95",
                statistics.quantiles(lags, n=20)[-1],
                "ms",
                "first arrival of each event",
            ),
        ]
    finally:
        await db.dispose()
        ours.send("stop")
        ours.recv()
        child.join(timeout=10)


async def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        rows = await _scenario("email", Path(tmp))
        rows += await _scenario("webhook", Path(tmp))
    return rows
