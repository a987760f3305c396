"""Dining's domain errors, and the translation of integration errors into them.

Each message says what to do next; none carries a token or a key.
"""

from __future__ import annotations

from concierge.errors import ConciergeError, RateLimited, ServiceUnavailable
from concierge.integrations.google_places import (
    GooglePlacesAuthError,
    GooglePlacesError,
    GooglePlacesNotConfigured,
    GooglePlacesRateLimited,
)
from concierge.integrations.resy import errors as resy_errors


class RestaurantNotFound(ConciergeError):
    status, code, title = 404, "restaurant_not_found", "Restaurant not found"


class ResyLoginRequired(ConciergeError):
    status, code, title = 403, "resy_login_required", "Resy login required"


class ResyNeedsPerson(ConciergeError):
    """Resy wants a captcha: the person finishes on resy.com (``extra['deep_link']``)."""

    status, code, title = 409, "resy_needs_person", "Finish on resy.com"


def from_google(error: GooglePlacesError) -> ConciergeError:
    if isinstance(error, GooglePlacesNotConfigured):
        return ServiceUnavailable(
            "Restaurant search is not set up: set CONCIERGE_GOOGLE_PLACES_API_KEY to a Google "
            "Places API key, or give the restaurant's Google place id."
        )
    if isinstance(error, GooglePlacesAuthError):
        return ServiceUnavailable(
            "Google Places refused our API key. Check CONCIERGE_GOOGLE_PLACES_API_KEY and that "
            "the Places API (New) is enabled for it."
        )
    if isinstance(error, GooglePlacesRateLimited):
        return RateLimited("Restaurant search is over its Google quota. Try again in a minute.")
    return ServiceUnavailable(
        f"Restaurant search failed ({error.message}). Try again in a few minutes."
    )


def from_resy(error: resy_errors.ResyError) -> ConciergeError:
    errors = resy_errors
    if isinstance(error, errors.AuthExpired | errors.BadCredentials):
        return ResyLoginRequired(error.message)
    if isinstance(error, errors.RateLimited):
        return RateLimited(error.message)
    if isinstance(error, errors.BlockedOrCaptcha):
        return ResyNeedsPerson(error.message, deep_link=error.deep_link)
    return ServiceUnavailable(error.message)
