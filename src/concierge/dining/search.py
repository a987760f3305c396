"""Finding restaurants the way a person asks: by name, cuisine or kind, in an area or near a
point within a radius, at a price, with a rating, and optionally with tables on a date.

Google Places Text Search finds and ranks the places (relevance, biased to the point); one
Resy venue search near them says which are on Resy (a hit of the same name standing at the
place), with the resy.com link; with a date, each of the first few on Resy is asked for its
open tables. Filters Google's search cannot express (price, rating, the radius as a hard
limit) are applied to its answer.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from concierge.db import Database
from concierge.dining.dates import resolve
from concierge.dining.errors import from_resy
from concierge.dining.names import distance_m, name_key, name_score
from concierge.dining.schemas import RestaurantSummary, TableSlot, clock_text, day_text
from concierge.dining.service import MAX_PARTY, DiningService, pick_slots, summary
from concierge.errors import InvalidRequest
from concierge.integrations.google_places import LatLng, Place
from concierge.integrations.resy.client import ResyClient, TokenSource
from concierge.integrations.resy.errors import ResyError
from concierge.integrations.resy.schemas import VenueHit
from concierge.models import Restaurant
from concierge.timezones import zone

PRICE_LEVELS = {
    "PRICE_LEVEL_FREE": 0,
    "PRICE_LEVEL_INEXPENSIVE": 1,
    "PRICE_LEVEL_MODERATE": 2,
    "PRICE_LEVEL_EXPENSIVE": 3,
    "PRICE_LEVEL_VERY_EXPENSIVE": 4,
}
DEFAULT_RADIUS_M = 2000.0
SAME_PLACE_M = 200.0  # a Resy hit of the same name this near is this place
TABLES_FOR = 3  # with a date, the first this many on Resy are asked for tables
TABLES_SHOWN = 4
WIDER = 4  # ask Google for this many times the answers wanted, so filters leave enough


class RestaurantHit(RestaurantSummary):
    model_config = ConfigDict(frozen=True)

    neighborhood: str | None = None
    cuisine: str | None = Field(default=None, description='"Italian", "Steak house"')
    rating: float | None = Field(default=None, description="Google rating, 1 to 5")
    rating_count: int | None = None
    price_level: int | None = Field(default=None, description="1 ($) to 4 ($$$$)")
    distance_m: float | None = Field(default=None, description="From the point searched near")
    resy_url: str | None = Field(default=None, description="The restaurant's page on resy.com")
    tables: list[TableSlot] | None = Field(
        default=None, description="With a date: open tables that day (None: not asked)"
    )

    def text(self) -> str:
        facts = [
            f"{self.cuisine}" if self.cuisine else None,
            self.neighborhood,
            "$" * self.price_level if self.price_level else None,
            f"{self.rating:.1f}★" if self.rating is not None else None,
            f"{self.distance_m / 1000:.1f} km away" if self.distance_m is not None else None,
        ]
        head = super().text() + "".join(f" · {f}" for f in facts if f)
        if self.resy_url:
            head += f" · {self.resy_url}"
        if self.tables is not None:
            shown = ", ".join(clock_text(t.start) for t in self.tables[:TABLES_SHOWN])
            head += f" · tables: {shown}" if shown else " · no open tables that day"
        return head


class SearchResult(BaseModel):
    query: str
    day: date | None = None
    party_size: int | None = None
    items: list[RestaurantHit]
    note: str | None = None

    def text(self) -> str:
        if not self.items:
            return f"No restaurants found for {self.query!r}. Try other words or a wider area."
        if self.note:
            return f"{self._listing()}\n{self.note}"
        return self._listing()

    def _listing(self) -> str:
        when = f" with tables on {day_text(self.day)}" if self.day else ""
        lines = [f"Restaurants for {self.query!r}{when}:"]
        lines += [
            f"{n}. {hit.text()} [place_id {hit.place_id}]"
            for n, hit in enumerate(self.items, start=1)
        ]
        return "\n".join(lines)


async def search(
    db: Database,
    dining: DiningService,
    *,
    tokens: TokenSource,
    query: str,
    location: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: float | None = None,
    date_text: str | None = None,
    party_size: int = 2,
    min_price: int | None = None,
    max_price: int | None = None,
    min_rating: float | None = None,
    limit: int = 5,
    now: datetime,
    timezone: str,
) -> SearchResult:
    if not query.strip():
        raise InvalidRequest("Say what to look for: a restaurant's name, a cuisine or a kind.")
    if (latitude is None) != (longitude is None):
        raise InvalidRequest("Give both latitude and longitude, or neither.", field="latitude")
    if not 1 <= party_size <= MAX_PARTY:
        raise InvalidRequest(f"Party size must be between 1 and {MAX_PARTY}.", field="party_size")
    text = f"{query.strip()} in {location.strip()}" if location and location.strip() else query
    near = LatLng(latitude=latitude, longitude=longitude) if latitude is not None else None
    day = None
    if date_text and date_text.strip():
        day = resolve(date_text, None, now=now, tz=zone(timezone)).day
        if day < now.astimezone(zone(timezone)).date():
            raise InvalidRequest(f"{day_text(day)} has passed; pick a later date.", field="date")
    radius = radius_m or DEFAULT_RADIUS_M
    found = await dining.search_places(
        db, text, now=now, near=near, radius_m=radius, limit=min(20, limit * WIDER)
    )
    hits = [_hit(place, row, near) for place, row in found]
    hits = [
        h
        for h in hits
        if (min_price is None or (h.price_level is not None and h.price_level >= min_price))
        and (max_price is None or (h.price_level is not None and h.price_level <= max_price))
        and (min_rating is None or (h.rating is not None and h.rating >= min_rating))
        and (near is None or radius_m is None or (h.distance_m or 0.0) <= radius_m)
    ][:limit]
    resy = dining.resy(tokens)
    note = None
    try:
        hits = await _on_resy(resy, query, hits, near)
        if day is not None:
            hits = await _with_tables(resy, hits, day, party_size)
    except ResyError as exc:
        # Google's answer is still worth having: say what Resy could not add.
        note = f"Resy could not be asked about these ({from_resy(exc).detail})"
    return SearchResult(
        query=text, day=day, party_size=party_size if day else None, items=hits, note=note
    )


def _hit(place: Place, row: Restaurant, near: LatLng | None) -> RestaurantHit:
    kind = place.primary_type or next((t for t in place.types if t.endswith("_restaurant")), None)
    return RestaurantHit(
        **summary(row).model_dump(),
        neighborhood=place.neighborhood,
        cuisine=_kind_words(kind) if kind else None,
        rating=place.rating,
        rating_count=place.user_rating_count,
        price_level=PRICE_LEVELS.get(place.price_level or ""),
        distance_m=(
            round(d)
            if near is not None
            and (d := distance_m(near.latitude, near.longitude, row.latitude, row.longitude))
            is not None
            else None
        ),
        resy_url=_resy_page(row.city_code, row.url_slug),
    )


def _kind_words(kind: str) -> str:
    words = kind.replace("_restaurant", "").replace("_", " ")
    return words[:1].upper() + words[1:]


def _resy_page(city_code: str | None, slug: str | None) -> str | None:
    return f"https://resy.com/cities/{city_code}/{slug}" if city_code and slug else None


async def _on_resy(
    resy: ResyClient, query: str, hits: list[RestaurantHit], near: LatLng | None
) -> list[RestaurantHit]:
    """Mark the hits Resy lists: one venue search near them, each hit of the same name
    standing at the place. A place Resy's search does not show keeps what the cache knew."""
    unknown = [h for h in hits if h.on_resy is None]
    if not unknown:
        return hits
    anchor = near or next(
        (LatLng(latitude=h.latitude, longitude=h.longitude) for h in unknown if h.latitude), None
    )
    venues: list[VenueHit] = await resy.venue_search(
        query,
        latitude=anchor.latitude if anchor else None,
        longitude=anchor.longitude if anchor else None,
        per_page=20,
    )
    marked: list[RestaurantHit] = []
    for hit in hits:
        venue = None if hit.on_resy is not None else _same_venue(hit, venues)
        if venue is not None:
            hit = hit.model_copy(
                update={
                    "on_resy": True,
                    "resy_venue_id": venue.venue_id,
                    "resy_url": _resy_page(venue.location_code, venue.url_slug),
                }
            )
        marked.append(hit)
    return marked


def _same_venue(hit: RestaurantHit, venues: list[VenueHit]) -> VenueHit | None:
    key = name_key(hit.name)
    for venue in venues:
        far = distance_m(hit.latitude, hit.longitude, venue.latitude, venue.longitude)
        if far is not None and far < SAME_PLACE_M and name_score(key, name_key(venue.name)) >= 90:
            return venue
    return None


async def _with_tables(
    resy: ResyClient, hits: list[RestaurantHit], day: date, party_size: int
) -> list[RestaurantHit]:
    asked = 0
    out: list[RestaurantHit] = []
    for hit in hits:
        if hit.on_resy and hit.resy_venue_id is not None and asked < TABLES_FOR:
            asked += 1
            found = await resy.find(hit.resy_venue_id, day, party_size)
            inside, _ = pick_slots(list(found.slots), day, None, 0)
            hit = hit.model_copy(update={"tables": inside})
        out.append(hit)
    return out
