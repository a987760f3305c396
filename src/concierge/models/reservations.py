"""Reservations between people, who takes part in them, and the replay store for idempotent
creation.

No one is ever in two meetings at once, and the database itself enforces it (migration 0500):
every person in a reservation, host or guest, has a participant row that triggers keep in step
with the reservation's span and status; on PostgreSQL an exclusion constraint over
``(user_id, tstzrange(start_at, end_at))`` for active participant rows, on SQLite triggers that
abort an overlapping active insert or update.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from concierge.models.base import Base, UTCDateTime


class ReservationStatus(enum.StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


ACTIVE_STATUSES = (ReservationStatus.HELD, ReservationStatus.CONFIRMED)


class Reservation(Base):
    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="positive_duration"),
        CheckConstraint(
            "status IN ('held', 'confirmed', 'cancelled', 'expired')", name="known_status"
        ),
        CheckConstraint(
            "status <> 'held' OR hold_expires_at IS NOT NULL", name="held_has_deadline"
        ),
        Index("ix_reservations_host_start", "host_id", "start_at"),
        Index("ix_reservations_guest_start", "guest_id", "start_at"),
        Index("ix_reservations_held_deadline", "status", "hold_expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # A visitor of a public booking page has no account: they are known by name and email.
    guest_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    guest_name: Mapped[str | None] = mapped_column(String(200))
    guest_email: Mapped[str | None] = mapped_column(String(320))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Calendar SEQUENCE: one more on every change, so calendar apps take the newest copy.
    sequence: Mapped[int] = mapped_column(Integer, server_default="0")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    rescheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Booked through one of the host's meeting types (migration 0600); null for a plain booking
    # or once the type is deleted (its service clears it: no foreign key, since SQLite can drop
    # such a column only by rebuilding the table, which would drop 0500's triggers). The
    # answers stay: [{"question": ..., "answer": ...}].
    meeting_type_id: Mapped[int | None] = mapped_column(Integer)
    answers: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)

    @property
    def duration_minutes(self) -> int:
        return int((self.end_at - self.start_at).total_seconds() // 60)

    @property
    def modified_at(self) -> datetime:
        """When the reservation last changed (a calendar's LAST-MODIFIED)."""
        stamps = (self.confirmed_at, self.cancelled_at, self.expired_at, self.rescheduled_at)
        return max([self.created_at, *(s for s in stamps if s is not None)])


class ParticipantRole(enum.StrEnum):
    HOST = "host"
    GUEST = "guest"


class ReservationParticipant(Base):
    """A person taking part in a reservation. Written by the database's triggers from the
    reservation's own row (its host and its guest), so the two never disagree."""

    __tablename__ = "reservation_participants"
    __table_args__ = (
        CheckConstraint("role IN ('host', 'guest')", name="known_role"),
        Index("ix_reservation_participants_user_start", "user_id", "start_at"),
    )

    reservation_id: Mapped[int] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Held or confirmed; a lapsed hold stays active here until it is marked expired, since the
    # database cannot read the clock (the service releases such holds before it books).
    active: Mapped[bool] = mapped_column(Boolean)


class IdempotencyRecord(Base):
    """The first response to ``(user, Idempotency-Key)``, replayed for any repeat."""

    __tablename__ = "idempotency_records"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
