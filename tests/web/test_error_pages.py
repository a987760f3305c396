"""Errors on the booking pages: a page for a person with a browser, problem+json for programs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from concierge.app import create_app
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from tests.fixtures.web import read

pytestmark = pytest.mark.anyio

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize("path", ["/book/", "/book/nobody/at/all", "/bookings/", "/bookings/x/y"])
async def test_an_unknown_page_is_a_404_page_with_a_way_back(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, headers=BROWSER)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = read(response)
    assert "Page not found" in page.text
    assert "/" in page.links  # back to the start page


async def test_an_api_client_on_the_same_address_gets_problem_json(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/book/nobody/at/all", headers={"Accept": "application/json"})

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


async def test_the_api_stays_json_even_for_a_browser(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nothing-here", headers=BROWSER)

    assert response.headers["content-type"] == "application/problem+json"


async def test_a_rate_limited_browser_is_told_when_to_try_again(
    settings: Settings, db: Database, clock: FrozenClock, client: httpx.AsyncClient, sign_up: Any
) -> None:
    ada = await sign_up("Ada")
    slug = (await client.get("/v1/users/me", headers=ada.auth)).json()["slug"]
    app: FastAPI = create_app(
        settings.model_copy(update={"rate_limit_booking_pages": "2/minute"}), db=db, clock=clock
    )
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://concierge.test") as c:
        for _ in range(2):
            assert (await c.get(f"/book/{slug}", headers=BROWSER)).status_code == 200

        response = await c.get(f"/book/{slug}", headers=BROWSER)
        program = await c.get(f"/book/{slug}")

    assert response.status_code == 429
    assert response.headers["content-type"].startswith("text/html")
    retry = int(response.headers["retry-after"])
    assert 0 < retry <= 60
    page = read(response)
    assert "Too many requests" in page.text
    assert f"Please try again in {retry} seconds." in page.text
    assert program.status_code == 429
    assert program.headers["content-type"] == "application/problem+json"


async def test_the_app_wide_limit_answers_a_browser_with_a_page_and_a_program_with_json(
    settings: Settings, db: Database, clock: FrozenClock, client: httpx.AsyncClient, sign_up: Any
) -> None:
    ada = await sign_up("Ada")
    slug = (await client.get("/v1/users/me", headers=ada.auth)).json()["slug"]
    app: FastAPI = create_app(
        settings.model_copy(update={"rate_limit_default": "2/minute"}), db=db, clock=clock
    )
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://concierge.test") as c:
        for _ in range(2):
            assert (await c.get(f"/book/{slug}", headers=BROWSER)).status_code == 200

        page_answer = await c.get(f"/book/{slug}", headers=BROWSER)
        home = await c.get("/", headers=BROWSER)
        program = await c.get(f"/book/{slug}", headers={"Accept": "application/json"})
        api = await c.get("/v1/users/me", headers=BROWSER)

    assert page_answer.status_code == 429
    assert page_answer.headers["content-type"].startswith("text/html")
    retry = int(page_answer.headers["retry-after"])
    assert 0 < retry <= 60
    assert f"Please try again in {retry} seconds." in read(page_answer).text
    assert home.status_code == 429
    assert home.headers["content-type"].startswith("text/html")
    for refused in (program, api):
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "rate_limited"
