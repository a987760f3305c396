"""Booking pages: what a host offers to visitors, and a guest's booking behind its manage link.

The booking rules themselves (notice, horizon, overlaps, holds) belong to the scheduling and
reservations services; this module only decides what a page offers and who holds the link.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concierge import sealed
from concierge.accounts.tokens import token_hash
from concierge.config import Settings
from concierge.errors import NotFound
from concierge.meeting_types import service as meeting_types
from concierge.models import ManageLink, MeetingType, Reservation, User
from concierge.reservations import service as reservations
from concierge.scheduling import service as scheduling

_NO_BOOKING = "This booking link is not valid. Check that it was copied whole."


@dataclass(frozen=True)
class GuestBooking:
    reservation: Reservation
    host: User
    timezone: str
    meeting_type: MeetingType | None = None

    def state(self, now: datetime) -> str:
        """The status as the guest should see it: a lapsed hold is expired at once."""
        return str(reservations.effective_status(self.reservation, now))


async def host_by_slug(session: AsyncSession, slug: str) -> User:
    host = await session.scalar(select(User).where(User.slug == slug, User.deleted_at.is_(None)))
    if host is None:
        raise NotFound(f"Nobody has the booking page {slug!r}. Check the address.")
    return host


async def public_types(session: AsyncSession, host: User) -> list[MeetingType]:
    """What the host's page lists."""
    return await meeting_types.list_for(session, host, hidden_too=False)


async def meeting_type(session: AsyncSession, host: User, slug: str | None) -> MeetingType:
    """The type an address names, or (for the host's bare address) their first public one."""
    if slug is not None:
        return await meeting_types.by_slug(session, host, slug)
    listed = await public_types(session, host)
    return listed[0] if listed else await meeting_types.first_of(session, host)


def bookable_days(
    host: User, offered: MeetingType, tz: ZoneInfo, now: datetime
) -> tuple[date, date]:
    """The local dates of ``tz`` from today to the type's horizon: what the calendar can show."""
    horizon = meeting_types.horizon_days(offered, host)
    return now.astimezone(tz).date(), (now + timedelta(days=horizon)).astimezone(tz).date()


async def free_times(
    session: AsyncSession,
    host: User,
    offered: MeetingType,
    tz: ZoneInfo,
    duration: int,
    now: datetime,
    settings: Settings,
) -> dict[date, list[datetime]]:
    """Free starts from today to the type's horizon, per local date of ``tz``."""
    first, last = bookable_days(host, offered, tz, now)
    return await scheduling.free_slots(
        session,
        host,
        first,
        last,
        tz,
        duration,
        now,
        settings,
        notice_minutes=meeting_types.notice_minutes(offered, host),
        horizon_days=meeting_types.horizon_days(offered, host),
    )


async def add_manage_link(
    session: AsyncSession,
    reservation: Reservation,
    timezone: str,
    now: datetime,
    settings: Settings,
) -> str:
    """A new unguessable link token for ``reservation``; its hash finds it, and an encrypted
    copy lets the emails about the booking carry the link."""
    token = secrets.token_urlsafe(32)
    session.add(
        ManageLink(
            reservation_id=reservation.id,
            token_hash=token_hash(token),
            timezone=timezone,
            created_at=now,
            token_sealed=sealed.seal(settings, token),
        )
    )
    await session.flush()
    return token


async def booking_by_token(session: AsyncSession, token: str) -> GuestBooking:
    if not token or len(token) > 100:
        raise NotFound(_NO_BOOKING)
    digest = token_hash(token)
    row = (
        await session.execute(
            select(ManageLink, Reservation, User, MeetingType)
            .join(Reservation, Reservation.id == ManageLink.reservation_id)
            .join(User, User.id == Reservation.host_id)
            .outerjoin(MeetingType, MeetingType.id == Reservation.meeting_type_id)
            .where(ManageLink.token_hash == digest)
        )
    ).first()
    if row is None:
        raise NotFound(_NO_BOOKING)
    link, reservation, host, offered = row
    return GuestBooking(
        reservation=reservation, host=host, timezone=link.timezone, meeting_type=offered
    )


