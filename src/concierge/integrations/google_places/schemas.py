"""Places API (New) Text Search payloads, as Google spells them (camelCase on the wire)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class LatLng(_Wire):
    latitude: float
    longitude: float


class LocalizedText(_Wire):
    text: str
    language_code: str | None = None


class AddressComponent(_Wire):
    long_text: str
    short_text: str | None = None
    types: list[str] = Field(default_factory=list)


class Place(_Wire):
    """One place; every field but ``id`` is absent unless the field mask asked for it."""

    id: str
    display_name: LocalizedText | None = None
    formatted_address: str | None = None
    location: LatLng | None = None
    address_components: list[AddressComponent] = Field(default_factory=list)
    types: list[str] = Field(default_factory=list)
    primary_type: str | None = None  # "italian_restaurant"
    rating: float | None = None  # 1..5
    user_rating_count: int | None = None
    price_level: str | None = None  # "PRICE_LEVEL_EXPENSIVE"

    @property
    def neighborhood(self) -> str | None:
        for component in self.address_components:
            if "neighborhood" in component.types or "sublocality_level_1" in component.types:
                return component.long_text
        return None

    @property
    def name(self) -> str:
        return self.display_name.text if self.display_name else ""

    @property
    def street_number(self) -> str | None:
        for component in self.address_components:
            if "street_number" in component.types:
                return component.long_text
        # Without components the formatted address still starts with the number in most
        # countries Resy serves ("181 Thompson St, New York, ...").
        match = re.match(r"\s*(\d+[A-Za-z]?)\b", self.formatted_address or "")
        return match.group(1) if match else None

    @property
    def locality(self) -> str | None:
        for component in self.address_components:
            if "locality" in component.types:
                return component.long_text
        return None


class Circle(_Wire):
    center: LatLng
    radius: float


class LocationBias(_Wire):
    circle: Circle


class SearchTextRequest(_Wire):
    text_query: str
    included_type: str | None = None
    location_bias: LocationBias | None = None
    page_size: int | None = None
    page_token: str | None = None


class SearchTextResponse(_Wire):
    places: list[Place] = Field(default_factory=list)
    next_page_token: str | None = None
