"""A venue's mirror of its ResyOS book: reservations, guests, and a log of sync cycles.

Rows are never deleted by the sync: a reservation ResyOS cancels keeps ``is_cancelled``; one
that disappears from the ids list while the window still covers its time gets ``vanished_at``.
``raw`` keeps the JSON exactly as ResyOS sent it, beside the typed columns read from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from concierge.models.base import Base, UTCDateTime


class VenueReservationState:
    BOOKED = "booked"
    CANCELLED = "cancelled"
    VANISHED = "vanished"


class VenueReservation(Base):
    __tablename__ = "venue_reservations"
    __table_args__ = (
        Index("uq_venue_reservations_resyos", "venue_id", "resyos_id", unique=True),
        Index("ix_venue_reservations_booked", "venue_id", "booked_at", "id"),
        Index("ix_venue_reservations_user", "venue_id", "user_id"),
        CheckConstraint("state IN ('booked', 'cancelled', 'vanished')", name="known_state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_id: Mapped[str] = mapped_column(String(64))
    resyos_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(64))
    seats: Mapped[int | None] = mapped_column(Integer)
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "YYYY-MM-DD HH:MM:SS" as ResyOS sent it: the venue's wall clock, kept for display and
    # because a wall time in a DST gap or overlap does not survive a round trip through UTC.
    booked_local: Mapped[str | None] = mapped_column(String(32))
    is_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    flag: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=VenueReservationState.BOOKED)
    last_updated: Mapped[datetime] = mapped_column(UTCDateTime())
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_synced_at: Mapped[datetime] = mapped_column(UTCDateTime())
    vanished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)


class VenueGuest(Base):
    """A ResyOS user who booked at the venue. ``raw`` is None when ResyOS did not return the
    id asked for: the row still records that it was asked, so it is not asked every minute."""

    __tablename__ = "venue_guests"

    venue_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_name: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(200))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class VenueSyncCycle(Base):
    """One sync cycle, finished or failed: what it saw, what it changed, what it cost."""

    __tablename__ = "venue_sync_cycles"
    __table_args__ = (Index("ix_venue_sync_cycles_venue", "venue_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    window_end: Mapped[datetime] = mapped_column(UTCDateTime())
    mode: Mapped[str] = mapped_column(String(16))
    ok: Mapped[bool] = mapped_column(Boolean)
    listed: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    vanished: Mapped[int] = mapped_column(Integer, default=0)
    reappeared: Mapped[int] = mapped_column(Integer, default=0)
    guests_added: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
