"""Google Places API (New): Text Search for restaurants."""

from concierge.integrations.google_places.client import FIELD_MASK, GooglePlacesClient
from concierge.integrations.google_places.errors import (
    GooglePlacesAuthError,
    GooglePlacesBadRequest,
    GooglePlacesError,
    GooglePlacesNotConfigured,
    GooglePlacesRateLimited,
    GooglePlacesUnavailable,
)
from concierge.integrations.google_places.schemas import LatLng, Place, SearchTextResponse

__all__ = [
    "FIELD_MASK",
    "GooglePlacesAuthError",
    "GooglePlacesBadRequest",
    "GooglePlacesClient",
    "GooglePlacesError",
    "GooglePlacesNotConfigured",
    "GooglePlacesRateLimited",
    "GooglePlacesUnavailable",
    "LatLng",
    "Place",
    "SearchTextResponse",
]
