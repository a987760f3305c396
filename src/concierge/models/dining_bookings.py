"""Restaurant tables a person booked through Concierge, and the visits they make.

A row is Concierge's own record of a booking held at Resy: what to show in "my reservations"
and what to cancel by. Resy stays the source of truth (bookings made in the Resy app appear
there too); these rows remember the restaurant as the person named it and the special requests.
No foreign key to the restaurant cache: a booking outlives whatever the cache forgets.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from concierge.models.base import Base, UTCDateTime


class DiningStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class DiningReservation(Base):
    __tablename__ = "dining_reservations"
    __table_args__ = (
        UniqueConstraint("user_id", "platform", "platform_token", name="uq_dining_booking"),
        CheckConstraint("status IN ('confirmed', 'cancelled')", name="known_status"),
        CheckConstraint("party_size > 0", name="positive_party"),
        Index("ix_dining_reservations_user_starts", "user_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20), default="resy")
    # Resy's resy_token ("rr://..."): what cancelling needs. Not a credential.
    platform_token: Mapped[str] = mapped_column(String(500))
    # Resy's reservation_id: the confirmation number people see.
    confirmation: Mapped[str | None] = mapped_column(String(100))
    venue_id: Mapped[int | None] = mapped_column(Integer)
    place_id: Mapped[str | None] = mapped_column(String(255))
    restaurant_name: Mapped[str] = mapped_column(String(300))
    day: Mapped[date] = mapped_column(Date)
    time: Mapped[time] = mapped_column(Time)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    party_size: Mapped[int] = mapped_column(Integer)
    table_type: Mapped[str | None] = mapped_column(String(100))
    special_requests: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=DiningStatus.CONFIRMED)
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DiningVisit(Base):
    """A meal a person is going to (or went to): the history later suggestions can learn from.
    Cancelling the booking removes its visit: a visit that will not happen is not one."""

    __tablename__ = "dining_visits"
    __table_args__ = (Index("ix_dining_visits_user_day", "user_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reservation_id: Mapped[int | None] = mapped_column(
        ForeignKey("dining_reservations.id", ondelete="CASCADE"), unique=True
    )
    venue_id: Mapped[int | None] = mapped_column(Integer)
    place_id: Mapped[str | None] = mapped_column(String(255))
    restaurant_name: Mapped[str] = mapped_column(String(300))
    day: Mapped[date] = mapped_column(Date)
    party_size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
