"""The person's lists at Resy: favorite venues ("hit list") and Priority Notify requests.

Shapes as public clients read them (chrischall/resy-mcp src/tools/favorites.ts, notify.ts):
``GET /3/user/favorites`` -> ``results.venues[].venue{id{resy}, name, type, url_slug,
price_range, location{locality, region, neighborhood}}``; ``GET /3/notify`` ->
``notify[].specs{venue_id, day, party_size, time_preferred_start, time_preferred_end,
notify_request_id, service_type_id}``.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from pydantic import model_validator

from concierge.integrations.resy.schemas import ResyModel, _dict, _resy_id, tolerant


class Favorite(ResyModel):
    venue_id: int
    name: str
    cuisine: str | None = None
    url_slug: str | None = None
    price_range: int | None = None
    locality: str | None = None
    region: str | None = None
    neighborhood: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or "venue_id" in raw:
            return raw
        venue = _dict(raw.get("venue")) or raw
        location = _dict(venue.get("location"))
        return {
            "venue_id": _resy_id(venue.get("id")),
            "name": venue.get("name"),
            "cuisine": venue.get("type"),
            "url_slug": venue.get("url_slug"),
            "price_range": venue.get("price_range") or venue.get("price_range_id"),
            "locality": location.get("locality"),
            "region": location.get("region"),
            "neighborhood": location.get("neighborhood"),
        }

    @classmethod
    def list_from_wire(cls, payload: Any) -> list[Favorite]:
        rows = _dict(_dict(payload).get("results")).get("venues") or []
        found, _ = tolerant(rows, cls.model_validate, "favorites")
        return found


class NotifyRequest(ResyModel):
    notify_id: int
    venue_id: int
    day: date
    party_size: int
    start: time | None = None
    end: time | None = None
    service_type_id: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or "notify_id" in raw:
            return raw
        specs = _dict(raw.get("specs")) or raw
        return {
            "notify_id": specs.get("notify_request_id"),
            "venue_id": specs.get("venue_id"),
            "day": specs.get("day"),
            "party_size": specs.get("party_size"),
            "start": specs.get("time_preferred_start") or None,
            "end": specs.get("time_preferred_end") or None,
            "service_type_id": specs.get("service_type_id"),
        }

    @classmethod
    def list_from_wire(cls, payload: Any) -> list[NotifyRequest]:
        rows = _dict(payload).get("notify") or []
        found, _ = tolerant(rows, cls.model_validate, "notify requests")
        return found
