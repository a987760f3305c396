"""Appointment tools through an MCP client session (in memory), on SQLite and PostgreSQL.

The frozen clock reads Monday 2026-11-23 12:00 UTC; new people work Monday to Friday,
09:00-17:00 in their own zone, and want 24 hours' notice.
"""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.mcp import ok, text_of

pytestmark = pytest.mark.anyio


async def test_free_slots_of_a_person_named_by_email_are_given_in_my_zone(
    connect_memory, sign_up
) -> None:
    me = await sign_up("Grace", "America/New_York")
    await sign_up("Ada Lovelace", "Europe/London", email="ada@example.com")
    async with connect_memory(me) as client:
        result = ok(
            await client.call_tool(
                "find_free_slots",
                {"person": "ada@example.com", "date_range": "2026-11-25", "duration": 60},
            )
        )
    data = result.structured_content
    assert data["person"]["name"] == "Ada Lovelace"
    assert data["timezone"] == "America/New_York"
    [day] = data["days"]
    # London 09:00-17:00 is 04:00-12:00 in New York; the last hour-long slot starts at 11:00.
    assert day["starts"][0] == "2026-11-25T04:00:00-05:00"
    assert day["starts"][-1] == "2026-11-25T11:00:00-05:00"
    assert len(day["starts"]) == 29
    assert text_of(result).splitlines()[1].startswith("Wed Nov 25: 4:00 AM, 4:15 AM")


async def test_a_person_can_be_named_by_their_full_name(connect_memory, sign_up) -> None:
    me = await sign_up("Grace", "UTC")
    await sign_up("Ada Lovelace", "UTC")
    async with connect_memory(me) as client:
        result = ok(
            await client.call_tool(
                "find_free_slots", {"person": "ada lovelace", "date_range": "next week"}
            )
        )
    dates = [d["date"] for d in result.structured_content["days"]]
    assert dates == [f"2026-11-{n}" for n in range(30, 31)] + [f"2026-12-0{n}" for n in range(1, 7)]


async def test_common_time_includes_me_and_intersects_every_calendar(
    connect_memory, sign_up, client: httpx.AsyncClient
) -> None:
    me = await sign_up("Grace", "UTC")
    ada = await sign_up("Ada", "UTC")
    await client.put(
        f"/v1/users/{ada.id}/availability",
        json={"dates": {"2026-12-01": [{"start": "13:00", "end": "20:00"}]}},
        headers=ada.auth,
    )
    async with connect_memory(me) as mcp:
        result = ok(
            await mcp.call_tool(
                "find_common_time",
                {"people": ["ada@example.com"], "date_range": "2026-12-01", "min_duration": 60},
            )
        )
    data = result.structured_content
    assert [p["name"] for p in data["people"]] == ["Grace", "Ada"]
    assert data["days"] == [
        {
            "date": "2026-12-01",
            "windows": [{"start": "2026-12-01T13:00:00+00:00", "end": "2026-12-01T17:00:00+00:00"}],
        }
    ]
    assert "Tue Dec 1: 1:00 PM-5:00 PM" in text_of(result)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"person": "nobody@example.com", "date_range": "tomorrow"}, "Nobody is registered"),
        ({"person": "Ada", "date_range": "sometime soon"}, "cannot read 'sometime soon'"),
        ({"person": "Ada", "date_range": "2026-12-01 to 2027-03-01"}, "at most 62"),
        ({"person": "Ada", "date_range": "tomorrow", "duration": 20}, "multiple of 15"),
    ],
)
async def test_mistakes_come_back_as_tool_errors_saying_what_to_do(
    connect_memory, sign_up, arguments, message
) -> None:
    me = await sign_up("Grace", "UTC")
    await sign_up("Ada", "UTC")
    async with connect_memory(me) as client:
        result = await client.call_tool("find_free_slots", arguments)
    assert result.is_error
    assert message in text_of(result)
    assert "Traceback" not in text_of(result)
