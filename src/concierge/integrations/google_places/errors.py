"""What can go wrong talking to Google Places; the dining service turns these into domain errors."""

from __future__ import annotations


class GooglePlacesError(Exception):
    """Base of every Google Places failure. ``status`` is Google's (e.g. ``INVALID_ARGUMENT``)."""

    def __init__(self, message: str, *, http_status: int | None = None, status: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.status = status


class GooglePlacesNotConfigured(GooglePlacesError):
    """No API key is set: nothing was sent."""


class GooglePlacesAuthError(GooglePlacesError):
    """The key is missing, invalid, or not allowed to call the Places API (New)."""


class GooglePlacesBadRequest(GooglePlacesError):
    """Google refused the request itself (a bad field mask, page token or argument)."""


class GooglePlacesRateLimited(GooglePlacesError):
    """Quota or rate exceeded (429) even after retrying."""


class GooglePlacesUnavailable(GooglePlacesError):
    """A network failure, a timeout or a 5xx that retrying did not cure."""
