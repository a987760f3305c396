"""The MCP endpoint of the web app: streamable HTTP at /mcp behind the API's bearer tokens."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.mcp import ok

pytestmark = pytest.mark.anyio

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
        tools = await client.list_tools()
        assert "find_free_slots" in {t.name for t in tools.tools}
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
