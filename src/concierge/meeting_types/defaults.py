"""Every host's first meeting type: made at sign-up (and for earlier users by migration 0600)
from the lengths in their ``booking_durations``, which stays the way to change that type's
lengths (``PATCH /v1/users/{id}``) for clients written before meeting types."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.models import LocationKind, MeetingType, User

DEFAULT_SLUG = "meeting"
DEFAULT_TITLE = "Meeting"


def first_type(user: User, now: datetime) -> MeetingType:
    return MeetingType(
        owner_id=user.id,
        slug=DEFAULT_SLUG,
        title=DEFAULT_TITLE,
        description="",
        durations=sorted(user.booking_durations),
        location_kind=LocationKind.NONE,
        location_detail="",
        questions=[],
        public=True,
        created_at=now,
    )


async def offer_durations(session: AsyncSession, user: User) -> None:
    """The host's new ``booking_durations`` become their first type's lengths."""
    first = await session.scalar(
        select(MeetingType).where(MeetingType.owner_id == user.id).order_by(MeetingType.id)
    )
    if first is not None:
        first.durations = sorted(user.booking_durations)
        await session.flush()
