"""Turning a unit of work's reservation events into outbox rows, inside its transaction.

Runs from ``concierge.events`` just before the commit, on the session's own connection, so a
message exists if and only if its change committed. Per event:

- emails: on ``held`` to the guest only; on ``confirmed``, ``cancelled`` and ``rescheduled`` to
  the guest and the host (a person who turned emails off gets none);
- reminders: on ``confirmed``, one row per person and per reminder time they chose (default
  24 h and 1 h before), due then; a reschedule moves them with the meeting, a cancellation or
  expiry drops those not yet sent;
- webhooks: one row per live subscription of a person in the reservation (or admin-wide)
  that asked for the event.

Each row carries a snapshot of the meeting as it is now, so the message says what was true
when the change happened even if it is sent later.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from concierge import events
from concierge.models import (
    ManageLink,
    NotificationSettings,
    OutboxMessage,
    ParticipantRole,
    Reservation,
    ReservationParticipant,
    User,
    WebhookSubscription,
)

Participant = ReservationParticipant

DEFAULT_REMINDERS = (1440, 60)
REMINDER = "reservation.reminder"
# Who is emailed about what; "expired" and "left" tell webhooks only.
_EMAILED: dict[str, tuple[str, ...]] = {
    "held": ("guest",),
    "confirmed": ("guest", "host"),
    "cancelled": ("guest", "host"),
    "rescheduled": ("guest", "host"),
}


def write(
    session: Session, pending: Sequence[events.Event], notices: Sequence[events.Notice] = ()
) -> None:
    session.flush()  # the changes themselves first: the snapshots read them back
    for event in pending:
        if isinstance(event, events.ReservationChanged):
            _reservation_changed(session, event)
    for notice in notices:
        for subscription in _subscribed(session, notice.users):
            if notice.name in subscription.events:
                session.add(
                    webhook_message(subscription.id, notice.name, dict(notice.data), notice.at,
                                    notice.at)
                )  # fmt: skip
    session.flush()


def _subscribed(session: Session, users: Collection[int]) -> Sequence[WebhookSubscription]:
    """The live subscriptions of ``users``, and every admin-wide one."""
    return session.scalars(
        select(WebhookSubscription).where(
            WebhookSubscription.disabled_at.is_(None),
            WebhookSubscription.user_id.in_(list(users)) | WebhookSubscription.user_id.is_(None),
        )
    ).all()


def _reservation_changed(session: Session, event: events.ReservationChanged) -> None:
    reservation = session.get(Reservation, event.reservation_id, populate_existing=True)
    if reservation is None:
        return
    host = session.get(User, reservation.host_id)
    guest = session.get(User, reservation.guest_id) if reservation.guest_id else None
    if host is None:
        return
    link = session.get(ManageLink, reservation.id)
    at = _changed_at(reservation, event.kind)
    snapshot = _snapshot(reservation, host, guest)
    people = _people(session, reservation, host, guest, link)
    topic = f"reservation.{event.kind}"
    told = _EMAILED.get(event.kind, ())
    for person in people:
        if person["role"] in told and person["emails"]:
            session.add(_email(topic, reservation.id, person, snapshot, at, at))
    if event.kind == "confirmed":
        _schedule_reminders(session, reservation, people, snapshot, at)
    elif event.kind == "rescheduled":
        _move_reminders(session, reservation, snapshot)
    elif event.kind in ("cancelled", "expired"):
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.reservation_id == reservation.id,
                OutboxMessage.topic == REMINDER,
                OutboxMessage.sent_at.is_(None),
            )
        )
    elif event.kind == "left":
        # A host left a meeting that goes on for the others: only their reminders go.
        for message in _waiting_reminders(session, reservation.id):
            if message.payload["to"].get("user_id") in event.users:
                session.delete(message)
    # Every host's and the guest's hooks hear of it, and those of whoever the event names (a
    # host who just left is no longer among the people).
    listening = {p["user_id"] for p in people if p["user_id"] is not None} | set(event.users)
    _webhooks(session, topic, reservation, snapshot, at, sorted(listening))


def _changed_at(reservation: Reservation, kind: str) -> datetime:
    """When the change happened, by the stamps the transition wrote (the writer has no clock)."""
    stamps = {
        "confirmed": reservation.confirmed_at,
        "cancelled": reservation.cancelled_at,
        "expired": reservation.expired_at,
        "rescheduled": reservation.rescheduled_at,
    }
    found = stamps.get(kind)
    if found is not None:
        return found
    latest = [
        s
        for s in (
            reservation.created_at,
            reservation.confirmed_at,
            reservation.cancelled_at,
            reservation.expired_at,
            reservation.rescheduled_at,
        )
        if s is not None
    ]
    return max(latest)


def _snapshot(reservation: Reservation, host: User, guest: User | None) -> dict[str, Any]:
    return {
        "id": reservation.id,
        "status": reservation.status,
        "start": reservation.start_at.isoformat(),
        "end": reservation.end_at.isoformat(),
        "created_at": reservation.created_at.isoformat(),
        "note": reservation.note,
        "sequence": reservation.sequence,
        "cancel_reason": reservation.cancel_reason,
        "host": {"id": host.id, "name": host.name, "email": host.email},
        "guest": {
            "id": guest.id if guest else None,
            "name": guest.name if guest else (reservation.guest_name or ""),
            "email": guest.email if guest else (reservation.guest_email or ""),
        },
    }


def _people(
    session: Session,
    reservation: Reservation,
    host: User,
    guest: User | None,
    link: ManageLink | None,
) -> list[dict[str, Any]]:
    """Each person to tell, every host of a meeting and the guest: address, zone, reminder
    choices, and (the guest) the manage link."""
    # A meeting's other hosts are its host participants beyond its own host column.
    co_hosts = session.scalars(
        select(User)
        .join(Participant, Participant.user_id == User.id)
        .where(
            Participant.reservation_id == reservation.id,
            Participant.role == ParticipantRole.HOST,
            Participant.user_id != host.id,
        )
        .order_by(User.id)
    ).all()
    hosts = [host, *co_hosts]
    ids = [u.id for u in (*hosts, guest) if u is not None]
    chosen = {
        s.user_id: s
        for s in session.scalars(
            select(NotificationSettings).where(NotificationSettings.user_id.in_(ids))
        )
    }

    def entry(role: str, user: User | None, name: str, email: str, tz: str) -> dict[str, Any]:
        settings = chosen.get(user.id) if user else None
        return {
            "role": role,
            "user_id": user.id if user else None,
            "name": name,
            "email": email,
            "timezone": tz,
            "emails": settings.emails if settings else True,
            "reminders": list(settings.reminder_minutes if settings else DEFAULT_REMINDERS),
            "manage_sealed": link.token_sealed if (link and role == "guest") else None,
        }

    people = [entry("host", h, h.name, h.email, h.timezone) for h in hosts]
    if guest is not None:
        people.append(entry("guest", guest, guest.name, guest.email, guest.timezone))
    elif reservation.guest_email:
        tz = link.timezone if link else host.timezone
        people.append(
            entry("guest", None, reservation.guest_name or "", reservation.guest_email, tz)
        )
    return people


def _email(
    topic: str,
    reservation_id: int,
    person: dict[str, Any],
    snapshot: dict[str, Any],
    at: datetime,
    due: datetime,
    **extra: Any,
) -> OutboxMessage:
    recipient = {k: person[k] for k in ("role", "user_id", "name", "email", "timezone")}
    payload = {
        "to": recipient,
        "reservation": snapshot,
        "manage_sealed": person["manage_sealed"],
        **extra,
    }
    return OutboxMessage(
        channel="email",
        topic=topic,
        reservation_id=reservation_id,
        payload=payload,
        created_at=at,
        due_at=due,
        attempts=0,
    )


def _schedule_reminders(
    session: Session,
    reservation: Reservation,
    people: list[dict[str, Any]],
    snapshot: dict[str, Any],
    at: datetime,
) -> None:
    for person in people:
        if not person["emails"]:
            continue
        for minutes in sorted(set(person["reminders"]), reverse=True):
            due = reservation.start_at - timedelta(minutes=minutes)
            if due > at:  # a reminder whose time has passed would only be noise
                session.add(
                    _email(REMINDER, reservation.id, person, snapshot, at, due, minutes=minutes)
                )


def _waiting_reminders(session: Session, reservation_id: int) -> Sequence[OutboxMessage]:
    return session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.reservation_id == reservation_id,
            OutboxMessage.topic == REMINDER,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.given_up_at.is_(None),
        )
    ).all()


def _move_reminders(session: Session, reservation: Reservation, snapshot: dict[str, Any]) -> None:
    """The unsent reminders follow the meeting to its new time, as long before it as before."""
    for message in _waiting_reminders(session, reservation.id):
        minutes = int(message.payload.get("minutes", 0))
        if message.channel == "email":
            message.payload = {**message.payload, "reservation": snapshot}
        else:
            message.payload = {**message.payload, "data": {"reservation": _public(snapshot)}}
        message.due_at = reservation.start_at - timedelta(minutes=minutes)


def _public(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What a webhook receiver is told of a reservation."""
    return {
        "id": snapshot["id"],
        "status": snapshot["status"],
        "start": snapshot["start"],
        "end": snapshot["end"],
        "sequence": snapshot["sequence"],
        "host_id": snapshot["host"]["id"],
        "guest_id": snapshot["guest"]["id"],
        "cancel_reason": snapshot["cancel_reason"],
    }


