"""book_meeting through an MCP client session (in memory), on SQLite and PostgreSQL: the time
find_common_time found, booked for everyone in one call, all or nothing.

The frozen clock reads Monday 2026-11-23 12:00 UTC; new people work Monday to Friday,
09:00-17:00 in their own zone, and want 24 hours' notice.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.mcp import ok, text_of

pytestmark = pytest.mark.anyio


async def common_start(mcp: Any, people: list[str], day: str) -> str:
    found = ok(await mcp.call_tool("find_common_time", {"people": people, "date_range": day}))
    return str(found.structured_content["days"][0]["windows"][0]["start"])


async def test_the_time_find_common_time_found_is_booked_for_everyone_in_one_call(
    connect_memory, sign_up, client: httpx.AsyncClient
) -> None:
    me = await sign_up("Grace", "America/New_York")
    ada = await sign_up("Ada", "UTC")
    ben = await sign_up("Ben", "UTC")
    async with connect_memory(me) as mcp:
        # New York's 09:00 is 14:00 UTC: the common time starts there.
        start = await common_start(mcp, ["ada@example.com", "Ben"], "2026-11-25")
        assert start == "2026-11-25T09:00:00-05:00"
        held = ok(
            await mcp.call_tool(
                "book_meeting",
                {"people": ["ada@example.com", "Ben"], "start": start, "duration": 60},
            )
        )
        meeting = held.structured_content
        assert meeting["status"] == "held"
        assert (meeting["start"], meeting["duration"]) == (start, 60)
        assert meeting["host"]["name"] == "Ada"
        assert [p["name"] for p in meeting["co_hosts"]] == ["Ben"]
        assert text_of(held).startswith(f"Held #{meeting['id']}: 1 hour with Ada, Ben and Grace")
        # Booked: the same window is no longer common time.
        assert await common_start(mcp, ["Ada", "Ben"], "2026-11-25") == "2026-11-25T10:00:00-05:00"
    for host in (ada, ben):
        shown = await client.get(f"/v1/reservations/{meeting['id']}", headers=host.auth)
        assert shown.json()["hosts"] == [ada.id, ben.id]
    async with connect_memory(ben) as mcp:
        [item] = ok(await mcp.call_tool("my_appointments", {})).structured_content["items"]
    assert (item["id"], item["role"]) == (meeting["id"], "host")


async def test_one_person_no_longer_free_books_no_one(
    connect_memory, sign_up, client: httpx.AsyncClient
) -> None:
    me = await sign_up("Grace", "UTC")
    ada = await sign_up("Ada", "UTC")
    ben = await sign_up("Ben", "UTC")
    other = await sign_up("Olga", "UTC")
    async with connect_memory(me) as mcp:
        start = await common_start(mcp, ["Ada", "Ben"], "2026-11-25")
        # Between finding the time and booking it, someone books Ben.
        taken = await client.post(
            "/v1/reservations", json={"host_id": ben.id, "start": start}, headers=other.auth
        )
        assert taken.status_code == 201, taken.text
        refused = await mcp.call_tool("book_meeting", {"people": ["Ada", "Ben"], "start": start})
        assert refused.is_error
        assert "Ben is already booked" in text_of(refused)
        assert "/v1/" not in text_of(refused)
        assert ok(await mcp.call_tool("my_appointments", {})).structured_content["items"] == []
    mine = await client.get("/v1/reservations", headers=ada.auth)
    assert mine.json()["items"] == []


async def test_naming_myself_or_only_one_person_still_books_the_right_meeting(
    connect_memory, sign_up
) -> None:
    me = await sign_up("Grace", "UTC")
    await sign_up("Ada", "UTC")
    async with connect_memory(me) as mcp:
        # find_common_time counts me in; passing my own name along changes nothing.
        held = ok(
            await mcp.call_tool(
                "book_meeting", {"people": ["Grace", "Ada"], "start": "2026-11-25T10:00"}
            )
        )
        assert held.structured_content["host"]["name"] == "Ada"
        assert held.structured_content["co_hosts"] == []
        alone = await mcp.call_tool(
            "book_meeting", {"people": ["Grace"], "start": "2026-11-25T11:00"}
        )
    assert alone.is_error
    assert "besides you" in text_of(alone)
