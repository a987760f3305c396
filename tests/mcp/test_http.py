"""The MCP endpoint of the web app: streamable HTTP at /mcp behind the API's bearer tokens."""

from __future__ import annotations

import httpx
import pytest

from concierge.config import Settings
from tests.fixtures.mcp import ok, text_of
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, ResySandbox
from tests.mcp.test_tool_list import check_listing

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(dining_settings: Settings, database_url: str) -> Settings:
    """The app's settings, pointing at the Resy and Google Places stand-ins."""
    return dining_settings.model_copy(update={"database_url": database_url})


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "curl", "version": "1"},
    },
}
ACCEPT = {"Accept": "application/json, text/event-stream"}


@pytest.mark.parametrize(
    "authorization", [None, "Bearer cnc_not-a-real-token", "Basic YWRhOnNlY3JldA=="]
)
async def test_mcp_refuses_a_request_without_a_live_token(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = dict(ACCEPT)
    if authorization:
        headers["Authorization"] = authorization
    response = await client.post("/mcp", json=INITIALIZE, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthenticated"


async def test_a_revoked_token_is_refused_too(client: httpx.AsyncClient, sign_up) -> None:
    ada = await sign_up("Ada", "UTC")
    deleted = await client.delete(f"/v1/users/{ada.id}", headers=ada.auth)
    assert deleted.status_code == 204
    response = await client.post("/mcp", json=INITIALIZE, headers={**ACCEPT, **ada.auth})
    assert response.status_code == 401


# "legacy" is the initialize handshake today's assistants use; "auto" negotiates the newest.
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_with_a_token_an_mcp_client_lists_and_calls_tools_as_that_person(
    connect_http, sign_up, mode: str
) -> None:
    ada = await sign_up("Ada", "UTC")
    grace = await sign_up("Grace", "UTC")
    async with connect_http(ada, mode) as client:
        check_listing((await client.list_tools()).tools)
        as_ada = ok(
            await client.call_tool(
                "find_common_time", {"people": ["grace@example.com"], "date_range": "2026-12-01"}
            )
        )
    async with connect_http(grace, mode) as client:
        as_grace = ok(
            await client.call_tool(
                "find_common_time", {"people": ["ada@example.com"], "date_range": "2026-12-01"}
            )
        )
    # Each call acts as the token's owner: "me" comes first in the people considered.
    assert [p["id"] for p in as_ada.structured_content["people"]] == [ada.id, grace.id]
    assert [p["id"] for p in as_grace.structured_content["people"]] == [grace.id, ada.id]


async def test_over_http_each_token_sees_only_its_own_tables_and_login(
    connect_http, sign_up, resy_sandbox: ResySandbox
) -> None:
    dana = await sign_up("Dana", "America/New_York")
    nico = await sign_up("Nico", "America/New_York")
    async with connect_http(dana) as client:
        ok(
            await client.call_tool(
                "store_resy_credentials", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
            )
        )
        found = ok(
            await client.call_tool(
                "check_availability",
                {"restaurant_name": "Thai Diner", "date": "Saturday", "preferred_time": "8pm"},
            )
        )
        at = found.structured_content["slots"][0]["start"][11:16]
        booked = ok(
            await client.call_tool(
                "make_reservation",
                {"restaurant_name": "Thai Diner", "date": "Saturday", "time": at},
            )
        )
    number = booked.structured_content["confirmation"]
    async with connect_http(nico) as client:
        listed = ok(await client.call_tool("my_reservations", {}))
        cancel = await client.call_tool("cancel_reservation", {"confirmation_id": number})
        book = await client.call_tool(
            "make_reservation", {"restaurant_name": "Thai Diner", "date": "Saturday", "time": at}
        )
    assert listed.structured_content["items"] == []
    assert "no Resy login is saved" in text_of(listed)
    assert cancel.is_error
    assert book.is_error
    assert "store_resy_credentials" in text_of(book)
    assert [r["status"] for r in resy_sandbox.reservations()] == ["confirmed"]
