"""Watches: a person's standing order for a restaurant table that is not open yet.

"Book the first table for 2 at Don Angie on Saturday between 7 and 9 pm, bar or dining room,
as soon as one opens." A watch is a job row: the worker claims it (``lease_owner``,
``lease_until``, see ``concierge.background.claim``) when ``next_check_at`` is due, looks at
Resy, and either books or says when to look again. It books at most one table: the move to
``booked`` is a compare-and-swap on ``status`` (``dining.watch_transitions``), and the booking
itself goes through the dining booking rules that refuse a second table there that day.

The log keeps what the person may want to read back: when it was set, when the tables are
released, what it saw, what it booked, why it stopped.
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
)
from sqlalchemy.orm import Mapped, mapped_column

from concierge.models.base import Base, UTCDateTime


class WatchStatus(enum.StrEnum):
    WATCHING = "watching"
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ENDED = "ended"  # the window passed, or Resy refused for good: nothing booked
    FAILED = "failed"


class DiningWatch(Base):
    __tablename__ = "dining_watches"
    __table_args__ = (
        CheckConstraint(
            "status IN ('watching', 'booked', 'cancelled', 'ended', 'failed')",
            name="known_status",
        ),
        CheckConstraint("party_size > 0", name="positive_party"),
        CheckConstraint("earliest <= latest", name="ordered_window"),
        Index("ix_dining_watches_due", "status", "next_check_at"),
        Index("ix_dining_watches_user", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    restaurant_name: Mapped[str] = mapped_column(String(300))
    place_id: Mapped[str | None] = mapped_column(String(255))
    venue_id: Mapped[int] = mapped_column(Integer)
    # The venue's zone: the day and the window are its wall-clock times.
    time_zone: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    earliest: Mapped[time] = mapped_column(Time)
    latest: Mapped[time] = mapped_column(Time)
    party_size: Mapped[int] = mapped_column(Integer)
    # Seating kinds accepted, as check_availability names them, joined by "|"; None: any.
    seating: Mapped[str | None] = mapped_column(String(500))
    special_requests: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=WatchStatus.WATCHING)
    # When the day's tables are released (None: already open, watch for cancellations).
    release_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_check_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checks: Mapped[int] = mapped_column(Integer, default=0)
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("dining_reservations.id", ondelete="SET NULL")
    )
    confirmation: Mapped[str | None] = mapped_column(String(100))
    booked_time: Mapped[time | None] = mapped_column(Time)
    booked_seating: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def seating_kinds(self) -> list[str]:
        return [s for s in (self.seating or "").split("|") if s]


class DiningWatchEntry(Base):
    """One line of a watch's log."""

    __tablename__ = "dining_watch_log"
    __table_args__ = (Index("ix_dining_watch_log_watch", "watch_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("dining_watches.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
