"""Calendars people keep elsewhere (CalDAV accounts, ICS feeds), their busy times as last read,
and the bookings written back into them.

A connection's address and login are one Fernet-encrypted JSON blob (``secret``): an ICS feed's
URL is itself the password to it. ``busy`` rows are a cache, replaced whole on each read that
found a change; ``validators`` keep what makes the next read conditional (ETag, Last-Modified,
CalDAV ctag and sync-token per collection).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from concierge.models.base import Base, UTCDateTime


class OutsideCalendar(Base):
    __tablename__ = "outside_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "caldav" | "ics"
    name: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(255))  # shown in lists: never the secret URL
    secret: Mapped[str] = mapped_column(Text)
    # CalDAV: the chosen collections [{"href": ..., "name": ...}]; ICS: [].
    collections: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    write_href: Mapped[str | None] = mapped_column(Text, default=None)
    validators: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    next_refresh_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lease_owner: Mapped[str | None] = mapped_column(String(100), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class OutsideBusy(Base):
    """One busy interval read from an outside calendar; ``user_id`` repeated for the read."""

    __tablename__ = "outside_busy"
    __table_args__ = (Index("ix_outside_busy_user_start", "user_id", "start_at", "end_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("outside_calendars.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(Integer)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarWrite(Base):
    """A reservation to mirror into one outside calendar: ``wanted`` counts the changes asked
    for, ``written`` the last one done, so the job is ready while ``written < wanted``. The job
    reads the reservation when it runs and writes what is true then (an event, or none), so
    changes that arrive together or out of order still end in the right state."""

    __tablename__ = "calendar_writes"
    __table_args__ = (UniqueConstraint("reservation_id", "calendar_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reservation_id: Mapped[int] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("outside_calendars.id", ondelete="CASCADE"), index=True
    )
    wanted: Mapped[int] = mapped_column(Integer, default=1)
    written: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str | None] = mapped_column(String(8), default=None)  # "present" | "absent"
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    lease_owner: Mapped[str | None] = mapped_column(String(100), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
