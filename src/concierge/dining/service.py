"""Dining: find a restaurant (Google Places), know its Resy venue, and read its open tables.

The MCP tools call these with the person's own Resy token source (their ``ResyAuthManager``),
so each person's Resy calls carry their own login.

Unlike most services these take the ``Database`` rather than a session: they talk to Google and
to Resy (whose calls are paced 1-3 s apart), and a transaction held open across that would hold
SQLite's write lock for seconds. So each step reads or writes the restaurant cache in its own
short unit of work, with no transaction open during any outside call. The cache only ever gains
facts, so a failure halfway loses nothing already learned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time

import httpx

from concierge.config import Settings
from concierge.db import Database
from concierge.dining import cache
from concierge.dining.dates import resolve
from concierge.dining.errors import RestaurantNotFound, from_google, from_resy
from concierge.dining.matching import NAME_THRESHOLD, VenueMatcher
from concierge.dining.names import name_key, name_score
from concierge.dining.schemas import AvailabilityResult, RestaurantSummary, TableSlot
from concierge.errors import InvalidRequest
from concierge.integrations.google_places import (
    GooglePlacesClient,
    GooglePlacesError,
    LatLng,
    Place,
)
from concierge.integrations.resy.client import ResyClient, TokenSource
from concierge.integrations.resy.errors import ResyError
from concierge.integrations.resy.schemas import Slot, deep_link
from concierge.models import Restaurant
from concierge.timezones import zone

DEFAULT_FLEXIBILITY = 60
MAX_PARTY = 20
NEAREST_OUTSIDE = 3


def summary(row: Restaurant) -> RestaurantSummary:
    on_resy = None if row.matched_at is None else row.resy_venue_id is not None
    return RestaurantSummary(
        place_id=row.place_id,
        name=row.name,
        address=row.address,
        latitude=row.latitude,
        longitude=row.longitude,
        on_resy=on_resy,
        resy_venue_id=row.resy_venue_id,
    )


def pick_slots(
    slots: list[Slot],
    day: date,
    preferred: time | None,
    flexibility_minutes: int,
) -> tuple[list[TableSlot], list[TableSlot]]:
    """(slots inside the window, nearest first; the closest ones outside it when none is).
    Without a preferred time: every slot, earliest first."""
    if preferred is None:
        return [_table(slot, None) for slot in sorted(slots, key=lambda s: s.start)], []
    target = datetime.combine(day, preferred)

    def offset(slot: Slot) -> int:
        return round((slot.start - target).total_seconds() / 60)

    ordered = sorted(slots, key=lambda s: (abs(offset(s)), s.start))
    inside = [_table(s, offset(s)) for s in ordered if abs(offset(s)) <= flexibility_minutes]
    if inside:
        return inside, []
    outside = sorted(ordered[:NEAREST_OUTSIDE], key=lambda s: s.start)
    return [], [_table(s, offset(s)) for s in outside]


def _table(slot: Slot, minutes: int | None) -> TableSlot:
    return TableSlot(
        start=slot.start,
        end=slot.end,
        table_type=slot.type,
        token=slot.token,
        minutes_from_preferred=minutes,
    )


class DiningService:
    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        settings: Settings,
        places: GooglePlacesClient | None = None,
        resy_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        self._settings = settings
        self._places = places or GooglePlacesClient.from_settings(settings, http)
        self._resy_sleep = resy_sleep

    def resy(self, tokens: TokenSource) -> ResyClient:
        """A Resy client that speaks as the person whose ``tokens`` these are."""
        return ResyClient(self._http, self._settings, tokens=tokens, sleep=self._resy_sleep)

    async def search_restaurants(
        self,
        db: Database,
        query: str,
        *,
        now: datetime,
        near: LatLng | None = None,
        limit: int = 5,
    ) -> list[RestaurantSummary]:
        """Restaurants matching ``query`` (best first), remembered in the cache."""
        if not query.strip():
            raise InvalidRequest("Say what to look for: a restaurant's name, a cuisine or an area.")
        if not 1 <= limit <= 20:
            raise InvalidRequest("Ask for between 1 and 20 restaurants.", field="limit")
        places = await self._google(query, near=near, limit=limit)
        async with db.unit_of_work() as session:
            rows = [await cache.remember_place(session, place, now=now) for place in places]
            return [summary(row) for row in rows]

    async def find_restaurant(
        self,
        db: Database,
        name: str,
        *,
        now: datetime,
        near: LatLng | None = None,
    ) -> Restaurant:
        """The place a person means by ``name``: from the cache when it is unambiguous there,
        else Google's best answer whose name agrees (or its first, when none does)."""
        async with db.unit_of_work(write=False) as session:
            if row := await cache.by_name(session, name, near=near):
                return row
        places = await self._google(name, near=near, limit=5)
        if not places:
            raise RestaurantNotFound(
                f"No restaurant called {name!r} found"
                + (" near you" if near else "")
                + ". Check the spelling, or add the neighbourhood or city."
            )
        key = name_key(name)
        agreeing = [
            p for p in places if name_score(key, name_key(p.name, p.locality)) >= NAME_THRESHOLD
        ]
        async with db.unit_of_work() as session:
            return await cache.remember_place(session, (agreeing or places)[0], now=now)

    async def check_availability(
        self,
        db: Database,
        *,
        tokens: TokenSource,
        restaurant: str,
        date: str,
        party_size: int = 2,
        preferred_time: str | None = None,
        flexibility_minutes: int = DEFAULT_FLEXIBILITY,
        now: datetime,
        timezone: str,
        near: LatLng | None = None,
    ) -> AvailabilityResult:
        """Open Resy tables at ``restaurant`` on ``date`` (words like "Saturday" are read in
        the person's ``timezone``), nearest to ``preferred_time`` first.

        The second time for the same restaurant this is one Resy request (the find) and no
        Google request: the place and its venue come from the cache.
        """
        if not 1 <= party_size <= MAX_PARTY:
            raise InvalidRequest(
                f"Party size must be between 1 and {MAX_PARTY}.", field="party_size"
            )
        if not 0 <= flexibility_minutes <= 12 * 60:
            raise InvalidRequest(
                "Flexibility must be between 0 and 720 minutes.", field="flexibility_minutes"
            )
        tz = zone(timezone)
        when = resolve(date, preferred_time, now=now, tz=tz)
        today = now.astimezone(tz).date()
        if when.day < today:
            raise InvalidRequest(
                f"{when.day:%A %b %d, %Y} has passed; ask for today or a later date.", field="date"
            )
        row = await self.find_restaurant(db, restaurant, now=now, near=near)
        resy = self.resy(tokens)
        try:
            venue_id = await VenueMatcher(db, resy, now=now).find_resy_venue(row)
            if venue_id is None:
                return AvailabilityResult(
                    restaurant=summary(row),
                    day=when.day,
                    party_size=party_size,
                    preferred_time=when.time,
                    flexibility_minutes=flexibility_minutes,
                    slots=[],
                )
            availability = await resy.find(venue_id, when.day, party_size)
        except ResyError as exc:
            raise from_resy(exc) from exc
        inside, outside = pick_slots(
            list(availability.slots), when.day, when.time, flexibility_minutes
        )
        link = (
            deep_link(row.city_code, row.url_slug, when.day, party_size)
            if row.city_code and row.url_slug
            else None
        )
        return AvailabilityResult(
            restaurant=summary(row),
            day=when.day,
            party_size=party_size,
            preferred_time=when.time,
            flexibility_minutes=flexibility_minutes,
            time_zone=row.time_zone,
            slots=inside,
            nearest_outside=outside,
            booking_url=link,
        )

    async def _google(
        self, query: str, *, near: LatLng | None, limit: int, radius_m: float | None = None
    ) -> list[Place]:
        more = {"radius_m": radius_m} if radius_m else {}
        try:
            return await self._places.search_restaurants(query, near=near, limit=limit, **more)
        except GooglePlacesError as exc:
            raise from_google(exc) from exc

    async def search_places(
        self,
        db: Database,
        query: str,
        *,
        now: datetime,
        near: LatLng | None,
        radius_m: float,
        limit: int,
    ) -> list[tuple[Place, Restaurant]]:
        """Google's places for ``query`` (biased to ``near``), each with its cache row."""
        places = await self._google(query, near=near, limit=limit, radius_m=radius_m)
        async with db.unit_of_work() as session:
            return [
                (place, await cache.remember_place(session, place, now=now)) for place in places
            ]


__all__ = ["DiningService", "pick_slots", "summary"]
