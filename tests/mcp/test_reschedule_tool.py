"""reschedule_appointment through an MCP client session (the Python SDK's, in memory), on
SQLite and PostgreSQL: the assistant moves a booking, the old time is free again, and a move
into taken time is refused in words that point to the tools, the booking kept where it was.

The frozen clock reads Monday 2026-11-23 12:00 UTC; new people work Monday to Friday,
09:00-17:00 in their own zone, and want 24 hours' notice.
"""

from __future__ import annotations

import pytest

from tests.fixtures.mcp import ok, text_of

pytestmark = pytest.mark.anyio


async def test_the_assistant_moves_a_booking_and_the_old_time_is_free_again(
    connect_memory, sign_up
) -> None:
    me = await sign_up("Grace", "America/New_York")
    await sign_up("Ada", "Europe/London")
    async with connect_memory(me) as client:
        booked = ok(
            await client.call_tool(
                "book_appointment",
                {"person": "Ada", "start": "2026-11-25T05:00", "confirm": True},
            )
        ).structured_content
        moved = ok(
            await client.call_tool(
                "reschedule_appointment",
                {"id": booked["id"], "start": "Wednesday 7am", "duration": 45},
            )
        )
        data = moved.structured_content
        assert (data["id"], data["status"]) == (booked["id"], "confirmed")
        # 07:00 in New York, my zone, is 12:00 in London.
        assert data["start"] == "2026-11-25T07:00:00-05:00"
        assert data["end"] == "2026-11-25T07:45:00-05:00"
        assert text_of(moved).startswith(
            f"Moved to #{booked['id']}: 45 minutes with Ada, Wed Nov 25"
        )
        free = ok(
            await client.call_tool(
                "find_free_slots", {"person": "Ada", "date_range": "2026-11-25", "duration": 30}
            )
        ).structured_content
        [day] = free["days"]
        assert "2026-11-25T05:00:00-05:00" in day["starts"]
        assert "2026-11-25T07:00:00-05:00" not in day["starts"]
        [item] = ok(await client.call_tool("my_appointments", {})).structured_content["items"]
        assert item["start"] == "2026-11-25T07:00:00-05:00"


async def test_a_move_into_taken_time_is_refused_and_the_booking_stays(
    connect_memory, sign_up
) -> None:
    me = await sign_up("Grace", "UTC")
    other = await sign_up("Olga", "UTC")
    await sign_up("Ada", "UTC")
    async with connect_memory(other) as client:
        ok(
            await client.call_tool(
                "book_appointment", {"person": "Ada", "start": "2026-11-25T11:00", "confirm": True}
            )
        )
    async with connect_memory(me) as client:
        booked = ok(
            await client.call_tool(
                "book_appointment", {"person": "Ada", "start": "2026-11-25T10:00", "confirm": True}
            )
        ).structured_content
        refused = await client.call_tool(
            "reschedule_appointment", {"id": booked["id"], "start": "2026-11-25T11:00"}
        )
        assert refused.is_error
        assert "Ada is already booked" in text_of(refused)
        assert "find_free_slots" in text_of(refused)
        assert "/v1/" not in text_of(refused)
        [item] = ok(await client.call_tool("my_appointments", {})).structured_content["items"]
        assert item["start"] == "2026-11-25T10:00:00+00:00"


async def test_a_cancelled_appointment_cannot_be_moved(connect_memory, sign_up) -> None:
    me = await sign_up("Grace", "UTC")
    await sign_up("Ada", "UTC")
    async with connect_memory(me) as client:
        booked = ok(
            await client.call_tool(
                "book_appointment", {"person": "Ada", "start": "2026-11-25T10:00"}
            )
        ).structured_content
        ok(await client.call_tool("cancel_appointment", {"id": booked["id"]}))
        refused = await client.call_tool(
            "reschedule_appointment", {"id": booked["id"], "start": "2026-11-25T11:00"}
        )
    assert refused.is_error
    assert "is cancelled: there is nothing to move" in text_of(refused)
