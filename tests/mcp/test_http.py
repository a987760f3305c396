"""The MCP endpoint of the web app: streamable HTTP at /mcp behind the API's bearer tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib.metadata import version
from typing import Any

import httpx
import pytest

from concierge.config import Settings
from tests.fixtures.mcp import ok, text_of
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, ResySandbox
from tests.mcp import booking_steps as steps
from tests.mcp.test_tool_list import check_listing

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(dining_settings: Settings, database_url: str) -> Settings:
    """The app's settings, pointing at the Resy and Google Places stand-ins."""
    return dining_settings.model_copy(
        update={"database_url": database_url, "mcp_allowed_origins": LISTED_ORIGIN}
    )


LISTED_ORIGIN = "https://app.example.com"


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
            await steps.book(client, restaurant_name="Thai Diner", date="Saturday", time=at)
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


# ------------------------------------------------------------------ transport hygiene


@pytest.fixture
async def http(live_app: str) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client of the live app, for what an SDK client would never send (with an
    SDK's patience, not httpx's five seconds: CI's machine may be busy)."""
    async with httpx.AsyncClient(base_url=live_app, timeout=30) as plain:
        yield plain


async def rpc(
    http: httpx.AsyncClient, person: Any, message: dict[str, Any], **headers: str
) -> httpx.Response:
    return await http.post("/mcp", json=message, headers={**ACCEPT, **person.auth, **headers})


def call(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 7, "method": method, "params": params or {}}


async def test_a_page_of_a_foreign_origin_is_refused_even_with_a_token(http, sign_up) -> None:
    ada = await sign_up("Ada", "UTC")
    response = await rpc(http, ada, INITIALIZE, Origin="https://evil.example")
    assert response.status_code == 403
    assert response.json()["code"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    "origin", ["http://localhost:6274", "http://127.0.0.1:8000", "http://[::1]:3000"]
)
async def test_pages_on_this_machine_may_call_without_cors(http, sign_up, origin: str) -> None:
    ada = await sign_up("Ada", "UTC")
    response = await rpc(http, ada, INITIALIZE, Origin=origin)
    assert response.status_code == 200
    assert response.json()["result"]["serverInfo"]["name"] == "concierge"
    assert "access-control-allow-origin" not in response.headers


async def test_a_listed_origin_gets_cors_on_its_answers(http, sign_up) -> None:
    ada = await sign_up("Ada", "UTC")
    response = await rpc(http, ada, INITIALIZE, Origin=LISTED_ORIGIN)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == LISTED_ORIGIN
    assert "Origin" in response.headers["vary"]


async def test_the_preflight_of_a_listed_origin_is_answered_without_a_token(http) -> None:
    response = await http.options(
        "/mcp",
        headers={
            "Origin": LISTED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == LISTED_ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "mcp-protocol-version"} <= {
        h.strip() for h in allowed.split(",")
    }


async def test_the_preflight_of_a_foreign_origin_is_refused(http) -> None:
    response = await http.options(
        "/mcp", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


async def test_a_program_asking_what_the_endpoint_allows_is_told(http) -> None:
    response = await http.options("/mcp")
    assert response.status_code == 204
    assert response.headers["allow"] == "POST, OPTIONS"
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT"])
async def test_the_stateless_endpoint_offers_no_stream_and_no_session(
    http, sign_up, method: str
) -> None:
    ada = await sign_up("Ada", "UTC")
    response = await http.request(method, "/mcp", headers={**ACCEPT, **ada.auth})
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"POST", "OPTIONS"}
    assert response.json()["code"] == "method_not_allowed"


async def test_the_server_names_its_real_version_and_offers_tools_only(http, sign_up) -> None:
    ada = await sign_up("Ada", "UTC")
    result = (await rpc(http, ada, INITIALIZE)).json()["result"]
    assert result["serverInfo"]["version"] == version("concierge")
    assert "tools" in result["capabilities"]
    assert "prompts" not in result["capabilities"]
    assert "resources" not in result["capabilities"]
    for method in ("prompts/list", "resources/list"):
        answer = await rpc(http, ada, call(method), **{"Mcp-Protocol-Version": "2025-06-18"})
        assert answer.json()["error"]["code"] == -32601, method


async def test_an_unknown_tool_is_a_json_rpc_error_not_a_tool_result(http, sign_up) -> None:
    ada = await sign_up("Ada", "UTC")
    answer = await rpc(
        http,
        ada,
        call("tools/call", {"name": "book_a_unicorn", "arguments": {}}),
        **{"Mcp-Protocol-Version": "2025-06-18"},
    )
    body = answer.json()
    assert "result" not in body
    assert body["error"] == {"code": -32602, "message": "Unknown tool: book_a_unicorn"}


async def test_a_refused_argument_over_http_is_a_tool_error_in_plain_words(http, sign_up) -> None:
    ada = await sign_up("Ada", "UTC")
    answer = await rpc(
        http,
        ada,
        call("tools/call", {"name": "confirm_appointment", "arguments": {"id": 10**19}}),
        **{"Mcp-Protocol-Version": "2025-06-18"},
    )
    result = answer.json()["result"]
    assert result["isError"] is True
    assert result["content"][0]["text"] == "id must be 1 to 2147483647."


async def test_a_missing_token_is_told_how_to_authenticate(http) -> None:
    response = await http.post("/mcp", json=INITIALIZE, headers=ACCEPT)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="concierge"'