@dataclass(frozen=True)
class OwnBooking:
    """The booking a visitor's browser remembers for one host (the hold cookie): its token too."""

    token: str
    booking: GuestBooking

    def is_for(self, start: datetime, duration: int) -> bool:
        r = self.booking.reservation
        return r.start_at == start and r.duration_minutes == duration


async def own_booking(session: AsyncSession, host: User, token: str | None) -> OwnBooking | None:
    """The visitor's booking with ``host`` named by their cookie, if it is one."""
    if not token:
        return None
    try:
        found = await booking_by_token(session, token)
    except NotFound:
        return None
    return OwnBooking(token, found) if found.host.id == host.id else None


async def release(session: AsyncSession, own: OwnBooking | None, now: datetime) -> None:
    """Give back the visitor's live hold (they left the page or chose another time)."""
    if own is not None and own.booking.state(now) == "held":
        await reservations.cancel_reservation(session, own.booking.reservation, now)


async def hold(
    session: AsyncSession,
    host: User,
    offered: MeetingType,
    own: OwnBooking | None,
    *,
    start: datetime,
    duration: int,
    timezone: str,
    now: datetime,
    settings: Settings,
) -> str:
    """Keep the chosen time for the visitor while they fill the form in; the token of the hold.

    A visitor holds at most one of the host's times: their hold (or booking) of this very time is
    kept, any other hold released first. Their name, email and answers come with the booking."""
    terms = meeting_types.offer(offered, host, duration, {}, answers_due=False)
    mine = own is not None and own.is_for(start, duration)
    if own is not None and mine and own.booking.state(now) in ("held", "confirmed"):
        return own.token  # theirs already (a page left open, or Back after booking)
    await release(session, own, now)
    reservation = await reservations.reserve(
        session,
        guest=reservations.Visitor(name="", email=""),
        host_id=host.id,
        start=start,
        duration_minutes=duration,
        now=now,
        settings=settings,
        offer=terms,
    )
    return await add_manage_link(session, reservation, timezone, now, settings)


async def book(
    session: AsyncSession,
    host: User,
    offered: MeetingType,
    own: OwnBooking | None,
    *,
    start: datetime,
    duration: int,
    guest_name: str,
    guest_email: str,
    answers: Mapping[str, str],
    timezone: str,
    now: datetime,
    settings: Settings,
) -> str:
    """Book the time for a visitor without an account; the token of their manage link.

    Their own hold of this time is confirmed (nobody could take it while they typed); a second
    press of Book, or Book again after Back, finds the booking already made and answers it."""
    terms = meeting_types.offer(offered, host, duration, answers)
    if own is not None and own.is_for(start, duration):
        state = own.booking.state(now)
        if state == "confirmed":
            return own.token
        if state == "held":
            held = own.booking.reservation
            held.guest_name, held.guest_email = guest_name, guest_email
            held.meeting_type_id, held.answers = terms.meeting_type_id, terms.answers
            await reservations.confirm_reservation(session, held, now)
            return own.token
    await release(session, own, now)
    reservation = await reservations.reserve(
        session,
        guest=reservations.Visitor(name=guest_name, email=guest_email),
        host_id=host.id,
        start=start,
        duration_minutes=duration,
        now=now,
        settings=settings,
        confirm=True,
        offer=terms,
    )
    return await add_manage_link(session, reservation, timezone, now, settings)


async def confirm(session: AsyncSession, booking: GuestBooking, now: datetime) -> Reservation:
    """Whoever holds the manage link is the guest: they may confirm while the hold lasts."""
    return await reservations.confirm_reservation(session, booking.reservation, now)


async def cancel(
    session: AsyncSession, booking: GuestBooking, now: datetime, reason: str | None = None
) -> Reservation:
    """Whoever holds the manage link is the guest: they may cancel or release the time."""
    return await reservations.cancel_reservation(session, booking.reservation, now, reason)


async def reschedule(
    session: AsyncSession,
    booking: GuestBooking,
    start: datetime,
    now: datetime,
    settings: Settings,
) -> Reservation:
    """Whoever holds the manage link is the guest: they may move the booking (same length)."""
    return await reservations.reschedule_reservation(
        session, booking.reservation, start, now, settings
    )
