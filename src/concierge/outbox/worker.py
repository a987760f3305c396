"""Sending what the outbox holds: claim due rows, send each, record the outcome.

A cycle leases a batch of due rows (``background.claim``: ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, a lease on SQLite) and commits, so other processes skip them; then sends them all
at once, outside any transaction, and records each outcome in a transaction of its own as soon
as it is known: sent (never tried again), or failed (tried again later, see ``retry``, and
given up after ``outbox_retry_hours``). A process killed mid-batch leaves its rows leased; the
lease runs out and another worker sends them. Only a message whose send had finished when the
process died, but whose outcome was not yet written, can be sent twice, so every message
carries its row id (``Concierge-Delivery`` header, ``Message-ID``) for the receiver to notice;
each lane (one webhook's deliveries go one at a time) waits for an outcome to be written before
its next send, so there is at most one such message per lane.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concierge import outbound, sealed
from concierge.background import Loop, claim
from concierge.clock import Clock
from concierge.config import Settings
from concierge.db import Database
from concierge.models import OutboxMessage, User, WebhookDelivery, WebhookSubscription
from concierge.notifications import messages, transport
from concierge.outbox import retry
from concierge.webhooks import signing

log = logging.getLogger(__name__)

_MAX_BATCHES = 20  # per cycle, so a backlog drains without waiting a period between batches


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def ready(now: datetime) -> ColumnElement[bool]:
    return (
        OutboxMessage.sent_at.is_(None)
        & OutboxMessage.given_up_at.is_(None)
        & (OutboxMessage.due_at <= now)
    )


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed row, with what sending it needs read while the claim's transaction is open."""

    id: int
    channel: str
    topic: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    subscription_id: int | None = None
    url: str | None = None
    secrets: tuple[str, ...] = ()
    disabled: bool = False


@dataclass(slots=True)
class Outcome:
    ok: bool
    error: str | None = None
    status_code: int | None = None
    duration_ms: float = 0.0
    final: bool = False  # not worth trying again (a disabled subscription, a past meeting)


