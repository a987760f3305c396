"""REST /v1/dining/watches: a person sees and stops their own watches only; a finished watch
cannot be stopped again. Watches set through an MCP session, read over the app's HTTP API,
on SQLite and PostgreSQL (the frozen clock reads Monday 2026-11-23 12:00 UTC)."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.mcp import ok
from tests.mcp.test_restaurant_tools import call, login

pytestmark = pytest.mark.anyio


async def test_a_person_lists_reads_and_cancels_their_own_watches(
    connect_dining, sign_up, client: httpx.AsyncClient
) -> None:
    me = await sign_up("Dana", "America/New_York")
    other = await sign_up("Olga", "America/New_York")
    async with connect_dining(me) as session:
        await login(session)
        made = ok(
            await call(
                session,
                "watch_for_table",
                restaurant_name="Don Angie",
                date="Saturday",
                earliest="7pm",
                latest="9pm",
                seating=["Bar", "Dining Room"],
            )
        ).structured_content
    watches = "/v1/dining/watches"

    listed = await client.get(watches, headers=me.auth)
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert (item["id"], item["status"], item["seating"]) == (
        made["id"],
        "watching",
        ["Bar", "Dining Room"],
    )
    assert item["earliest"].startswith("19:00")
    one = await client.get(f"{watches}/{made['id']}", headers=me.auth)
    assert one.status_code == 200
    assert [e["kind"] for e in one.json()["log"]] == ["created"]

    assert (await client.get(watches, headers=other.auth)).json()["items"] == []
    hidden = await client.get(f"{watches}/{made['id']}", headers=other.auth)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    refused = await client.post(f"{watches}/{made['id']}/cancel", headers=other.auth)
    assert refused.status_code == 404
    assert (await client.get(watches)).status_code == 401

    stopped = await client.post(f"{watches}/{made['id']}/cancel", headers=me.auth)
    assert stopped.status_code == 200
    assert stopped.json()["status"] == "cancelled"
    assert [e["kind"] for e in stopped.json()["log"]] == ["created", "cancelled"]
    again = await client.post(f"{watches}/{made['id']}/cancel", headers=me.auth)
    assert (again.status_code, again.json()["code"]) == (409, "watch_finished")


async def test_a_body_with_a_window_ending_before_it_starts_is_refused(
    sign_up, client: httpx.AsyncClient
) -> None:
    me = await sign_up("Dana", "America/New_York")
    response = await client.post(
        "/v1/dining/watches",
        json={"restaurant": "Don Angie", "date": "Saturday", "earliest": "9pm", "latest": "7pm"},
        headers=me.auth,
    )
    assert response.status_code == 422
    assert "before it starts" in response.json()["detail"]
