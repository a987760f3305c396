"""Meeting types: what a host offers on their booking page, as cal.com's event types.

Each has its own page (``/book/<host>/<slug>``), lengths, a place to meet, questions for the
guest, and optionally its own notice and horizon (else the host's). A reservation made through
one keeps its id and the guest's answers, each answer with the question as it was asked, so a
later edit of the type never changes what a guest said.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy import UniqueConstraint as Unique
from sqlalchemy.orm import Mapped, mapped_column

from concierge.models.base import Base, UTCDateTime


class LocationKind(enum.StrEnum):
    NONE = "none"  # agreed later, or told in the description
    IN_PERSON = "in_person"  # the detail is the address
    PHONE = "phone"  # the detail is the number to call
    VIDEO = "video"  # the detail is the meeting link


class MeetingType(Base):
    __tablename__ = "meeting_types"
    __table_args__ = (
        Unique("owner_id", "slug", name="uq_meeting_types_owner_slug"),
        CheckConstraint(
            "location_kind IN ('none', 'in_person', 'phone', 'video')", name="known_location"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # Minutes, ascending; the first is the one a page shows first.
    durations: Mapped[list[int]] = mapped_column(JSON)
    location_kind: Mapped[str] = mapped_column(String(16), default=LocationKind.NONE)
    location_detail: Mapped[str] = mapped_column(String(500), default="")
    # [{"id": "company", "label": "Your company", "required": false}, ...] in the form's order.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # None: the host's own rule.
    min_notice_minutes: Mapped[int | None] = mapped_column(Integer)
    horizon_days: Mapped[int | None] = mapped_column(Integer)
    # A hidden type is bookable by whoever has its address, but not listed to others.
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
