"""The restaurant cache: Google places as we last saw them, and their Resy answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.dining.names import distance_m, name_key
from concierge.integrations.google_places import LatLng, Place
from concierge.models import Restaurant

# Two cached places of the same name: "near" picks one only if it is this close.
SAME_CITY_M = 50_000.0


async def by_place_id(session: AsyncSession, place_id: str) -> Restaurant | None:
    found: Restaurant | None = await session.scalar(
        select(Restaurant).where(Restaurant.place_id == place_id)
    )
    return found


async def by_name(session: AsyncSession, name: str, *, near: LatLng | None) -> Restaurant | None:
    """The cached place a person means by ``name``, when that is unambiguous: the only one of
    that name, or the one nearest ``near`` (within a city's reach)."""
    key = name_key(name)
    if not key:
        return None
    rows = list(await session.scalars(select(Restaurant).where(Restaurant.name_key == key)))
    if not rows:
        return None
    if near is None:
        return rows[0] if len(rows) == 1 else None
    measured = [
        (d, row)
        for row in rows
        if (d := distance_m(near.latitude, near.longitude, row.latitude, row.longitude)) is not None
        and d < SAME_CITY_M
    ]
    return min(measured, key=lambda pair: pair[0])[1] if measured else None


async def remember_place(session: AsyncSession, place: Place, *, now: datetime) -> Restaurant:
    """Insert or refresh a Google place; its Resy answer, if any, is kept."""
    row = await by_place_id(session, place.id)
    if row is None:
        try:
            async with session.begin_nested():
                row = Restaurant(place_id=place.id, name=place.name or place.id, seen_at=now)
                _refresh(row, place, now)
                session.add(row)
        except IntegrityError:
            # Another request cached the same place a moment ago: refresh theirs.
            row = await by_place_id(session, place.id)
            if row is None:
                raise
    _refresh(row, place, now)
    await session.flush()
    return row


def _refresh(row: Restaurant, place: Place, now: datetime) -> None:
    row.name = place.name or row.name or place.id
    row.name_key = name_key(row.name, place.locality)
    row.address = place.formatted_address or row.address
    row.street_number = place.street_number or row.street_number
    if place.location is not None:
        row.latitude = place.location.latitude
        row.longitude = place.location.longitude
    row.seen_at = now
