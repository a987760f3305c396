"""``/``: a page for people, JSON for clients that ask, and the demo's booking pages."""

from __future__ import annotations

import httpx
import pytest

from concierge import demo
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.web.home import wants_json

pytestmark = pytest.mark.anyio


async def test_a_browser_gets_a_page_with_the_links_to_go_on(client: httpx.AsyncClient) -> None:
    answer = await client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    for link in ('href="/docs"', 'href="/redoc"', 'href="/healthz"', 'href="/openapi.json"'):
        assert link in answer.text
    assert "Book a time with" not in answer.text  # no demo loaded, so no booking page to list


async def test_a_client_that_asks_for_json_gets_the_links_as_json(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["links"]["docs"] == "/docs"
    assert body["links"]["health"] == "/healthz"
    assert body["booking_pages"] == []
    assert answer.headers["vary"] == "Accept"


async def test_the_demo_peoples_booking_pages_are_listed_once_loaded(
    client: httpx.AsyncClient, db: Database, clock: FrozenClock, settings: Settings
) -> None:
    loaded = await demo.load(db, clock, settings)
    page = (await client.get("/")).text
    as_json = (await client.get("/", headers={"Accept": "application/json"})).json()

    hosts = [person.name for person, _, _ in loaded if not person.is_admin]
    assert [entry["name"] for entry in as_json["booking_pages"]] == hosts
    for entry in as_json["booking_pages"]:
        assert f'href="{entry["url"]}"' in page
        assert (await client.get(entry["url"])).status_code == 200


@pytest.mark.parametrize(
    ("accept", "json"),
    [
        ("", False),
        ("*/*", False),
        ("text/html", False),
        ("application/json", True),
        ("application/json, text/html;q=0.9", True),
        ("text/html, application/json;q=0.9", False),
        ("application/json;q=0.5, text/html;q=0.4", True),
        ("application/json;q=bogus", False),
    ],
)
def test_json_only_when_the_client_prefers_it(accept: str, json: bool) -> None:
    assert wants_json(accept) is json
