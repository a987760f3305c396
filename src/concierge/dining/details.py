"""One restaurant's details: what Google knows of the place and what its Resy venue says."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from concierge.db import Database
from concierge.dining.errors import from_resy
from concierge.dining.matching import VenueMatcher
from concierge.dining.service import DiningService
from concierge.integrations.resy.client import TokenSource
from concierge.integrations.resy.errors import ResyError


class VenueDetails(BaseModel):
    place_id: str
    name: str
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    on_resy: bool
    resy_venue_id: int | None = None
    cuisine: str | None = None
    neighborhood: str | None = None
    price_range: int | None = Field(default=None, description="1 ($) to 4 ($$$$)")
    phone: str | None = None
    website: str | None = None
    resy_url: str | None = None
    time_zone: str | None = None
    min_party_size: int | None = None
    max_party_size: int | None = None
    captcha_to_book: bool = Field(
        default=False, description="Resy asks for a captcha: booking finishes on resy.com"
    )

    def text(self) -> str:
        lines = [f"{self.name}" + (f" - {self.address}" if self.address else "")]
        if not self.on_resy:
            lines.append("Not on Resy: book with the restaurant directly.")
            return "\n".join(lines)
        facts = [
            self.cuisine,
            self.neighborhood,
            "$" * self.price_range if self.price_range else None,
        ]
        if shown := " · ".join(f for f in facts if f):
            lines.append(shown)
        if self.min_party_size and self.max_party_size:
            lines.append(f"Parties of {self.min_party_size} to {self.max_party_size} on Resy")
        lines += [
            f"{label}: {value}"
            for label, value in (
                ("Phone", self.phone),
                ("Website", self.website),
                ("On Resy", self.resy_url),
            )
            if value
        ]
        if self.captcha_to_book:
            lines.append("Resy asks for a captcha here: bookings are finished on resy.com.")
        return "\n".join(lines)


async def venue_details(
    db: Database, dining: DiningService, *, tokens: TokenSource, restaurant: str, now: datetime
) -> VenueDetails:
    place = await dining.find_restaurant(db, restaurant, now=now)
    resy = dining.resy(tokens)
    base = {
        "place_id": place.place_id,
        "name": place.name,
        "address": place.address,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }
    try:
        venue_id = await VenueMatcher(db, resy, now=now).find_resy_venue(place)
        if venue_id is None:
            return VenueDetails(**base, on_resy=False)
        venue = await resy.venue(venue_id)
    except ResyError as exc:
        raise from_resy(exc) from exc
    city, slug = venue.location_code, venue.url_slug
    return VenueDetails(
        **base,
        on_resy=True,
        resy_venue_id=venue_id,
        cuisine=venue.cuisine,
        neighborhood=venue.neighborhood,
        price_range=venue.price_range,
        phone=venue.phone,
        website=venue.website,
        resy_url=venue.resy_url
        or (f"https://resy.com/cities/{city}/{slug}" if city and slug else None),
        time_zone=venue.time_zone,
        min_party_size=venue.min_party_size,
        max_party_size=venue.max_party_size,
        captcha_to_book=venue.feature_recaptcha,
    )
