"""Which Resy venue is this Google place? (story 5.4)

Surest first: a venue whose ``/3/venue`` ``id.google`` is the place id. Else a venue whose name
means the same ("Don Angie" / "Don Angie NYC") *and* whose address agrees: the same house
number on the same street in the same area, or, when a number is missing, a location under
200 m away. A venue that names a *different* Google place, or a different house number, is
never taken: a wrong restaurant is worse than none. The answer, "not on Resy" included, is
kept in the restaurant cache; "not on Resy" is asked again after a week.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from concierge.db import Database
from concierge.dining import cache
from concierge.dining.names import (
    distance_m,
    name_key,
    name_score,
    same_street,
    street_name,
    street_numbers,
)
from concierge.integrations.resy.errors import NotFound as ResyNotFound
from concierge.integrations.resy.errors import UnrecognisedResponse
from concierge.integrations.resy.schemas import Venue, VenueHit
from concierge.models import Restaurant

log = logging.getLogger("concierge.dining")

NOT_ON_RESY_FOR = timedelta(days=7)
NAME_THRESHOLD = 90.0  # names this alike (0..100, after normalising) may be the same place
LOOK_ALIKE = 60.0  # worth a /3/venue lookup to read its id.google
CLOSE_M = 200.0  # a location this near confirms a matching name
SAME_AREA_M = 2000.0  # a matching house number counts only this near (chains repeat numbers)
NEIGHBOUR_M = 100.0  # an unlike name this near may be the same place renamed: read id.google
MAX_LOOKUPS = 4


class ResyVenues(Protocol):
    """The two Resy calls matching needs (``ResyClient`` has them)."""

    async def venue_search(
        self,
        query: str,
        *,
        latitude: float | None = None,
        longitude: float | None = None,
        per_page: int = 20,
    ) -> list[VenueHit]: ...

    async def venue(self, venue_id: int) -> Venue: ...


class How(StrEnum):
    PLACE_ID = "place_id"  # the venue's id.google is the place id
    ADDRESS = "address"  # same name, same house number and street, same area
    NEARBY = "nearby"  # same name, under 200 m, a house number missing on one side


@dataclass(frozen=True)
class PlaceFacts:
    """What identifies a Google place."""

    place_id: str
    key: str
    numbers: frozenset[str]
    street: str | None
    latitude: float | None
    longitude: float | None

    @classmethod
    def of(cls, restaurant: Restaurant) -> PlaceFacts:
        numbers = street_numbers(restaurant.street_number or restaurant.address)
        return cls(
            place_id=restaurant.place_id,
            key=restaurant.name_key,
            numbers=numbers,
            street=street_name(restaurant.address),
            latitude=restaurant.latitude,
            longitude=restaurant.longitude,
        )


@dataclass(frozen=True)
class Judgement:
    venue: Venue
    how: How | None  # None: not this place
    score: float
    distance: float | None
    same_number: bool

    @property
    def rank(self) -> tuple[bool, bool, float, float]:
        return (
            self.how is How.PLACE_ID,
            self.same_number,
            self.score,
            -(self.distance if self.distance is not None else CLOSE_M),
        )


def judge(place: PlaceFacts, venue: Venue, hit: VenueHit | None = None) -> Judgement:
    """Is ``venue`` the place? Pure: the whole matching rule, with no I/O."""
    venue_key = name_key(venue.name, venue.locality)
    score = name_score(place.key, venue_key)
    latitude, longitude = venue.latitude, venue.longitude
    if (latitude is None or longitude is None) and hit is not None:
        latitude, longitude = hit.latitude, hit.longitude
    distance = distance_m(place.latitude, place.longitude, latitude, longitude)
    numbers = street_numbers(venue.address_1)
    same_number = bool(place.numbers & numbers)
    numbers_differ = bool(place.numbers and numbers and not same_number)
    street = same_street(place.street, street_name(venue.address_1))
    close = distance is not None and distance < CLOSE_M

    def verdict(how: How | None) -> Judgement:
        return Judgement(venue, how, score, distance, same_number)

    if venue.google_place_id:
        if venue.google_place_id == place.place_id:
            return verdict(How.PLACE_ID)
        # Google reissues place ids now and then; only the same name at the same number on
        # the same street, right here, outweighs a different one.
        if not (score == 100 and same_number and street is not False and close):
            return verdict(None)
    if score < NAME_THRESHOLD or numbers_differ:
        return verdict(None)
    # Without a location on both sides, the street itself must be seen to agree.
    area_ok = distance < SAME_AREA_M if distance is not None else street is True
    if same_number and street is not False and area_ok:
        return verdict(How.ADDRESS)
    if close and street is not False:
        return verdict(How.NEARBY)
    return verdict(None)


def choose(judgements: Iterable[Judgement]) -> Judgement | None:
    """The best confirmed judgement, if any."""
    confirmed = [j for j in judgements if j.how is not None]
    return max(confirmed, key=lambda j: j.rank, default=None)


def apply_match(
    restaurant: Restaurant, venue: Venue | None, *, now: datetime, not_on_resy_for: timedelta
) -> None:
    """Write Resy's answer onto a cache row: the venue, or "not on Resy" until a recheck."""
    restaurant.matched_at = now
    if venue is None:
        restaurant.resy_venue_id = None
        restaurant.recheck_after = now + not_on_resy_for
        return
    restaurant.resy_venue_id = venue.resy_id
    restaurant.url_slug = venue.url_slug
    restaurant.city_code = venue.location_code
    restaurant.time_zone = venue.time_zone
    restaurant.recheck_after = None


