"""Webhook subscriptions: who may have which, their secrets, pings and redeliveries.

A user subscribes to events of the reservations they take part in; an admin may also
subscribe for the whole install (``all_users``). The signing secret is shown once, when made
or rotated, and kept encrypted. Deliveries go through the outbox like emails do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import httpcore
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concierge import outbound, sealed
from concierge.config import Settings
from concierge.errors import Forbidden, InvalidRequest, NotFound
from concierge.models import OutboxMessage, User, WebhookDelivery, WebhookSubscription
from concierge.outbox.writer import webhook_message
from concierge.webhooks import signing

EVENT_TYPES = (
    "reservation.held",
    "reservation.confirmed",
    "reservation.cancelled",
    "reservation.expired",
    "reservation.rescheduled",
    "reservation.reminder",
    "restaurant_booking.booked",
    "restaurant_booking.cancelled",
    "venue_sync.completed",  # admin-wide webhooks only: a venue's book is nobody's own
    "venue_sync.failed",
)
MAX_PER_USER = 20


def check_events(asked: Sequence[str]) -> list[str]:
    unknown = sorted(set(asked) - set(EVENT_TYPES))
    if unknown or not asked:
        raise InvalidRequest(
            f"events lists one or more of {', '.join(EVENT_TYPES)}"
            + (f" (not {', '.join(unknown)})" if unknown else "")
            + ".",
            field="events",
        )
    return sorted(set(asked), key=EVENT_TYPES.index)


async def check_url(url: str, settings: Settings) -> str:
    """Only http(s), to a host whose addresses are all public (unless the admin allows private
    ones). Checked again on the address each delivery connects to, since DNS answers change."""
    parsed = outbound.check_url(url)
    if not settings.outbound_allow_private:
        try:
            addresses = await outbound.resolve(parsed.host, parsed.port or 443)
        except (httpcore.ConnectError, UnicodeError, ValueError) as exc:  # no such name
            raise outbound.OutboundRefused(f"{parsed.host} does not resolve.") from exc
        for address in addresses:
            why = outbound.refused_address(address, allow_private=False)
            if why:
                raise outbound.OutboundRefused(
                    f"Webhooks cannot be sent to {parsed.host}: {why}. An admin may allow "
                    "private addresses with CONCIERGE_OUTBOUND_ALLOW_PRIVATE."
                )
    return str(parsed)


async def create(
    session: AsyncSession,
    actor: User,
    *,
    url: str,
    events: Sequence[str],
    all_users: bool,
    now: datetime,
    settings: Settings,
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its secret (the only time the secret is told)."""
    if all_users and not actor.is_admin:
        raise Forbidden("Only an admin may subscribe to every user's events.")
    count = len(
        (
            await session.scalars(
                select(WebhookSubscription.id).where(WebhookSubscription.created_by == actor.id)
            )
        ).all()
    )
    if count >= MAX_PER_USER:
        raise InvalidRequest(f"At most {MAX_PER_USER} webhooks per user; delete one first.")
    secret = signing.new_secret()
    subscription = WebhookSubscription(
        user_id=None if all_users else actor.id,
        created_by=actor.id,
        url=await check_url(url, settings),
        events=check_events(events),
        secret_sealed=sealed.seal(settings, secret),
        created_at=now,
    )
    session.add(subscription)
    await session.flush()
    return subscription, secret


async def visible(session: AsyncSession, actor: User, webhook_id: int) -> WebhookSubscription:
    found = await session.get(WebhookSubscription, webhook_id)
    if found is None or not (actor.is_admin or found.created_by == actor.id):
        raise NotFound(f"No webhook numbered {webhook_id} among yours.")
    return found


async def list_for(
    session: AsyncSession, actor: User, after: int | None, limit: int
) -> list[WebhookSubscription]:
    query = select(WebhookSubscription).order_by(WebhookSubscription.id).limit(limit)
    if not actor.is_admin:
        query = query.where(WebhookSubscription.created_by == actor.id)
    if after is not None:
        query = query.where(WebhookSubscription.id > after)
    return list((await session.scalars(query)).all())


async def change(
    session: AsyncSession,
    subscription: WebhookSubscription,
    *,
    url: str | None,
    events: Sequence[str] | None,
    enabled: bool | None,
    settings: Settings,
) -> WebhookSubscription:
    if url is not None:
        subscription.url = await check_url(url, settings)
    if events is not None:
        subscription.events = check_events(events)
    if enabled is True:
        subscription.disabled_at = subscription.disabled_reason = None
        subscription.failing_since = None
    elif enabled is False and subscription.disabled_at is None:
        raise InvalidRequest("To stop a webhook, delete it; disabling is the service's own.")
    await session.flush()
    return subscription


async def rotate(
    session: AsyncSession, subscription: WebhookSubscription, now: datetime, settings: Settings
) -> tuple[str, datetime]:
    """A new secret; the old one keeps signing (beside it) until the overlap ends."""
    secret = signing.new_secret()
    until = now + timedelta(hours=settings.webhook_secret_overlap_hours)
    subscription.previous_secret_sealed = subscription.secret_sealed
    subscription.previous_secret_until = until
    subscription.secret_sealed = sealed.seal(settings, secret)
    await session.flush()
    return secret, until


async def ping(session: AsyncSession, subscription: WebhookSubscription, now: datetime) -> int:
    """Queue a ``webhook.ping`` delivery (sent even to a disabled webhook); its message id."""
    message = webhook_message(
        subscription.id, "webhook.ping", {"webhook_id": subscription.id}, now, now
    )
    session.add(message)
    await session.flush()
    return message.id


async def deliveries(
    session: AsyncSession, subscription: WebhookSubscription, before: int | None, limit: int
) -> list[WebhookDelivery]:
    """The delivery log, newest first."""
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    return list((await session.scalars(query)).all())


async def redeliver(
    session: AsyncSession, subscription: WebhookSubscription, message_id: int, now: datetime
) -> int:
    """Send one earlier message again, as it was (same event id, so a receiver can tell); the
    new outbox row's id."""
    original = await session.get(OutboxMessage, message_id)
    if original is None or original.subscription_id != subscription.id:
        raise NotFound(f"No delivery {message_id} for webhook {subscription.id}.")
    payload: dict[str, Any] = {
        **original.payload,
        "delivery": original.payload.get("delivery", original.id),
    }
    again = OutboxMessage(
        channel="webhook",
        topic=original.topic,
        reservation_id=original.reservation_id,
        subscription_id=subscription.id,
        payload=payload,
        created_at=now,
        due_at=now,
        attempts=0,
    )
    session.add(again)
    await session.flush()
    return again.id


async def pending_count(session: AsyncSession, subscription: WebhookSubscription) -> int:
    rows = await session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.subscription_id == subscription.id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.given_up_at.is_(None),
        )
    )
    return len(rows.all())