def _webhooks(
    session: Session,
    topic: str,
    reservation: Reservation,
    snapshot: dict[str, Any],
    at: datetime,
    users: list[int],
) -> None:
    for subscription in _subscribed(session, users):
        if topic in subscription.events:
            session.add(webhook_message(subscription.id, topic, _public(snapshot), at, at))
        if topic == "reservation.confirmed" and REMINDER in subscription.events:
            due = reservation.start_at - timedelta(minutes=DEFAULT_REMINDERS[-1])
            if due > at:
                message = webhook_message(subscription.id, REMINDER, _public(snapshot), at, due)
                message.payload["minutes"] = DEFAULT_REMINDERS[-1]
                session.add(message)


def webhook_message(
    subscription_id: int,
    topic: str,
    data: dict[str, Any],
    at: datetime,
    due: datetime,
) -> OutboxMessage:
    """A webhook row; its body is ``{"type", "created_at", "data"}`` (the id is the row's)."""
    reservation = data.get("id") if topic.startswith("reservation.") else None
    return OutboxMessage(
        channel="webhook",
        topic=topic,
        reservation_id=reservation,
        subscription_id=subscription_id,
        payload={
            "type": topic,
            "created_at": at.astimezone(UTC).isoformat(),
            "data": {"reservation": data} if reservation is not None else data,
        },
        created_at=at,
        due_at=due,
        attempts=0,
    )
