"""Calendar feeds: secret keys, and a user's confirmed reservations (as host and as guest)."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from concierge.accounts.tokens import token_hash
from concierge.calendars import ics
from concierge.calendars.ics import CalendarEvent
from concierge.errors import NotFound
from concierge.models import CalendarFeed, MeetingType, Reservation, ReservationStatus, User
from concierge.timezones import zone

_WRONG_KEY = "No such calendar feed: ask its owner for a current link."


def event_uid(reservation_id: int) -> str:
    """Stable across feed refreshes and downloads, so a calendar app updates instead of adding."""
    return f"reservation-{reservation_id}@concierge"


async def issue_feed_key(session: AsyncSession, user: User, now: datetime) -> str:
    """A new secret key for ``user``'s feed, returned in clear this once; the old one stops
    working."""
    key = secrets.token_urlsafe(32)
    row = await session.get(CalendarFeed, user.id)
    if row is None:
        session.add(CalendarFeed(user_id=user.id, key_hash=token_hash(key), created_at=now))
    else:
        row.key_hash, row.created_at = token_hash(key), now
    await session.flush()
    return key


async def feed_owner(session: AsyncSession, user_id: int, key: str | None) -> User:
    """The user whose feed ``key`` opens; a 404 that reveals nothing for any other key."""
    if not key:
        raise NotFound(_WRONG_KEY)
    row = await session.get(CalendarFeed, user_id)
    if row is None or not hmac.compare_digest(row.key_hash, token_hash(key)):
        raise NotFound(_WRONG_KEY)
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound(_WRONG_KEY)
    return user


async def confirmed_events(session: AsyncSession, user: User) -> list[CalendarEvent]:
    """Every confirmed reservation ``user`` hosts or attends, titled from their side."""
    host, guest = aliased(User), aliased(User)
    rows = await session.execute(
        select(Reservation, host.name, guest.name, guest.email, MeetingType.title)
        .join(host, host.id == Reservation.host_id)
        .outerjoin(guest, guest.id == Reservation.guest_id)
        .outerjoin(MeetingType, MeetingType.id == Reservation.meeting_type_id)
        .where(
            or_(Reservation.host_id == user.id, Reservation.guest_id == user.id),
            Reservation.status == ReservationStatus.CONFIRMED,
        )
        .order_by(Reservation.start_at, Reservation.id)
    )
    events = []
    for reservation, host_name, guest_name, guest_email, title in rows:
        attendee = None
        if reservation.host_id == user.id:
            other = guest_name or reservation.guest_name or reservation.guest_email or "a guest"
            email = guest_email or reservation.guest_email
            attendee = (other, email) if email else None
        else:
            other = host_name
        events.append(
            event_for(reservation, f"{title or 'Meeting'} with {other}", attendee=attendee)
        )
    return events


def description(reservation: Reservation) -> str | None:
    """The note, then the guest's answers to the meeting type's questions, one per line."""
    lines = [reservation.note] if reservation.note else []
    lines += [f"{a['question']}: {a['answer']}" for a in reservation.answers or []]
    return "\n".join(lines) or None


def event_for(
    reservation: Reservation,
    summary: str,
    url: str | None = None,
    attendee: tuple[str, str] | None = None,
) -> CalendarEvent:
    return CalendarEvent(
        uid=event_uid(reservation.id),
        start=reservation.start_at,
        end=reservation.end_at,
        summary=summary,
        created=reservation.created_at,
        modified=reservation.cancelled_at or reservation.confirmed_at or reservation.created_at,
        description=description(reservation),
        url=url,
        attendee=attendee,
    )


async def feed(session: AsyncSession, user_id: int, key: str | None, now: datetime) -> bytes:
    """The ICS feed of ``user_id``, opened by its secret key."""
    user = await feed_owner(session, user_id, key)
    events = await confirmed_events(session, user)
    return ics.calendar(events, zone(user.timezone), now, name=f"Concierge: {user.name}")
