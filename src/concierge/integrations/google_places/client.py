"""Places API (New) Text Search over an injected ``httpx.AsyncClient``.

The base URL comes from settings, so the same code talks to Google or to the local stand-in
(``concierge sandbox google-places``). The key travels only in the ``X-Goog-Api-Key`` header and
never appears in an error message or a log line.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import SecretStr, ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from concierge.config import Settings
from concierge.integrations.google_places.errors import (
    GooglePlacesAuthError,
    GooglePlacesBadRequest,
    GooglePlacesError,
    GooglePlacesNotConfigured,
    GooglePlacesRateLimited,
    GooglePlacesUnavailable,
)
from concierge.integrations.google_places.schemas import (
    Circle,
    LatLng,
    LocationBias,
    Place,
    SearchTextRequest,
    SearchTextResponse,
)

SEARCH_TEXT = "/v1/places:searchText"
# Google bills by the fields asked for; these are all matching needs. ``nextPageToken`` must be in
# the mask too, or Google leaves it out of the answer and paging silently stops after one page.
FIELD_MASK = ",".join(
    (
        "places.id",
        "places.displayName",
        "places.formattedAddress",
        "places.location",
        "places.addressComponents",
        # What search_restaurants shows a person: the kind, rating and price. (Google bills
        # these at a higher tier; one mask keeps the cache's rows and the answers alike.)
        "places.types",
        "places.primaryType",
        "places.rating",
        "places.userRatingCount",
        "places.priceLevel",
        "nextPageToken",
    )
)
MAX_PAGE_SIZE = 20  # Google's ceiling; larger values are cut down to it
DEFAULT_RADIUS_M = 5000.0


class _Retryable(Exception):
    def __init__(self, error: GooglePlacesError) -> None:
        super().__init__(error.message)
        self.error = error


class GooglePlacesClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_key: SecretStr | str | None,
        base_url: str = "https://places.googleapis.com",
        retries: int = 3,
        backoff_seconds: float = 0.5,
    ) -> None:
        self._http = http
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        self._api_key = key or None
        self._url = base_url.rstrip("/") + SEARCH_TEXT
        self._attempts = max(1, retries)
        self._backoff = backoff_seconds

    @classmethod
    def from_settings(
        cls, settings: Settings, http: httpx.AsyncClient, *, backoff_seconds: float = 0.5
    ) -> GooglePlacesClient:
        return cls(
            http,
            api_key=settings.google_places_api_key,
            base_url=settings.google_places_base_url,
            backoff_seconds=backoff_seconds,
        )

    async def search_text(
        self,
        query: str,
        *,
        near: LatLng | None = None,
        radius_m: float = DEFAULT_RADIUS_M,
        page_size: int = 10,
        page_token: str | None = None,
        included_type: str | None = "restaurant",
    ) -> SearchTextResponse:
        """One page of places matching ``query``, biased (not restricted) to a circle."""
        if not self._api_key:
            raise GooglePlacesNotConfigured(
                "No Google Places API key: set CONCIERGE_GOOGLE_PLACES_API_KEY."
            )
        request = SearchTextRequest(
            text_query=query,
            included_type=included_type,
            location_bias=(
                LocationBias(circle=Circle(center=near, radius=radius_m)) if near else None
            ),
            page_size=max(1, min(page_size, MAX_PAGE_SIZE)),
            page_token=page_token,
        )
        body = request.model_dump(by_alias=True, exclude_none=True)
        payload = await self._post(body)
        try:
            return SearchTextResponse.model_validate(payload)
        except ValidationError as exc:
            raise GooglePlacesUnavailable(
                f"Google Places answered in an unexpected shape: {exc.error_count()} errors"
            ) from exc

    async def search_restaurants(
        self,
        query: str,
        *,
        near: LatLng | None = None,
        radius_m: float = DEFAULT_RADIUS_M,
        limit: int = 10,
    ) -> list[Place]:
        """Up to ``limit`` restaurants, following ``nextPageToken`` as far as needed."""
        places: list[Place] = []
        token: str | None = None
        while len(places) < limit:
            page = await self.search_text(
                query,
                near=near,
                radius_m=radius_m,
                page_size=limit - len(places),
                page_token=token,
            )
            places.extend(page.places)
            token = page.next_page_token
            if not token or not page.places:
                break
        return places[:limit]

    async def _post(self, body: dict[str, Any]) -> Any:
        headers = {
            "X-Goog-Api-Key": self._api_key or "",
            "X-Goog-FieldMask": FIELD_MASK,
            "Content-Type": "application/json",
        }
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._backoff, max=max(self._backoff * 8, 0)),
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._post_once(body, headers)
        except _Retryable as exc:
            raise exc.error from exc
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    async def _post_once(self, body: dict[str, Any], headers: dict[str, str]) -> Any:
        try:
            response = await self._http.post(self._url, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise _Retryable(GooglePlacesUnavailable("Google Places timed out")) from exc
        except httpx.TransportError as exc:
            raise _Retryable(
                GooglePlacesUnavailable(f"Google Places unreachable: {type(exc).__name__}")
            ) from exc
        if response.is_success:
            try:
                return response.json()
            except ValueError as exc:
                raise GooglePlacesUnavailable("Google Places answered with no JSON") from exc
        raise _classify(response)


def _classify(response: httpx.Response) -> Exception:
    """Google's error envelope is ``{"error": {"code", "message", "status"}}``."""
    code = response.status_code
    message, status = f"HTTP {code}", ""
    try:
        error = response.json().get("error", {})
        message = str(error.get("message") or message)
        status = str(error.get("status") or "")
    except (ValueError, AttributeError):
        pass
    text = f"Google Places: {message}"
    if code == 429:
        return _Retryable(GooglePlacesRateLimited(text, http_status=code, status=status))
    if code >= 500:
        return _Retryable(GooglePlacesUnavailable(text, http_status=code, status=status))
    # An invalid key is a 400 INVALID_ARGUMENT with "API key not valid" in the message.
    if code in (401, 403) or "api key" in message.lower():
        return GooglePlacesAuthError(text, http_status=code, status=status)
    return GooglePlacesBadRequest(text, http_status=code, status=status)
