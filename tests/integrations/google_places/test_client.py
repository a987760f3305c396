"""The Google Places (New) Text Search client against the stand-in that speaks Google's format."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from concierge.integrations.google_places import (
    FIELD_MASK,
    GooglePlacesAuthError,
    GooglePlacesClient,
    GooglePlacesNotConfigured,
    GooglePlacesRateLimited,
    GooglePlacesUnavailable,
    LatLng,
)
from concierge.sandbox.google_places import SANDBOX_API_KEY, SEARCH_TEXT, SandboxPlace, create_app

pytestmark = pytest.mark.anyio

URL = "http://places.test/v1/places:searchText"
GREENWICH_VILLAGE = LatLng(latitude=40.7308, longitude=-74.0000)
MIAMI_BEACH = LatLng(latitude=25.7700, longitude=-80.1330)


async def test_a_search_sends_the_key_the_field_mask_and_a_location_bias(
    google_places: GooglePlacesClient, google_places_app: Starlette
) -> None:
    page = await google_places.search_text("Carbone", near=GREENWICH_VILLAGE, radius_m=3000)

    assert [p.name for p in page.places] == ["Carbone", "Carbone"]
    first = page.places[0]
    assert first.id == "ChIJ0xBhH5BZwokRmWZk1zmRTtM"
    assert first.formatted_address == "181 Thompson St, New York, NY 10012, USA"
    assert first.street_number == "181"
    assert first.locality == "New York"
    assert first.location is not None
    assert round(first.location.latitude, 3) == 40.728
    (body,) = google_places_app.state.requests
    assert body == {
        "textQuery": "Carbone",
        "includedType": "restaurant",
        "locationBias": {
            "circle": {"center": {"latitude": 40.7308, "longitude": -74.0}, "radius": 3000.0}
        },
        "pageSize": 10,
    }


async def test_the_bias_puts_the_nearby_place_of_a_shared_name_first(
    google_places: GooglePlacesClient,
) -> None:
    in_miami = await google_places.search_restaurants("Carbone", near=MIAMI_BEACH)
    assert in_miami[0].formatted_address == "49 Collins Ave, Miami Beach, FL 33139, USA"


async def test_only_restaurants_come_back(google_places: GooglePlacesClient) -> None:
    found = await google_places.search_restaurants("Via Carota", near=GREENWICH_VILLAGE)
    assert [p.name for p in found] == ["Via Carota"]  # not "Via Carota Flowers", a florist


async def test_paging_follows_next_page_token_up_to_the_limit() -> None:
    many = [
        SandboxPlace(f"pizza-{i:02d}", f"Pizza Place {i}", str(i + 1), "Bleecker St",
                     "New York", "NY", "10012", 40.73 + i / 10_000, -74.0)
        for i in range(70)
    ]  # fmt: skip
    app = create_app(many)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        client = GooglePlacesClient(http, api_key=SANDBOX_API_KEY, base_url="http://places.test")

        first = await client.search_restaurants("pizza", near=GREENWICH_VILLAGE, limit=45)
        assert app.state.counts[SEARCH_TEXT] == 3  # 20 + 20 + 5
        assert len({p.id for p in first}) == 45

        app.state.counts.clear()
        everything = await client.search_restaurants("pizza", limit=100)
        assert len(everything) == 60  # Google stops at 60 results, as the stand-in does
        assert app.state.counts[SEARCH_TEXT] == 3


async def test_no_key_means_no_request(google_places_app: Starlette) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=google_places_app)) as http:
        client = GooglePlacesClient(http, api_key=None, base_url="http://places.test")
        with pytest.raises(GooglePlacesNotConfigured, match="CONCIERGE_GOOGLE_PLACES_API_KEY"):
            await client.search_text("Carbone")
    assert google_places_app.state.counts[SEARCH_TEXT] == 0


async def test_a_wrong_key_is_an_auth_error_that_does_not_repeat_the_key(
    google_places_app: Starlette,
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=google_places_app)) as http:
        client = GooglePlacesClient(http, api_key="not-the-key-42", base_url="http://places.test")
        with pytest.raises(GooglePlacesAuthError) as caught:
            await client.search_text("Carbone")
    assert "API key not valid" in str(caught.value)
    assert "not-the-key-42" not in str(caught.value)
    assert google_places_app.state.counts[SEARCH_TEXT] == 1  # no retry of a refusal


# --- the stand-in refuses what Google refuses


@pytest.fixture
async def raw(google_places_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=google_places_app)
    async with httpx.AsyncClient(transport=transport) as client:
        yield client


async def test_the_stand_in_wants_a_field_mask(raw: httpx.AsyncClient) -> None:
    response = await raw.post(
        URL, json={"textQuery": "Carbone"}, headers={"X-Goog-Api-Key": SANDBOX_API_KEY}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert "FieldMask is a required parameter" in error["message"]


async def test_the_stand_in_wants_a_key(raw: httpx.AsyncClient) -> None:
    response = await raw.post(
        URL, json={"textQuery": "Carbone"}, headers={"X-Goog-FieldMask": FIELD_MASK}
    )
    assert response.status_code == 403
    assert response.json()["error"]["status"] == "PERMISSION_DENIED"


async def test_the_stand_in_answers_only_the_fields_asked(raw: httpx.AsyncClient) -> None:
    headers = {"X-Goog-Api-Key": SANDBOX_API_KEY, "X-Goog-FieldMask": "places.id"}
    body = {"textQuery": "Don Angie", "pageSize": 1}
    answer = (await raw.post(URL, json=body, headers=headers)).json()
    # Only the id, and no nextPageToken though more would match: the mask did not name it.
    assert answer == {"places": [{"id": "ChIJb8Jg9pZZwokR-qHGtvSkLzs"}]}


async def test_a_page_token_belongs_to_its_query(raw: httpx.AsyncClient) -> None:
    headers = {"X-Goog-Api-Key": SANDBOX_API_KEY, "X-Goog-FieldMask": "*"}
    first = await raw.post(URL, json={"textQuery": "New York", "pageSize": 2}, headers=headers)
    token = first.json()["nextPageToken"]
    other = await raw.post(URL, json={"textQuery": "Brooklyn", "pageToken": token}, headers=headers)
    assert other.status_code == 400
    same = await raw.post(
        URL, json={"textQuery": "New York", "pageSize": 2, "pageToken": token}, headers=headers
    )
    assert same.status_code == 200
    assert {p["id"] for p in same.json()["places"]}.isdisjoint(
        {p["id"] for p in first.json()["places"]}
    )


async def test_an_unknown_field_in_the_mask_is_refused(raw: httpx.AsyncClient) -> None:
    headers = {"X-Goog-Api-Key": SANDBOX_API_KEY, "X-Goog-FieldMask": "places.nonsense"}
    response = await raw.post(URL, json={"textQuery": "Carbone"}, headers=headers)
    assert response.status_code == 400


# --- retries


def _flaky(statuses: list[int]) -> tuple[httpx.MockTransport, list[int]]:
    seen: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        status = statuses[min(len(seen), len(statuses) - 1)]
        seen.append(status)
        if status == 200:
            return httpx.Response(200, json={"places": [{"id": "x", "displayName": {"text": "X"}}]})
        return httpx.Response(status, json={"error": {"code": status, "message": "busy"}})

    return httpx.MockTransport(handle), seen


async def test_a_5xx_is_retried_with_backoff_and_then_answers() -> None:
    transport, seen = _flaky([503, 500, 200])
    async with httpx.AsyncClient(transport=transport) as http:
        client = GooglePlacesClient(http, api_key="k", backoff_seconds=0, retries=3)
        page = await client.search_text("X")
    assert [p.name for p in page.places] == ["X"]
    assert seen == [503, 500, 200]


async def test_retries_stop_and_say_what_happened() -> None:
    transport, seen = _flaky([429])
    async with httpx.AsyncClient(transport=transport) as http:
        client = GooglePlacesClient(http, api_key="k", backoff_seconds=0, retries=3)
        with pytest.raises(GooglePlacesRateLimited):
            await client.search_text("X")
    assert len(seen) == 3

    transport, seen = _flaky([502])
    async with httpx.AsyncClient(transport=transport) as http:
        client = GooglePlacesClient(http, api_key="k", backoff_seconds=0, retries=2)
        with pytest.raises(GooglePlacesUnavailable):
            await client.search_text("X")
    assert len(seen) == 2
