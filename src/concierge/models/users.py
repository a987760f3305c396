"""People and the API tokens they act with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from concierge.models.base import Base, UTCDateTime

# The meeting lengths a host offers on their booking page unless they choose others.
DEFAULT_BOOKING_DURATIONS = (15, 30, 60)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # A deleted user's email may sign up again.
        Index(
            "uq_users_email_live",
            "email",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    timezone: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    min_notice_minutes: Mapped[int] = mapped_column(Integer)
    horizon_days: Mapped[int] = mapped_column(Integer)
    booking_durations: Mapped[list[int]] = mapped_column(
        JSON,
        default=lambda: list(DEFAULT_BOOKING_DURATIONS),
        server_default=text("'[15, 30, 60]'"),
    )
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept clear before and after each of their meetings, and caps on how many they take part
    # in per local day and week (None: no cap); see ``engine.Rules``. Server defaults only, so
    # that inserts written against older revisions (the migration tests) still fit.
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    max_per_day: Mapped[int | None] = mapped_column(Integer)
    max_per_week: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")


class ApiToken(Base):
    """Only the SHA-256 of a token is kept: tokens are 256 random bits, so a fast hash suffices."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="default")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="tokens")