@dataclass
class Worker:
    db: Database
    clock: Clock
    settings: Settings
    owner: str = field(default_factory=worker_name)
    http: httpx.AsyncClient | None = None
    mailer: transport.Mailer | None = None

    async def run_once(self) -> int:
        """One batch: how many messages were sent."""
        now = self.clock.now()
        async with self.db.unit_of_work() as session:
            ids = await claim(
                session,
                OutboxMessage,
                ready(now),
                owner=self.owner,
                now=now,
                lease=timedelta(seconds=self.settings.outbox_lease_seconds),
                limit=self.settings.outbox_batch,
                order_by=OutboxMessage.due_at,
            )
            jobs = await _jobs(session, ids, self.settings, now) if ids else []
        if not jobs:
            return 0
        # One receiver gets its deliveries one after another, in the order they were written
        # (retries aside); different receivers and emails go at once.
        lanes: dict[tuple[str, int], list[Job]] = {}
        for job in jobs:
            lane = ("hook", job.subscription_id) if job.subscription_id else ("one", job.id)
            lanes.setdefault(lane, []).append(job)
        outcomes: asyncio.Queue[tuple[Job, Outcome, asyncio.Future[None]]] = asyncio.Queue()

        async def in_turn(lane: list[Job]) -> None:
            for job in lane:
                written = asyncio.get_running_loop().create_future()
                await outcomes.put((job, await self._attempt(job), written))
                # The next one goes once this outcome is on disk: a crash can leave at most
                # one message per lane sent but not known to be.
                await written

        senders = asyncio.gather(*(in_turn(lane) for lane in lanes.values()))
        sent = recorded = 0
        try:
            # Outcomes are written as soon as they are known, all those known at once in one
            # transaction: one writer, so no lock contention, and no outcome waits for the
            # slowest send of the batch.
            while recorded < len(jobs):
                known = [await outcomes.get()]
                while not outcomes.empty():
                    known.append(outcomes.get_nowait())
                async with self.db.unit_of_work() as session:
                    now = self.clock.now()
                    for job, outcome, _ in known:
                        await _record(session, job, outcome, now, self.settings)
                for _, _, written in known:
                    written.set_result(None)
                recorded += len(known)
                sent += sum(1 for _, outcome, _ in known if outcome.ok)
        finally:
            if recorded < len(jobs):
                senders.cancel()  # the leases run out and the rest is sent again later
            with suppress(asyncio.CancelledError):
                await senders
        return sent

    async def drain(self) -> int:
        """Batches until one comes back short (or ``_MAX_BATCHES``): how many were sent."""
        total = 0
        for _ in range(_MAX_BATCHES):
            before = total
            total += await self.run_once()
            if total - before < self.settings.outbox_batch:
                break
        return total

    def loop(self) -> Loop:
        return Loop("outbox", self.settings.outbox_seconds, self.drain)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        try:
            async with self.loop().running():
                yield
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        if self.mailer is not None:
            await self.mailer.aclose()
            self.mailer = None
        if self.http is not None:
            await self.http.aclose()
            self.http = None

    async def _attempt(self, job: Job) -> Outcome:
        started = time.perf_counter()
        try:
            outcome = await self._send(job)
        except Exception as exc:  # any failure of one message is that message's, not the batch's
            outcome = Outcome(ok=False, error=_describe(exc))
        if not outcome.duration_ms:
            outcome.duration_ms = (time.perf_counter() - started) * 1000
        return outcome

    async def _send(self, job: Job) -> Outcome:
        now = self.clock.now()
        if job.channel == "email":
            if job.topic == "reservation.reminder" and _started(job.payload, now):
                return Outcome(ok=False, error="the meeting has begun", final=True)
            # Built in a thread: rendering and the invite take milliseconds of CPU each.
            mail = await asyncio.to_thread(
                messages.build, job.topic, job.payload, job.id, self.settings, now
            )
            if self.mailer is None:
                self.mailer = transport.Mailer(self.settings)
            await self.mailer.send(mail, job.id)
            return Outcome(ok=True)
        if job.disabled or job.url is None:
            return Outcome(ok=False, error="the webhook is disabled", final=True)
        return await self._post(job, now)

    async def _post(self, job: Job, now: datetime) -> Outcome:
        if self.http is None:
            self.http = outbound.client(self._policy())
        body = webhook_body(job)
        stamp = int(now.timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Concierge-Webhooks/1",
            "Concierge-Event": job.topic,
            "Concierge-Delivery": str(job.payload.get("delivery", job.id)),
            "Concierge-Timestamp": str(stamp),
            signing.HEADER: signing.header(job.secrets, stamp, body),
        }
        started = time.perf_counter()
        try:
            answer = await outbound.fetch(
                self.http, "POST", job.url or "", self._policy(), headers=headers, content=body
            )
        except outbound.OutboundRefused as exc:
            return _timed(Outcome(ok=False, error=exc.detail), started)
        except outbound.OutboundFailed as exc:
            return _timed(Outcome(ok=False, error=exc.detail), started)
        ok = 200 <= answer.status_code < 300
        error = None if ok else f"answered {answer.status_code}"
        return _timed(Outcome(ok=ok, error=error, status_code=answer.status_code), started)

    def _policy(self) -> outbound.Policy:
        return outbound.Policy(
            allow_private=self.settings.outbound_allow_private,
            timeout=self.settings.webhook_timeout,
            max_bytes=65_536,
            max_redirects=0,
        )


def webhook_body(job: Job) -> bytes:
    """The JSON a receiver gets: the same bytes on every try of one message."""
    payload = job.payload
    document = {
        "id": f"evt_{payload.get('delivery', job.id)}",
        "type": payload["type"],
        "created_at": payload["created_at"],
        "data": payload["data"],
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def _timed(outcome: Outcome, started: float) -> Outcome:
    outcome.duration_ms = (time.perf_counter() - started) * 1000
    return outcome


def _started(payload: dict[str, Any], now: datetime) -> bool:
    return datetime.fromisoformat(payload["reservation"]["start"]) <= now


def _describe(exc: BaseException) -> str:
    detail = getattr(exc, "detail", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {detail}"[:500]


async def _jobs(
    session: AsyncSession, ids: list[int], settings: Settings, now: datetime
) -> list[Job]:
    rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))).all()
    wanted = {r.subscription_id for r in rows if r.subscription_id is not None}
    subscriptions = {
        s.id: s
        for s in (
            await session.scalars(
                select(WebhookSubscription).where(WebhookSubscription.id.in_(wanted))
            )
        ).all()
    }
    jobs = []
    for row in sorted(rows, key=lambda r: r.id):
        job = Job(row.id, row.channel, row.topic, row.payload, row.attempts, row.created_at)
        if row.channel == "webhook":
            found = subscriptions.get(row.subscription_id or 0)
            if found is None:
                job = replace(job, disabled=True)
            else:
                job = replace(
                    job,
                    subscription_id=found.id,
                    url=found.url,
                    secrets=live_secrets(found, settings, now),
                    # A ping is how its owner checks a disabled one too.
                    disabled=found.disabled_at is not None and row.topic != "webhook.ping",
                )
        jobs.append(job)
    return jobs


