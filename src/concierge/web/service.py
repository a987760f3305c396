"""Booking pages: what a host offers to visitors, and a guest's booking behind its manage link.

The booking rules themselves (notice, horizon, overlaps, holds) belong to the scheduling and
reservations services; this module only decides what a page offers and who holds the link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.accounts.tokens import token_hash
from concierge.config import Settings
from concierge.errors import InvalidRequest, NotFound
from concierge.models import ManageLink, Reservation, User
from concierge.reservations import service as reservations
from concierge.scheduling import service as scheduling

_NO_BOOKING = "This booking link is not valid. Check that it was copied whole."


@dataclass(frozen=True)
class GuestBooking:
    reservation: Reservation
    host: User
    timezone: str

    def state(self, now: datetime) -> str:
        """The status as the guest should see it: a lapsed hold is expired at once."""
        return str(reservations.effective_status(self.reservation, now))


async def host_by_slug(session: AsyncSession, slug: str) -> User:
    host = await session.scalar(select(User).where(User.slug == slug, User.deleted_at.is_(None)))
    if host is None:
        raise NotFound(f"Nobody has the booking page {slug!r}. Check the address.")
    return host


def offered_duration(host: User, requested: int | None) -> int:
    """The meeting length to list: the one asked for when the host offers it, else their first."""
    if requested in host.booking_durations:
        return int(requested)
    return int(sorted(host.booking_durations)[0])


def check_offered(host: User, duration: int) -> None:
    if duration not in host.booking_durations:
        lengths = ", ".join(str(m) for m in sorted(host.booking_durations))
        raise InvalidRequest(
            f"{host.name} offers meetings of {lengths} minutes; pick one of those.",
            field="duration",
        )


async def free_times(
    session: AsyncSession,
    host: User,
    tz: ZoneInfo,
    duration: int,
    now: datetime,
    settings: Settings,
) -> dict[date, list[datetime]]:
    """Free starts of the next two weeks, per local date of ``tz``."""
    first, last = scheduling.default_range(None, None, tz, now)
    return await scheduling.free_slots(session, host, first, last, tz, duration, now, settings)


async def add_manage_link(
    session: AsyncSession, reservation: Reservation, timezone: str, now: datetime
) -> str:
    """A new unguessable link token for ``reservation``; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    session.add(
        ManageLink(
            reservation_id=reservation.id,
            token_hash=token_hash(token),
            timezone=timezone,
            created_at=now,
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
            select(ManageLink, Reservation, User)
            .join(Reservation, Reservation.id == ManageLink.reservation_id)
            .join(User, User.id == Reservation.host_id)
            .where(ManageLink.token_hash == digest)
        )
    ).first()
    if row is None:
        raise NotFound(_NO_BOOKING)
    link, reservation, host = row
    return GuestBooking(reservation=reservation, host=host, timezone=link.timezone)


async def hold(
    session: AsyncSession,
    host: User,
    *,
    start: datetime,
    duration: int,
    guest_name: str,
    guest_email: str,
    timezone: str,
    now: datetime,
    settings: Settings,
) -> str:
    """Hold the time for a visitor without an account; the token of their manage link."""
    check_offered(host, duration)
    reservation = await reservations.reserve(
        session,
        guest=reservations.Visitor(name=guest_name, email=guest_email),
        host_id=host.id,
        start=start,
        duration_minutes=duration,
        now=now,
        settings=settings,
    )
    return await add_manage_link(session, reservation, timezone, now)


async def confirm(session: AsyncSession, booking: GuestBooking, now: datetime) -> Reservation:
    """Whoever holds the manage link is the guest: they may confirm while the hold lasts."""
    return await reservations.confirm_reservation(session, booking.reservation, now)


async def cancel(session: AsyncSession, booking: GuestBooking, now: datetime) -> Reservation:
    """Whoever holds the manage link is the guest: they may cancel or release the time."""
    return await reservations.cancel_reservation(session, booking.reservation, now)