class VenueMatcher:
    """Finds (and remembers) the Resy venue of a cached Google place.

    It takes the ``Database``, not a session, on purpose: asking Resy is several paced calls
    (1-3 s apart), and no transaction may stay open across them, or a SQLite write lock would
    stall every other writer meanwhile. The answer is then written in one short unit of work.
    """

    def __init__(
        self,
        db: Database,
        resy: ResyVenues,
        *,
        now: datetime,
        not_on_resy_for: timedelta = NOT_ON_RESY_FOR,
        max_lookups: int = MAX_LOOKUPS,
    ) -> None:
        self._db = db
        self._resy = resy
        self._now = now
        self._not_on_resy_for = not_on_resy_for
        self._max_lookups = max_lookups

    def cached(self, restaurant: Restaurant) -> tuple[bool, int | None]:
        """(known, venue id): known is False when Resy must be asked (never, or "not on Resy"
        has grown stale)."""
        if restaurant.matched_at is None:
            return False, None
        if restaurant.resy_venue_id is not None:
            return True, restaurant.resy_venue_id
        if restaurant.recheck_after is not None and self._now < restaurant.recheck_after:
            return True, None
        return False, None

    async def find_resy_venue(self, restaurant: Restaurant) -> int | None:
        """The Resy venue id of ``restaurant`` (a cache row), or None when it is not on Resy.
        The row passed in is updated too, so the caller sees the answer."""
        known, venue_id = self.cached(restaurant)
        if known:
            return venue_id
        found = await self.match(PlaceFacts.of(restaurant), restaurant.name)
        venue = found.venue if found else None
        async with self._db.unit_of_work() as session:
            stored = await cache.by_place_id(session, restaurant.place_id)
            if stored is None:
                raise LookupError(f"{restaurant.place_id} is not in the restaurant cache")
            self._apply(stored, venue)
        self._apply(restaurant, venue)
        log.info(
            "resy match for %s: %s",
            restaurant.place_id,
            f"venue {venue.resy_id} by {found.how if found else ''}" if venue else "not on Resy",
        )
        return restaurant.resy_venue_id

    def _apply(self, restaurant: Restaurant, venue: Venue | None) -> None:
        apply_match(restaurant, venue, now=self._now, not_on_resy_for=self._not_on_resy_for)

    async def match(self, place: PlaceFacts, name: str) -> Judgement | None:
        """Ask Resy: a search by name near the place, then the venues it might be."""
        hits = await self._resy.venue_search(
            name, latitude=place.latitude, longitude=place.longitude
        )
        looked: set[int] = set()
        judgements: list[Judgement] = []
        for hit in self._worth_a_look(place, hits)[: self._max_lookups]:
            judgement = await self._judge(place, hit, looked)
            if judgement is None:
                continue
            if judgement.how is How.PLACE_ID or (
                judgement.how is How.ADDRESS and judgement.score == 100
            ):
                return judgement
            judgements.append(judgement)
        if best := choose(judgements):
            return best
        if place.latitude is None or place.longitude is None:
            return None
        # A venue renamed on one side only is found by neither name, and a search by words can
        # miss a spelling: look at the venues standing right at the place.
        try:
            nearby = await self._resy.venue_search(
                "", latitude=place.latitude, longitude=place.longitude
            )
        except (ResyNotFound, UnrecognisedResponse):
            # Some Resy versions may refuse a search without words: then the names decided.
            log.info("resy refused a nearby search without words; keeping the name search's answer")
            return choose(judgements)
        neighbours = [
            hit
            for hit in nearby
            if hit.venue_id not in looked
            and (d := _hit_distance(place, hit)) is not None
            and d < NEIGHBOUR_M
        ]
        neighbours.sort(key=lambda hit: _hit_distance(place, hit) or 0.0)
        for hit in neighbours[: self._max_lookups]:
            judgement = await self._judge(place, hit, looked)
            if judgement is not None and judgement.how is How.PLACE_ID:
                return judgement
            if judgement is not None:
                judgements.append(judgement)
        # A name Resy's search did not find by its words ("Raoul's" / "Raouls") still has to
        # pass the same rule.
        return choose(judgements)

    def _worth_a_look(self, place: PlaceFacts, hits: list[VenueHit]) -> list[VenueHit]:
        scored: list[tuple[float, float, VenueHit]] = []
        for hit in hits:
            score = name_score(place.key, name_key(hit.name, hit.locality))
            distance = _hit_distance(place, hit)
            look_alike = score >= LOOK_ALIKE and (distance is None or distance < SAME_AREA_M)
            if look_alike or (distance is not None and distance < NEIGHBOUR_M):
                scored.append((score, distance if distance is not None else SAME_AREA_M, hit))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [hit for _, _, hit in scored]

    async def _judge(self, place: PlaceFacts, hit: VenueHit, looked: set[int]) -> Judgement | None:
        if hit.venue_id in looked:
            return None
        looked.add(hit.venue_id)
        try:
            venue = await self._resy.venue(hit.venue_id)
        except ResyNotFound:
            return None
        return judge(place, venue, hit)


def _hit_distance(place: PlaceFacts, hit: VenueHit) -> float | None:
    return distance_m(place.latitude, place.longitude, hit.latitude, hit.longitude)