def live_secrets(
    subscription: WebhookSubscription, settings: Settings, now: datetime
) -> tuple[str, ...]:
    """The secrets that sign a delivery now: the current one, and during a rotation's overlap
    the previous one after it."""
    found = [sealed.unseal(settings, subscription.secret_sealed)]
    until = subscription.previous_secret_until
    if subscription.previous_secret_sealed and until is not None and until > now:
        found.append(sealed.unseal(settings, subscription.previous_secret_sealed))
    return tuple(found)


async def _record(
    session: AsyncSession, job: Job, outcome: Outcome, now: datetime, settings: Settings
) -> None:
    attempts = job.attempts + 1
    values: dict[str, Any] = {"attempts": attempts, "lease_owner": None, "lease_until": None}
    if outcome.ok:
        values.update(sent_at=now, last_error=None)
    elif outcome.final or retry.gives_up(job.created_at, now, settings.outbox_retry_hours):
        values.update(given_up_at=now, last_error=outcome.error)
    else:
        values.update(due_at=retry.next_try(attempts, now), last_error=outcome.error)
    # Whoever holds the row now, a sent message stays sent: never "unsend" it, never send again.
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == job.id, OutboxMessage.sent_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if job.channel != "webhook" or job.subscription_id is None:
        return
    if job.disabled and job.url is None:
        return  # the subscription is gone: nothing to log against
    session.add(
        WebhookDelivery(
            subscription_id=job.subscription_id,
            message_id=int(job.payload.get("delivery", job.id)),
            topic=job.topic,
            attempt=attempts,
            at=now,
            ok=outcome.ok,
            status_code=outcome.status_code,
            duration_ms=round(outcome.duration_ms, 3),
            error=outcome.error,
        )
    )
    if job.disabled or job.topic == "webhook.ping":
        return  # a ping says how the receiver is, it does not decide the subscription's fate
    await _track_failures(session, job.subscription_id, outcome.ok, now, settings)


async def _track_failures(
    session: AsyncSession, subscription_id: int, ok: bool, now: datetime, settings: Settings
) -> None:
    if ok:  # the common case in one statement that usually matches nothing
        await session.execute(
            update(WebhookSubscription)
            .where(
                WebhookSubscription.id == subscription_id,
                WebhookSubscription.failing_since.is_not(None),
            )
            .values(failing_since=None)
            .execution_options(synchronize_session=False)
        )
        return
    subscription = await session.get(WebhookSubscription, subscription_id, with_for_update=True)
    if subscription is None or subscription.disabled_at is not None:
        return
    if subscription.failing_since is None:
        subscription.failing_since = now
        return
    if now - subscription.failing_since < timedelta(days=settings.webhook_disable_after_days):
        return
    subscription.disabled_at = now
    subscription.disabled_reason = (
        f"every delivery failed for {settings.webhook_disable_after_days:g} days"
    )
    owner = await session.get(User, subscription.created_by)
    if owner is not None:
        session.add(disabled_notice(subscription, owner, now))


def disabled_notice(subscription: WebhookSubscription, owner: User, now: datetime) -> OutboxMessage:
    """The email that tells a webhook's owner it was disabled, and how to turn it back on."""
    return OutboxMessage(
        channel="email",
        topic="webhook.disabled",
        payload={
            "to": {
                "role": "owner",
                "user_id": owner.id,
                "name": owner.name,
                "email": owner.email,
                "timezone": owner.timezone,
            },
            "webhook": {
                "id": subscription.id,
                "url": subscription.url,
                "since": (subscription.failing_since or now).isoformat(),
                "reason": subscription.disabled_reason,
            },
        },
        created_at=now,
        due_at=now,
        attempts=0,
    )
