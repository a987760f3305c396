"""Calendar feeds: secret keys, and a user's confirmed reservations (as host and as guest).

A cancelled reservation that had been confirmed stays in the feed as STATUS:CANCELLED for
``calendar_cancelled_days``, so a subscribed calendar removes the event instead of keeping a
stale copy of a meeting that will not happen.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from concierge.accounts.tokens import token_hash
from concierge.calendars import ics
from concierge.calendars.ics import CalendarEvent
from concierge.config import Settings
from concierge.errors import NotFound
from concierge.models import (
    CalendarFeed,
    MeetingType,
    Reservation,
    ReservationParticipant,
    ReservationStatus,
    User,
)
from concierge.timezones import zone

_WRONG_KEY = "No such calendar feed: ask its owner for a current link."


def event_uid(reservation_id: int, domain: str) -> str:
    """Stable across feed refreshes, downloads, reschedules and cancellation, so a calendar app
    updates instead of adding; the install's own ``domain`` keeps two installs' events apart."""
    return f"reservation-{reservation_id}@{domain}"


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


def in_calendars(now: datetime, settings: Settings) -> ColumnElement[bool]:
    """Reservations a calendar shows: confirmed ones, and confirmed ones cancelled lately."""
    since = now - timedelta(days=settings.calendar_cancelled_days)
    return or_(
        Reservation.status == ReservationStatus.CONFIRMED,
        and_(
            Reservation.status == ReservationStatus.CANCELLED,
            Reservation.confirmed_at.is_not(None),
            Reservation.cancelled_at >= since,
        ),
    )


def shown(reservation: Reservation, now: datetime, settings: Settings) -> bool:
    """``in_calendars`` for one loaded row (a manage page's .ics)."""
    if reservation.status == ReservationStatus.CONFIRMED:
        return True
    since = now - timedelta(days=settings.calendar_cancelled_days)
    return (
        reservation.status == ReservationStatus.CANCELLED
        and reservation.confirmed_at is not None
        and reservation.cancelled_at is not None
        and reservation.cancelled_at >= since
    )


async def calendar_events(
    session: AsyncSession, user: User, now: datetime, settings: Settings
) -> list[CalendarEvent]:
    """Every reservation ``user`` hosts (alone or with others) or attends that calendars show,
    titled from their side."""
    host, guest = aliased(User), aliased(User)
    # Their participant rows: as host, co-host of a meeting, or guest (not a meeting they left).
    theirs = select(ReservationParticipant.reservation_id).where(
        ReservationParticipant.user_id == user.id
    )
    rows = await session.execute(
        select(Reservation, host.name, host.email, guest.name, guest.email, MeetingType.title)
        .join(host, host.id == Reservation.host_id)
        .outerjoin(guest, guest.id == Reservation.guest_id)
        .outerjoin(MeetingType, MeetingType.id == Reservation.meeting_type_id)
        .where(
            Reservation.id.in_(theirs),
            in_calendars(now, settings),
        )
        .order_by(Reservation.start_at, Reservation.id)
    )
    events = []
    for reservation, host_name, host_email, guest_name, guest_email, title in rows:
        their_name = guest_name or reservation.guest_name or reservation.guest_email or "a guest"
        other = host_name if reservation.guest_id == user.id else their_name
        email = guest_email or reservation.guest_email
        events.append(
            event_for(
                reservation,
                f"{title or 'Meeting'} with {other}",
                settings.uid_domain,
                attendee=(their_name, email) if email else None,
                organizer=(host_name, host_email),
            )
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
    domain: str,
    url: str | None = None,
    attendee: tuple[str, str] | None = None,
    organizer: tuple[str, str] | None = None,
) -> CalendarEvent:
    """The calendar event of ``reservation``: its current time, SEQUENCE and status."""
    cancelled = reservation.status == ReservationStatus.CANCELLED
    return CalendarEvent(
        uid=event_uid(reservation.id, domain),
        start=reservation.start_at,
        end=reservation.end_at,
        summary=summary,
        created=reservation.created_at,
        modified=reservation.modified_at,
        description=description(reservation),
        url=url,
        attendee=attendee,
        organizer=organizer,
        sequence=reservation.sequence,
        status="CANCELLED" if cancelled else "CONFIRMED",
    )


async def feed(
    session: AsyncSession, user_id: int, key: str | None, now: datetime, settings: Settings
) -> bytes:
    """The ICS feed of ``user_id``, opened by its secret key."""
    user = await feed_owner(session, user_id, key)
    events = await calendar_events(session, user, now, settings)
    return ics.calendar(events, zone(user.timezone), now, name=f"Concierge: {user.name}")
