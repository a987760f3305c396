"""The stand-in Resy is strict where Resy is strict, so the client is tested against the real
rules: raw requests over loopback, without ResyClient."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from concierge import jwt
from concierge.config import RESY_WEB_APP_KEY
from concierge.integrations.resy.client import BROWSER_USER_AGENT
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, ResySandbox

pytestmark = pytest.mark.anyio

HEADERS = {
    "Authorization": f'ResyAPI api_key="{RESY_WEB_APP_KEY}"',
    "User-Agent": BROWSER_USER_AGENT,
    "Origin": "https://resy.com",
}


@pytest.fixture
async def resy(resy_sandbox: ResySandbox) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=resy_sandbox.url, headers=HEADERS)


async def logged_in(resy: httpx.AsyncClient) -> str:
    answer = await resy.post(
        "/3/auth/password", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )
    token: str = answer.json()["token"]
    resy.headers["X-Resy-Auth-Token"] = token
    return token


async def test_tokens_are_signed_jwts_that_expire(
    resy: httpx.AsyncClient, resy_sandbox: ResySandbox
) -> None:
    token = await logged_in(resy)

    claims = jwt.decode_hs256(token, resy_sandbox.world.secret, now=resy_sandbox.clock.now())
    assert claims["exp"] - claims["iat"] == timedelta(days=45).total_seconds()
    assert (await resy.get("/2/user")).status_code == 200
    resy_sandbox.clock.advance(days=45)
    assert (await resy.get("/2/user")).status_code == 419


async def test_a_wrong_application_key_is_refused(resy: httpx.AsyncClient) -> None:
    answer = await resy.get(
        "/3/venue", params={"id": 1505}, headers={"Authorization": 'ResyAPI api_key="nope"'}
    )
    assert answer.status_code == 401


async def test_details_by_query_string_is_an_invalid_configuration(
    resy: httpx.AsyncClient,
) -> None:
    await logged_in(resy)
    answer = await resy.get("/3/details", params={"config_id": "x", "day": "2026-11-27"})
    assert answer.json()["message"] == "Invalid configuration ID"


async def test_book_as_json_and_a_card_as_a_string_are_refused(resy: httpx.AsyncClient) -> None:
    await logged_in(resy)
    found = await resy.get(
        "/4/find",
        params={"lat": 0, "long": 0, "day": "2026-11-27", "party_size": 2, "venue_id": 1505},
    )
    slot = found.json()["results"]["venues"][0]["slots"][0]
    details = await resy.post(
        "/3/details",
        json={"config_id": slot["config"]["token"], "day": "2026-11-27", "party_size": 2},
    )
    book_token = details.json()["book_token"]["value"]

    as_json = await resy.post("/3/book", json={"book_token": book_token})
    assert as_json.json()["message"] == "Invalid book token"
    as_string = await resy.post(
        "/3/book",
        data={"book_token": book_token, "struct_payment_method": json.dumps({"id": "11223344"})},
    )
    assert as_string.json()["message"] == "Invalid payment method"
    as_form = await resy.post(
        "/3/book",
        data={"book_token": book_token, "struct_payment_method": json.dumps({"id": 11223344})},
    )
    assert as_form.json()["resy_token"].startswith("rr://")


async def test_venue_search_refuses_a_location_key(resy: httpx.AsyncClient) -> None:
    answer = await resy.post("/3/venuesearch/search", json={"query": "lilia", "location": "ny"})
    assert answer.status_code == 400


async def test_requests_are_counted_per_endpoint_and_admin_calls_are_not(
    resy: httpx.AsyncClient, resy_sandbox: ResySandbox
) -> None:
    for _ in range(3):
        await resy.get("/3/venue", params={"id": 1505})
    await resy.post("/3/venuesearch/search", json={"query": "carbone"})

    assert resy_sandbox.counts() == {"GET /3/venue": 3, "POST /3/venuesearch/search": 1}


async def test_unknown_faults_are_refused(resy: httpx.AsyncClient) -> None:
    answer = await resy.post("/__sandbox/faults", json={"meteor": True})
    assert answer.status_code == 400
    assert "meteor" in answer.json()["message"]


async def test_the_login_page_offers_an_email_and_password_form(resy: httpx.AsyncClient) -> None:
    page = (await resy.get("/")).text
    for part in ('name="email"', 'name="password"', "Use Email and Password instead", "Log in"):
        assert part in page
