"""The restaurant cache: Google places we have seen and, once asked, their Resy venue.

Three states per row, read from ``matched_at`` and ``resy_venue_id``:
never asked (``matched_at`` is NULL), on Resy (a venue id), not on Resy (no venue id; the answer
is trusted until ``recheck_after``, then asked again because restaurants join Resy).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from concierge.models.base import Base, UTCDateTime


class Restaurant(Base):
    __tablename__ = "restaurant_cache"
    __table_args__ = (Index("ix_restaurant_cache_name_key", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    place_id: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    # The name as the matcher normalises it: how "don angie nyc" finds "Don Angie" again.
    name_key: Mapped[str] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(500))
    street_number: Mapped[str | None] = mapped_column(String(20))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    resy_venue_id: Mapped[int | None] = mapped_column(Integer)
    url_slug: Mapped[str | None] = mapped_column(String(200))
    city_code: Mapped[str | None] = mapped_column(String(40))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recheck_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
