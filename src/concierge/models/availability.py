"""When a person can be booked: weekly hours plus per-date overrides, as wall-clock windows.

Windows are stored as JSON lists of ``[start_minute, end_minute]`` pairs (minutes after local
midnight, 0..1440): they are always read and written whole, never queried one by one.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from concierge.models.base import Base

MinuteWindows = list[list[int]]


class WeeklySchedule(Base):
    __tablename__ = "weekly_schedules"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    timezone: Mapped[str] = mapped_column(String(64))
    # {"0": [[540, 1020]], ...}: keys are ISO weekdays - 1 (Monday = "0").
    days: Mapped[dict[str, MinuteWindows]] = mapped_column(JSON)


class DateOverride(Base):
    """A date whose windows replace the weekly hours; an empty list is a day off."""

    __tablename__ = "date_overrides"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    windows: Mapped[MinuteWindows] = mapped_column(JSON)
