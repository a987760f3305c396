"""What public booking pages and calendar feeds keep: guests' manage links and users' feed keys.

Both hold a secret that works like a password in a URL, so only its SHA-256 is stored: the
secret is 256 random bits, so a fast hash suffices (as for API tokens).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from concierge.models.base import Base, UTCDateTime


class ManageLink(Base):
    """The link a guest without an account confirms, sees and cancels their booking with."""

    __tablename__ = "manage_links"

    reservation_id: Mapped[int] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The zone the guest chose on the page: their booking is shown (and exported) in it.
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The token itself, encrypted (concierge.sealed), so the emails about the booking can carry
    # the link; the hash above stays the only way in.
    token_sealed: Mapped[str | None] = mapped_column(Text)


class CalendarFeed(Base):
    """A user's secret calendar-feed key; issuing a new one retires the old URL."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
