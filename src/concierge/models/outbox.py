"""The transactional outbox: what must leave the service (an email, a webhook call), written in
the same transaction as the change that causes it and sent later by the outbox worker.

A row is *pending* while ``sent_at`` and ``given_up_at`` are both empty and ready once
``due_at`` has come; a reminder is a pending row due before its meeting. Workers lease rows
(``lease_owner``, ``lease_until``, see ``concierge.background.claim``), so each is sent by one
process at a time, and mark it sent in the transaction that ends the lease.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from concierge.models.base import Base, UTCDateTime


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index(
            "ix_outbox_messages_pending_due",
            "due_at",
            sqlite_where=text("sent_at IS NULL AND given_up_at IS NULL"),
            postgresql_where=text("sent_at IS NULL AND given_up_at IS NULL"),
        ),
        Index("ix_outbox_messages_reservation", "reservation_id", "topic"),
        Index("ix_outbox_messages_subscription", "subscription_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # "email" | "webhook"
    topic: Mapped[str] = mapped_column(String(60))  # "reservation.confirmed", "webhook.ping"...
    reservation_id: Mapped[int | None] = mapped_column(Integer)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    # A snapshot of what to say, taken when the change committed (an email's recipient and
    # meeting; a webhook's body), so a later change cannot rewrite an earlier message.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    given_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class NotificationSettings(Base):
    """A user's reminder choices; no row means the defaults (24 h and 1 h before)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    reminder_minutes: Mapped[list[int]] = mapped_column(JSON)
    emails: Mapped[bool] = mapped_column(Boolean, default=True)
