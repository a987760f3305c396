"""REST: /v1/webhooks — subscriptions, their delivery log, pings, redelivery, secret rotation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from concierge.api.deps import ClockDep, CurrentUser, Session, SettingsDep
from concierge.api.pagination import Cursor, Limit, Page, an_id, decode_cursor, encode_cursor
from concierge.api.params import MAX_ID
from concierge.api.problems import documented
from concierge.models import WebhookDelivery, WebhookSubscription
from concierge.timezones import render
from concierge.webhooks import service
from concierge.webhooks.schemas import (
    DeliveryOut,
    Queued,
    SecretRotated,
    WebhookChange,
    WebhookCreate,
    WebhookCreated,
    WebhookOut,
)

router = APIRouter(prefix="/v1", tags=["webhooks"])

WebhookId = Annotated[int, Path(ge=1, le=MAX_ID, description="A webhook id")]
MessageId = Annotated[int, Path(ge=1, le=MAX_ID, description="A delivery's message_id")]
_422 = ["invalid_request", "url_refused"]


def view(subscription: WebhookSubscription) -> WebhookOut:
    def instant(value: datetime | None) -> str | None:
        return None if value is None else render(value)

    return WebhookOut(
        id=subscription.id,
        url=subscription.url,
        events=subscription.events,
        all_users=subscription.user_id is None,
        created_at=render(subscription.created_at),
        enabled=subscription.disabled_at is None,
        disabled_at=instant(subscription.disabled_at),
        disabled_reason=subscription.disabled_reason,
        failing_since=instant(subscription.failing_since),
        previous_secret_valid_until=instant(subscription.previous_secret_until),
    )


def delivery_view(row: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=row.id,
        message_id=row.message_id,
        event=row.topic,
        attempt=row.attempt,
        at=render(row.at),
        ok=row.ok,
        status_code=row.status_code,
        duration_ms=row.duration_ms,
        error=row.error,
    )


@router.post(
    "/webhooks",
    status_code=status.HTTP_201_CREATED,
    responses=documented(401, 403, 422, s422=_422),
)
async def create_webhook(
    body: WebhookCreate,
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
    settings: SettingsDep,
) -> WebhookCreated:
    """Subscribe a URL to events of your reservations (admins: `all_users` for everyone's).
    Each delivery is a POST signed with HMAC-SHA256 (`Concierge-Signature`, see the README);
    the `secret` is shown only in this answer. Private, loopback and link-local addresses are
    refused unless the admin setting `CONCIERGE_OUTBOUND_ALLOW_PRIVATE` allows them."""
    subscription, secret = await service.create(
        session,
        actor,
        url=body.url,
        events=body.events,
        all_users=body.all_users,
        now=clock.now(),
        settings=settings,
    )
    return WebhookCreated(webhook=view(subscription), secret=secret)


@router.get("/webhooks", responses=documented(401, 422, s422=["invalid_request", "invalid_cursor"]))
async def list_webhooks(
    session: Session, actor: CurrentUser, limit: Limit = 50, cursor: Cursor = None
) -> Page[WebhookOut]:
    """Your webhooks (an admin: every webhook), oldest first."""
    position = decode_cursor(cursor, an_id)
    rows = await service.list_for(session, actor, position[0] if position else None, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[view(r) for r in rows],
        next_cursor=encode_cursor([rows[-1].id]) if more else None,
    )


@router.get("/webhooks/{webhook_id}", responses=documented(401, 404, 422))
async def get_webhook(webhook_id: WebhookId, session: Session, actor: CurrentUser) -> WebhookOut:
    """One webhook (never its secret)."""
    return view(await service.visible(session, actor, webhook_id))


@router.patch("/webhooks/{webhook_id}", responses=documented(401, 404, 422, s422=_422))
async def change_webhook(
    webhook_id: WebhookId,
    body: WebhookChange,
    session: Session,
    actor: CurrentUser,
    settings: SettingsDep,
) -> WebhookOut:
    """Change the URL or the events; `enabled: true` turns a webhook that was disabled after
    days of failures back on."""
    subscription = await service.visible(session, actor, webhook_id)
    changed = await service.change(
        session,
        subscription,
        url=body.url,
        events=body.events,
        enabled=body.enabled,
        settings=settings,
    )
    return view(changed)


@router.delete(
    "/webhooks/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(401, 404, 422),
)
async def delete_webhook(webhook_id: WebhookId, session: Session, actor: CurrentUser) -> Response:
    """Delete the webhook, its pending deliveries and its log."""
    subscription = await service.visible(session, actor, webhook_id)
    await session.delete(subscription)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/webhooks/{webhook_id}/rotate-secret", responses=documented(401, 404, 422))
async def rotate_secret(
    webhook_id: WebhookId,
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
    settings: SettingsDep,
) -> SecretRotated:
    """A new signing secret, shown only now. Until `previous_secret_valid_until`
    (CONCIERGE_WEBHOOK_SECRET_OVERLAP_HOURS, default 24) deliveries carry a signature by each
    secret, so the receiver can switch without missing one."""
    subscription = await service.visible(session, actor, webhook_id)
    secret, until = await service.rotate(session, subscription, clock.now(), settings)
    return SecretRotated(
        webhook=view(subscription), secret=secret, previous_secret_valid_until=render(until)
    )


@router.post(
    "/webhooks/{webhook_id}/ping",
    status_code=status.HTTP_202_ACCEPTED,
    responses=documented(401, 404, 422),
)
async def ping_webhook(
    webhook_id: WebhookId, session: Session, actor: CurrentUser, clock: ClockDep
) -> Queued:
    """Queue a `webhook.ping` delivery (even to a disabled webhook); its outcome appears in
    the delivery log within seconds."""
    subscription = await service.visible(session, actor, webhook_id)
    return Queued(message_id=await service.ping(session, subscription, clock.now()))


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    responses=documented(401, 404, 422, s422=["invalid_request", "invalid_cursor"]),
)
async def list_deliveries(
    webhook_id: WebhookId,
    session: Session,
    actor: CurrentUser,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DeliveryOut]:
    """Every delivery attempt, newest first: status code (none when no answer came), time
    taken, error."""
    subscription = await service.visible(session, actor, webhook_id)
    position = decode_cursor(cursor, an_id)
    rows = await service.deliveries(
        session, subscription, position[0] if position else None, limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[delivery_view(r) for r in rows],
        next_cursor=encode_cursor([rows[-1].id]) if more else None,
    )


@router.post(
    "/webhooks/{webhook_id}/deliveries/{message_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    responses=documented(401, 404, 422),
)
async def redeliver(
    webhook_id: WebhookId,
    message_id: MessageId,
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
) -> Queued:
    """Send one earlier message again, unchanged (the same event `id` in its body)."""
    subscription = await service.visible(session, actor, webhook_id)
    again = await service.redeliver(session, subscription, message_id, clock.now())
    return Queued(message_id=again)
