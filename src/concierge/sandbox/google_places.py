"""A stand-in for Google Places API (New) Text Search, speaking its wire format.

It refuses what Google refuses (no key, a wrong key, no field mask, a page token from another
query), returns only the fields the mask asks for, pages with ``nextPageToken`` (only when the
mask names it, as Google does), and counts requests per endpoint in ``app.state.counts`` so
tests can prove what was *not* asked. Its restaurants are the Resy stand-in's (same place ids as
their ``id.google``) plus look-alikes and places that are not on Resy.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from concierge.sandbox.google_places_data import EXTRAS, STOP_WORDS, TYPE_WORDS, Extra

SANDBOX_API_KEY = "sandbox-google-places-key"
SEARCH_TEXT = "POST /v1/places:searchText"
MAX_PAGE_SIZE = 20
MAX_RESULTS = 60  # Google stops paging after 60 results
RESTAURANT_TYPES = ("restaurant", "food", "point_of_interest", "establishment")
KNOWN_FIELDS = {
    "id",
    "displayName",
    "formattedAddress",
    "location",
    "addressComponents",
    "types",
    "primaryType",
    "rating",
    "userRatingCount",
    "priceLevel",
}


@dataclass(frozen=True)
class SandboxPlace:
    id: str
    name: str
    street_number: str
    route: str
    locality: str
    region: str
    postal_code: str
    latitude: float
    longitude: float
    country: str = "US"
    types: tuple[str, ...] = RESTAURANT_TYPES
    # What Google's formattedAddress calls the city ("New York" for Manhattan).
    city: str | None = None

    @property
    def formatted_address(self) -> str:
        country = "USA" if self.country == "US" else self.country
        city = self.city or self.locality
        street = f"{self.street_number} {self.route}"
        return f"{street}, {city}, {self.region} {self.postal_code}, {country}"

    @property
    def extra(self) -> Extra | None:
        return EXTRAS.get(self.id)

    def wire(self) -> dict[str, Any]:
        extra = self.extra
        answer = self._wire()
        if extra is None:
            return answer
        if extra.neighborhood:
            answer["addressComponents"].insert(
                2,
                {
                    "longText": extra.neighborhood,
                    "shortText": extra.neighborhood,
                    "types": ["neighborhood", "political"],
                },
            )
        answer["types"] = [extra.primary_type, *answer["types"]]
        answer["primaryType"] = extra.primary_type
        answer["rating"] = extra.rating
        answer["userRatingCount"] = extra.rating_count
        answer["priceLevel"] = extra.price_level
        return answer

    def searchable(self) -> tuple[set[str], set[str]]:
        """(type words, area words) Text Search matches a query against besides the name."""
        extra = self.extra
        types = set(self.types) | ({extra.primary_type} if extra else set())
        type_words = {w for t in types for w in t.split("_")} - {"restaurant"}
        type_words |= {w for t in types for w in TYPE_WORDS.get(t, set())}
        area = set(_words(self.formatted_address))
        if extra and extra.neighborhood:
            area |= set(_words(extra.neighborhood))
        return type_words, area

    def _wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "displayName": {"text": self.name, "languageCode": "en"},
            "formattedAddress": self.formatted_address,
            "location": {"latitude": self.latitude, "longitude": self.longitude},
            "addressComponents": [
                {
                    "longText": self.street_number,
                    "shortText": self.street_number,
                    "types": ["street_number"],
                },
                {"longText": self.route, "shortText": self.route, "types": ["route"]},
                {
                    "longText": self.locality,
                    "shortText": self.locality,
                    "types": ["locality", "political"],
                },
                {
                    "longText": self.region,
                    "shortText": self.region,
                    "types": ["administrative_area_level_1", "political"],
                },
                {
                    "longText": self.postal_code,
                    "shortText": self.postal_code,
                    "types": ["postal_code"],
                },
                {
                    "longText": self.country,
                    "shortText": self.country,
                    "types": ["country", "political"],
                },
            ],
            "types": list(self.types),
        }


def _p(
    place_id: str,
    name: str,
    address: str,
    locality: str,
    region: str,
    postal: str,
    lat: float,
    lng: float,
    **extra: Any,
) -> SandboxPlace:
    number, route = address.split(" ", 1)
    return SandboxPlace(place_id, name, number, route, locality, region, postal, lat, lng, **extra)


# The restaurants the Resy stand-in knows, with the place ids its venues give as ``id.google``
# (Via Carota and Rezdôra have none there, so they are matched by name and address), then
# look-alikes that must *not* match, and restaurants Resy does not have. Ids are illustrative.
# fmt: off
PLACES: tuple[SandboxPlace, ...] = (
    # on the Resy stand-in
    _p("ChIJ0xBhH5BZwokRmWZk1zmRTtM", "Carbone", "181 Thompson St",
       "New York", "NY", "10012", 40.72795, -74.00017),
    _p("ChIJb8Jg9pZZwokR-qHGtvSkLzs", "Don Angie", "103 Greenwich Ave",
       "New York", "NY", "10014", 40.73791, -74.00205),
    _p("ChIJsbx1KJJZwokRvCarota51Gr", "Via Carota", "51 Grove St",
       "New York", "NY", "10014", 40.73319, -74.00371),
    _p("ChIJq6qqaV9ZwokRlCNKqYl0ZQo", "Lilia", "567 Union Ave",
       "Brooklyn", "NY", "11211", 40.71755, -73.95240),
    _p("ChIJ7V8mY5NZwokRz8QYkOeO3Lg", "I Sodi", "105 Christopher St",
       "New York", "NY", "10014", 40.73349, -74.00549),
    _p("ChIJ5yq4ZpVZwokRhY8FqMaR6tI", "4 Charles Prime Rib", "4 Charles St",
       "New York", "NY", "10014", 40.73549, -74.00062),
    _p("ChIJRezdora27E20thStFlatirn", "Rezdora", "27 E 20th St",
       "New York", "NY", "10003", 40.73871, -73.98913),
    _p("ChIJQ0wG3YlZwokR4Ff7pW3aLxU", "Thai Diner", "186 Mott St",
       "New York", "NY", "10012", 40.72072, -73.99563),
    _p("ChIJq3Q3HBu7woARBnNU6yQ8m3E", "Gjelina", "1429 Abbot Kinney Blvd",
       "Los Angeles", "CA", "90291", 33.99051, -118.46471, city="Venice"),
    # look-alikes: same or similar names, not those venues
    _p("ChIJCarboneMiami49CollinsAv", "Carbone", "49 Collins Ave",
       "Miami Beach", "FL", "33139", 25.76832, -80.13327),
    _p("ChIJLiliaCaffe567UnionAveBk", "Lilia Caffè", "567 Union Ave",
       "Brooklyn", "NY", "11211", 40.71762, -73.95236),
    _p("ChIJSanSabino111GreenwichAv", "San Sabino", "111 Greenwich Ave",
       "New York", "NY", "10014", 40.73812, -74.00231),
    _p("ChIJGjelinaTakeAway1427AbKn", "Gjelina Take Away", "1427 Abbot Kinney Blvd",
       "Los Angeles", "CA", "90291", 33.99044, -118.46466, city="Venice"),
    _p("ChIJThaiVilla5E19thStManhtn", "Thai Villa", "5 E 19th St",
       "New York", "NY", "10003", 40.73894, -73.99080),
    # not on Resy
    _p("ChIJKatzs205EHoustonStManht", "Katz's Delicatessen", "205 E Houston St",
       "New York", "NY", "10002", 40.72223, -73.98743),
    _p("ChIJJoesPizza7CarmineStMnht", "Joe's Pizza", "7 Carmine St",
       "New York", "NY", "10014", 40.73058, -74.00215),
    _p("ChIJPeterLuger178BroadwayBk", "Peter Luger Steak House", "178 Broadway",
       "Brooklyn", "NY", "11211", 40.70985, -73.96243),
    _p("ChIJBalthazar80SpringStMnht", "Balthazar", "80 Spring St",
       "New York", "NY", "10012", 40.72263, -73.99811),
    # not a restaurant: Text Search with includedType "restaurant" leaves it out
    _p("ChIJViaCarotaFlowers53Grove", "Via Carota Flowers", "53 Grove St",
       "New York", "NY", "10014", 40.73323, -74.00380, types=("florist", "store")),
)
# fmt: on


@dataclass
class _State:
    places: tuple[SandboxPlace, ...]
    api_key: str
    counts: Counter[str] = field(default_factory=Counter)
    requests: list[dict[str, Any]] = field(default_factory=list)


def create_app(
    places: tuple[SandboxPlace, ...] | list[SandboxPlace] | None = None,
    *,
    api_key: str = SANDBOX_API_KEY,
) -> Starlette:
    state = _State(tuple(PLACES if places is None else places), api_key)

    async def search_text(request: Request) -> JSONResponse:
        state.counts[SEARCH_TEXT] += 1
        key = request.headers.get("x-goog-api-key")
        if not key:
            return _error(
                403,
                "PERMISSION_DENIED",
                "The request is missing a valid API key.",
            )
        if key != state.api_key:
            return _error(
                400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."
            )
        mask = request.headers.get("x-goog-fieldmask", "").strip()
        if not mask:
            return _error(
                400,
                "INVALID_ARGUMENT",
                "FieldMask is a required parameter. See "
                "https://cloud.google.com/apis/docs/system-parameters on how to provide it. "
                "As an example, you can set the header 'X-Goog-FieldMask' to value "
                "'places.displayName', 'places.id' to ask for the display name and the place "
                "ID of a place. You can also set the value to '*' in manual testing to get all "
                "the available response fields.",
            )
        fields = _fields(mask)
        if isinstance(fields, str):
            return _error(400, "INVALID_ARGUMENT", f"Invalid field: {fields}")
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if not isinstance(body, dict):
            return _error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        state.requests.append(body)
        query = str(body.get("textQuery") or "").strip()
        if not query:
            return _error(400, "INVALID_ARGUMENT", "Empty text_query.")
        page_size = int(body.get("pageSize") or MAX_PAGE_SIZE)
        page_size = max(1, min(page_size, MAX_PAGE_SIZE))
        fingerprint = _fingerprint(body)
        offset = 0
        if token := body.get("pageToken"):
            decoded = _decode_token(str(token))
            if decoded is None or decoded[0] != fingerprint:
                return _error(
                    400,
                    "INVALID_ARGUMENT",
                    "The provided page_token is invalid or does not match the request.",
                )
            offset = decoded[1]
        found = _search(state.places, query, body)[:MAX_RESULTS]
        page = found[offset : offset + page_size]
        answer: dict[str, Any] = {}
        if page:
            answer["places"] = [_project(place.wire(), fields[0]) for place in page]
        more = offset + page_size < len(found)
        if more and fields[1]:
            answer["nextPageToken"] = _encode_token(fingerprint, offset + page_size)
        return JSONResponse(answer)

    # Administration, not part of Google: the same paths the Resy stand-in uses.
    async def stats(request: Request) -> JSONResponse:
        if request.method == "DELETE":
            state.counts.clear()
            state.requests.clear()
        return JSONResponse({"requests": dict(state.counts)})

    app = Starlette(
        routes=[
            Route("/v1/places:searchText", search_text, methods=["POST"]),
            Route("/__sandbox/stats", stats, methods=["GET", "DELETE"]),
        ]
    )
    app.state.counts = state.counts
    app.state.requests = state.requests
    app.state.places = state.places
    return app


def _error(code: int, status: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "status": status}}, code)


def _fields(mask: str) -> tuple[set[str] | None, bool] | str:
    """(place fields asked, or None for all; whether ``nextPageToken`` was asked), or the first
    field Google would not know."""
    if mask == "*":
        return None, True
    wanted: set[str] = set()
    token = False
    for raw in mask.split(","):
        name = raw.strip()
        if name == "nextPageToken":
            token = True
        elif name in ("places", "places.*"):
            return None, token or "nextPageToken" in mask
        elif name.startswith("places.") and name.split(".", 2)[1] in KNOWN_FIELDS:
            wanted.add(name.split(".", 2)[1])
        elif name.startswith("places.") or name not in ("contextualContents", "routingSummaries"):
            return name
    return wanted, token


def _project(place: dict[str, Any], fields: set[str] | None) -> dict[str, Any]:
    if fields is None:
        return place
    return {k: v for k, v in place.items() if k in fields}


def _fingerprint(body: dict[str, Any]) -> str:
    rest = {k: v for k, v in body.items() if k not in ("pageToken", "pageSize")}
    return hashlib.sha256(json.dumps(rest, sort_keys=True).encode()).hexdigest()[:16]


def _encode_token(fingerprint: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{fingerprint}:{offset}".encode()).decode().rstrip("=")


def _decode_token(token: str) -> tuple[str, int] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        fingerprint, offset = raw.split(":")
        return fingerprint, int(offset)
    except (ValueError, UnicodeDecodeError):
        return None


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", folded.replace("'", "").replace("&", " and "))


def _search(
    places: tuple[SandboxPlace, ...], query: str, body: dict[str, Any]
) -> list[SandboxPlace]:
    """Rank like Text Search: a place answers when its name matches, or when every telling
    word of the query is in its name, its kind (cuisine) or its area ("italian in West
    Village"). Relevance first (the name counts most, then the kind, then the area), then a
    rating a little, then places inside the bias circle, nearest first; a restriction
    rectangle or circle leaves out what lies beyond it."""
    words = set(_words(query)) - STOP_WORDS or set(_words(query))
    included = body.get("includedType")
    circle = (body.get("locationBias") or {}).get("circle") or {}
    center = circle.get("center") or {}
    radius = float(circle.get("radius") or 0)
    restriction = (body.get("locationRestriction") or {}).get("circle") or {}
    ranked: list[tuple[tuple[float, ...], SandboxPlace]] = []
    for place in places:
        if included and included not in place.types:
            continue
        kinds, area = place.searchable()
        name = set(_words(place.name))
        name_hits = len(words & name)
        kind_hits = len(words & kinds - name)
        area_hits = len(words & area - name - kinds)
        if name_hits == 0 and name_hits + kind_hits + area_hits < len(words):
            continue
        if restriction and not _inside(place, restriction):
            continue
        distance = (
            haversine_m(center["latitude"], center["longitude"], place.latitude, place.longitude)
            if "latitude" in center and "longitude" in center
            else 0.0
        )
        outside = 1.0 if radius and distance > radius else 0.0
        rating = place.extra.rating if place.extra else 0.0
        relevance = -3.0 * name_hits - 2.0 * kind_hits - area_hits
        ranked.append(((relevance, outside, -rating, distance), place))
    ranked.sort(key=lambda pair: pair[0])
    return [place for _, place in ranked]


def _inside(place: SandboxPlace, circle: dict[str, Any]) -> bool:
    center = circle.get("center") or {}
    if "latitude" not in center or "longitude" not in center:
        return True
    distance = haversine_m(center["latitude"], center["longitude"], place.latitude, place.longitude)
    return distance <= float(circle.get("radius") or 0)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))
