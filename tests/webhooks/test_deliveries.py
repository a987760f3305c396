"""Webhook deliveries as a real receiver on loopback gets them: signed, retried until they
land, logged, and never sent where the admin has not allowed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.models import OutboxMessage
from concierge.outbox.worker import Worker
from concierge.webhooks import signing
from tests.fixtures.app import Person
from tests.fixtures.receiver import Receiver
from tests.fixtures.reservations import WEDNESDAY, Reserve, at

pytestmark = pytest.mark.anyio

LIFE = ["reservation.held", "reservation.confirmed", "reservation.cancelled"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The receiver listens on loopback: the admin allowance every test of a local one needs.
    return settings.model_copy(update={"outbound_allow_private": True})


@pytest.fixture
async def worker(db: Database, clock: FrozenClock, settings: Settings) -> AsyncIterator[Worker]:
    found = Worker(db, clock, settings)
    yield found
    await found.aclose()


async def subscribe(
    client: httpx.AsyncClient, who: Person, url: str, events: list[str], **extra: Any
) -> dict[str, Any]:
    answer = await client.post(
        "/v1/webhooks", json={"url": url, "events": events, **extra}, headers=who.auth
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def verified(receiver: Receiver, secret: str, clock: FrozenClock) -> list[Any]:
    now = int(clock.now().timestamp())
    for request in receiver.requests:
        header = request.headers[signing.HEADER.lower()]
        assert signing.verify(secret, header, request.body, now=now), header
    return [r.json for r in receiver.requests]


async def until_sent(worker: Worker, db: Database, clock: FrozenClock, rounds: int = 20) -> int:
    """Run the worker, moving the clock to each retry, until no webhook delivery waits; how
    many rounds."""
    for n in range(rounds):
        await worker.drain()
        async with db.unit_of_work(write=False) as session:
            waiting = (
                await session.scalars(
                    select(OutboxMessage.due_at).where(
                        OutboxMessage.channel == "webhook",
                        OutboxMessage.sent_at.is_(None),
                        OutboxMessage.given_up_at.is_(None),
                    )
                )
            ).all()
        if not waiting:
            return n + 1
        clock.set(max(clock.now(), min(waiting)))
    raise AssertionError("still waiting")


async def test_each_change_is_delivered_signed_and_the_signature_holds(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    worker: Worker,
    receiver: Receiver,
) -> None:
    created = await subscribe(client, host, receiver.url, LIFE)
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert secret not in (await client.get("/v1/webhooks", headers=host.auth)).text
    held = (await reserve(guest, host, at(14))).json()
    await client.post(f"/v1/reservations/{held['id']}/confirm", headers=guest.auth)
    await client.post(f"/v1/reservations/{held['id']}/cancel", headers=guest.auth)
    await worker.drain()

    assert len(receiver.requests) == 3
    bodies = verified(receiver, secret, clock)
    assert [b["type"] for b in bodies] == LIFE
    assert [r.headers["concierge-event"] for r in receiver.requests] == LIFE
    for body in bodies:
        assert body["data"]["reservation"]["id"] == held["id"]
        assert body["data"]["reservation"]["host_id"] == host.id
    assert bodies[-1]["data"]["reservation"]["status"] == "cancelled"
    assert len({b["id"] for b in bodies}) == 3

    request = receiver.requests[0]
    header = request.headers[signing.HEADER.lower()]
    now = int(clock.now().timestamp())
    assert not signing.verify(secret, header, request.body + b" ", now=now)  # tampered body
    assert not signing.verify("whsec_other", header, request.body, now=now)  # wrong secret
    assert not signing.verify(secret, header, request.body, now=now + 301)  # a replay, later


async def test_only_the_people_in_a_reservation_and_admin_wide_hooks_hear_of_it(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    sign_up: Any,
    make_admin: Any,
    worker: Worker,
    receiver: Receiver,
) -> None:
    stranger = await sign_up("Sam Stranger")
    admin = await make_admin()
    await subscribe(client, stranger, receiver.url + "/stranger", ["reservation.confirmed"])
    refused = await client.post(
        "/v1/webhooks",
        json={"url": receiver.url, "events": ["reservation.confirmed"], "all_users": True},
        headers=stranger.auth,
    )
    assert refused.status_code == 403
    await subscribe(client, admin, receiver.url + "/all", ["reservation.confirmed"], all_users=True)
    await subscribe(client, guest, receiver.url + "/guest", ["reservation.confirmed"])
    await reserve(guest, host, at(14), confirm=True)
    await worker.drain()
    assert sorted(r.json["type"] for r in receiver.requests) == ["reservation.confirmed"] * 2
    assert len(receiver.requests) == 2  # the guest's hook and the admin's, not the stranger's


async def test_every_host_of_a_meeting_hears_of_it_until_they_leave(
    client: httpx.AsyncClient,
    host: Person,
    guest: Person,
    sign_up: Any,
    worker: Worker,
    receiver: Receiver,
) -> None:
    co_host = await sign_up("Cora Cohost", "UTC")
    events = ["reservation.confirmed", "reservation.cancelled"]
    await subscribe(client, co_host, receiver.url + "/co-host", events)
    await subscribe(client, host, receiver.url + "/host", events)
    meeting = {"hosts": [host.id, co_host.id], "start": at(14), "duration": 30, "confirm": True}
    booked = await client.post("/v1/reservations", json=meeting, headers=guest.auth)
    assert booked.status_code == 201, booked.text
    await worker.drain()
    heard = sorted((r.path, r.json["type"]) for r in receiver.requests)
    assert heard == [
        ("/hooks/co-host", "reservation.confirmed"),
        ("/hooks/host", "reservation.confirmed"),
    ]

    meeting_id = booked.json()["id"]
    left = await client.post(f"/v1/reservations/{meeting_id}/leave", headers=co_host.auth)
    assert left.status_code == 200, left.text
    cancelled = await client.post(f"/v1/reservations/{meeting_id}/cancel", headers=host.auth)
    assert cancelled.status_code == 200, cancelled.text
    await worker.drain()
    later = sorted((r.path, r.json["type"]) for r in receiver.requests[2:])
    assert later == [("/hooks/host", "reservation.cancelled")]  # Cora had left before


async def test_a_receiver_that_fails_five_times_then_succeeds_gets_the_event_once(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    db: Database,
    worker: Worker,
    receiver: Receiver,
) -> None:
    receiver.answer = lambda n: 503 if n < 5 else 200
    hook = (await subscribe(client, host, receiver.url, ["reservation.confirmed"]))["webhook"]
    await reserve(guest, host, at(14), confirm=True)
    started = clock.now()
    await until_sent(worker, db, clock)

    assert len(receiver.requests) == 6
    assert len({r.body for r in receiver.requests}) == 1  # the same event each time
    assert len(set(receiver.ids())) == 1
    waited = clock.now() - started
    assert timedelta(seconds=10 + 20 + 40 + 80 + 160) / 2 <= waited <= timedelta(minutes=10)
    clock.advance(days=2)
    await worker.drain()
    assert len(receiver.requests) == 6  # delivered: never again

    log = (await client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=host.auth)).json()
    assert [d["status_code"] for d in log["items"]] == [200, 503, 503, 503, 503, 503]
    assert [d["attempt"] for d in log["items"]] == [6, 5, 4, 3, 2, 1]
    assert [d["ok"] for d in log["items"]] == [True] + [False] * 5
    assert all(d["duration_ms"] > 0 for d in log["items"])
    shown = (await client.get(f"/v1/webhooks/{hook['id']}", headers=host.auth)).json()
    assert shown["failing_since"] is None
    assert shown["enabled"] is True


async def test_a_ping_and_a_redelivery_reach_the_receiver(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    worker: Worker,
    receiver: Receiver,
) -> None:
    created = await subscribe(client, host, receiver.url, ["reservation.confirmed"])
    hook = created["webhook"]
    ping = await client.post(f"/v1/webhooks/{hook['id']}/ping", headers=host.auth)
    assert ping.status_code == 202
    await reserve(guest, host, at(14), confirm=True)
    await worker.drain()
    assert [r.json["type"] for r in receiver.requests] == [
        "webhook.ping",
        "reservation.confirmed",
    ]
    first = receiver.requests[1]
    again = await client.post(
        f"/v1/webhooks/{hook['id']}/deliveries/{first.headers['concierge-delivery']}/redeliver",
        headers=host.auth,
    )
    assert again.status_code == 202, again.text
    await worker.drain()
    assert len(receiver.requests) == 3
    assert receiver.requests[2].json == first.json  # the same event, same id
    assert receiver.requests[2].headers["concierge-delivery"] == first.headers["concierge-delivery"]
    verified(receiver, created["secret"], clock)


async def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    worker: Worker,
    receiver: Receiver,
    settings: Settings,
) -> None:
    created = await subscribe(client, host, receiver.url, LIFE)
    old = created["secret"]
    rotated = await client.post(
        f"/v1/webhooks/{created['webhook']['id']}/rotate-secret", headers=host.auth
    )
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != old
    held = (await reserve(guest, host, at(14), confirm=True)).json()
    await worker.drain()
    verified(receiver, old, clock)
    verified(receiver, new, clock)
    clock.advance(hours=settings.webhook_secret_overlap_hours)
    cancelled = await client.post(f"/v1/reservations/{held['id']}/cancel", headers=guest.auth)
    assert cancelled.status_code == 200
    await worker.drain()
    last = receiver.requests[-1]
    assert last.json["type"] == "reservation.cancelled"
    now = int(clock.now().timestamp())
    header = last.headers[signing.HEADER.lower()]
    assert signing.verify(new, header, last.body, now=now)
    assert not signing.verify(old, header, last.body, now=now)


async def test_a_webhook_failing_for_days_is_disabled_and_its_owner_told(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    db: Database,
    settings: Settings,
    receiver: Receiver,
) -> None:
    receiver.answer = lambda _n: 500
    hook = (await subscribe(client, host, receiver.url, LIFE))["webhook"]
    worker = Worker(db, clock, settings.model_copy(update={"webhook_disable_after_days": 0.5}))
    held = (await reserve(guest, host, at(14, day=WEDNESDAY), confirm=True)).json()
    await until_sent(worker, db, clock, rounds=40)  # retried until disabled
    shown = (await client.get(f"/v1/webhooks/{hook['id']}", headers=host.auth)).json()
    assert shown["enabled"] is False
    assert "failed" in shown["disabled_reason"]
    notices = sorted((settings.data_dir / "outbox").glob("*.eml"))
    assert any(b"Webhook disabled" in f.read_bytes() for f in notices)
    tried = len(receiver.requests)
    assert tried >= 2

    cancelled = await client.post(f"/v1/reservations/{held['id']}/cancel", headers=guest.auth)
    assert cancelled.status_code == 200
    await worker.drain()
    assert len(receiver.requests) == tried  # a disabled webhook gets nothing new
    receiver.answer = lambda _n: 204
    back = await client.patch(
        f"/v1/webhooks/{hook['id']}", json={"enabled": True}, headers=host.auth
    )
    assert back.json()["enabled"] is True
    again = await reserve(guest, host, at(15, day=WEDNESDAY))
    assert again.status_code == 201, again.text
    await worker.drain()
    assert receiver.requests[-1].json["data"]["reservation"]["id"] == again.json()["id"]


async def test_only_http_urls_to_public_addresses_unless_the_admin_allows_private(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
    receiver: Receiver,
) -> None:
    for url in ("ftp://example.com/x", "file:///etc/passwd", "not a url"):
        answer = await client.post(
            "/v1/webhooks", json={"url": url, "events": LIFE}, headers=host.auth
        )
        assert answer.status_code == 422, url
        assert answer.json()["code"] in ("url_refused", "invalid_request")
    hook = (await subscribe(client, host, receiver.url, LIFE))["webhook"]
    strict = settings.model_copy(update={"outbound_allow_private": False})
    from concierge.app import create_app

    strict_app = create_app(strict, db=db, clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=strict_app), base_url="http://concierge.test"
    ) as strict_client:
        for url in (
            receiver.url,
            "http://169.254.169.254/latest",
            "http://10.0.0.1/",
            "http://[::1]/",
        ):
            answer = await strict_client.post(
                "/v1/webhooks", json={"url": url, "events": LIFE}, headers=host.auth
            )
            assert answer.status_code == 422, url
            assert answer.json()["code"] == "url_refused"

    # Allowed when subscribed, refused when delivered: checked where the socket opens.
    worker = Worker(db, clock, strict)
    await reserve(guest, host, at(14))
    await worker.drain()
    await worker.aclose()
    assert receiver.requests == []
    log = (await client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=host.auth)).json()
    (attempt,) = log["items"]
    assert attempt["status_code"] is None
    assert "private" in attempt["error"]


async def test_a_deleted_webhook_takes_its_pending_deliveries_and_log_with_it(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    db: Database,
    worker: Worker,
    receiver: Receiver,
) -> None:
    hook = (await subscribe(client, host, receiver.url, LIFE))["webhook"]
    await reserve(guest, host, at(14))
    await worker.drain()
    await reserve(guest, host, at(15))  # pending when the webhook goes
    other = await client.delete(f"/v1/webhooks/{hook['id']}", headers=guest.auth)
    assert other.status_code == 404  # someone else's webhook is not theirs to see
    gone = await client.delete(f"/v1/webhooks/{hook['id']}", headers=host.auth)
    assert gone.status_code == 204
    await worker.drain()
    assert len(receiver.requests) == 1
    async with db.unit_of_work(write=False) as session:
        left = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook"))
        ).all()
    assert left == []
    assert (await client.get(f"/v1/webhooks/{hook['id']}", headers=host.auth)).status_code == 404
