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


async def test_book_then_confirm_then_list_then_cancel(connect_memory, sign_up, clock) -> None:
    me = await sign_up("Grace", "America/New_York")
    await sign_up("Ada", "Europe/London")
    async with connect_memory(me) as client:
        held = ok(
            await client.call_tool(
                "book_appointment",
                {"person": "ada@example.com", "start": "2026-11-25T05:00", "note": "Engines"},
            )
        )
        booking = held.structured_content
        assert booking["status"] == "held"
        # 05:00 in New York, my zone, is 10:00 in London.
        assert booking["start"] == "2026-11-25T05:00:00-05:00"
        assert booking["end"] == "2026-11-25T05:30:00-05:00"
        assert booking["hold_expires_at"] == "2026-11-23T07:30:00-05:00"
        assert text_of(held).startswith(f"Held #{booking['id']}: 30 minutes with Ada, Wed Nov 25")

        clock.advance(minutes=20)
        confirmed = ok(await client.call_tool("confirm_appointment", {"id": booking["id"]}))
        assert confirmed.structured_content["status"] == "confirmed"

        listed = ok(await client.call_tool("my_appointments", {}))
        [item] = listed.structured_content["items"]
        assert (item["id"], item["role"], item["status"]) == (booking["id"], "guest", "confirmed")

        taken = await client.call_tool(
            "book_appointment", {"person": "Ada", "start": "2026-11-25T10:15:00+00:00"}
        )
        assert taken.is_error
        assert "already booked" in text_of(taken)

        cancelled = ok(
            await client.call_tool(
                "cancel_appointment", {"id": booking["id"], "reason": "  Ill today\nSorry "}
            )
        )
        assert cancelled.structured_content["status"] == "cancelled"
        assert cancelled.structured_content["cancel_reason"] == "Ill today\nSorry"
        assert ok(await client.call_tool("my_appointments", {})).structured_content["items"] == []


async def test_a_hold_not_confirmed_in_time_cannot_be_confirmed(
    connect_memory, sign_up, clock
) -> None:
    me = await sign_up("Grace", "UTC")
    await sign_up("Ada", "UTC")
    async with connect_memory(me) as client:
        held = ok(
            await client.call_tool(
                "book_appointment", {"person": "Ada", "start": "2026-11-25T10:00"}
            )
        )
        clock.advance(minutes=31)
        late = await client.call_tool("confirm_appointment", {"id": held.structured_content["id"]})
    assert late.is_error
    assert "hold lapsed" in text_of(late)


async def test_booking_at_once_and_the_host_sees_it_too(connect_memory, sign_up) -> None:
    me = await sign_up("Grace", "UTC")
    ada = await sign_up("Ada", "UTC")
    async with connect_memory(me) as client:
        booked = ok(
            await client.call_tool(
                "book_appointment",
                {"person": "Ada", "start": "2026-11-26T09:00", "duration": 60, "confirm": True},
            )
        )
    assert booked.structured_content["status"] == "confirmed"
    async with connect_memory(ada) as client:
        [item] = ok(await client.call_tool("my_appointments", {})).structured_content["items"]
    assert item["role"] == "host"
    assert item["guest"]["name"] == "Grace"


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2026-11-23T15:00", "notice"),
        ("2026-11-28T10:00", "outside Ada's availability"),
        ("2026-11-25T10:05", "grid"),
        ("half past ten", "cannot read 'half past ten'"),
    ],
)
async def test_a_time_that_cannot_be_booked_is_refused_with_the_reason(
    connect_memory, sign_up, start: str, message: str
) -> None:
    me = await sign_up("Grace", "UTC")
    await sign_up("Ada", "UTC")
    async with connect_memory(me) as client:
        refused = await client.call_tool("book_appointment", {"person": "Ada", "start": start})
    assert refused.is_error
    assert message in text_of(refused)


async def test_nobody_else_can_confirm_or_cancel_my_appointment(connect_memory, sign_up) -> None:
    me = await sign_up("Grace", "UTC")
    await sign_up("Ada", "UTC")
    mallory = await sign_up("Mallory", "UTC")
    async with connect_memory(me) as client:
        held = ok(
            await client.call_tool(
                "book_appointment", {"person": "Ada", "start": "2026-11-25T10:00"}
            )
        )
    appointment = held.structured_content["id"]
    async with connect_memory(mallory) as client:
        for tool in ("confirm_appointment", "cancel_appointment"):
            refused = await client.call_tool(tool, {"id": appointment})
            assert refused.is_error
            assert "No booking numbered" in text_of(refused)
            assert "reservation" not in text_of(refused).lower()
        assert ok(await client.call_tool("my_appointments", {})).structured_content["items"] == []


async def test_booking_tools_answer_a_rate_limit_as_a_tool_error(sign_up, mcp_runtime) -> None:
    from mcp import Client

    from concierge.errors import RateLimited
    from concierge.mcp.server import build_server

    me = await sign_up("Grace", "UTC")
    await sign_up("Ada", "UTC")
    counted: list[int] = []

    async def guard(user_id: int) -> None:
        counted.append(user_id)
        if len(counted) > 1:
            raise RateLimited("Too many booking tool calls: the limit is 1 per minute.")

    runtime = mcp_runtime(me.token)
    runtime.booking_guard = guard
    async with Client(build_server(runtime), mode="legacy") as client:
        first = {"person": "Ada", "start": "2026-11-25T10:00"}
        ok(await client.call_tool("book_appointment", first))
        second = await client.call_tool(
            "book_appointment", {"person": "Ada", "start": "2026-11-25T11:00"}
        )
        ok(await client.call_tool("my_appointments", {}))
    assert second.is_error
    assert "Too many booking tool calls" in text_of(second)
    assert counted == [me.id, me.id]


@pytest.mark.parametrize(
    "start",
    ["2026-11-25T10:05", "2026-11-25T20:00"],  # off the grid; outside her hours
)
async def test_a_refused_time_points_to_find_free_slots_never_to_a_rest_route(
    connect_memory, sign_up, start: str
) -> None:
    me = await sign_up("Grace", "UTC")
    await sign_up("Ada", "UTC")
    async with connect_memory(me) as client:
        refused = await client.call_tool("book_appointment", {"person": "Ada", "start": start})
    assert refused.is_error
    assert text_of(refused).endswith("Pick another time from find_free_slots for Ada.")
    assert "/v1/" not in text_of(refused)
