"""What an assistant sees when it lists Concierge's tools: names, descriptions, schemas and
the hints that tell it which tools only read and which book or cancel something real."""

from __future__ import annotations

import pytest
from mcp.types import Tool

pytestmark = pytest.mark.anyio

READ_ONLY = {
    "search_restaurants",
    "check_availability",
    "my_reservations",
    "find_free_slots",
    "find_common_time",
    "my_appointments",
    "list_payment_methods",
    "restaurant_details",
    "list_favorites",
    "list_priority_notify",
    "my_calendars",
    "list_watches",
    "list_meeting_types",
}
DESTRUCTIVE = {
    "make_reservation",
    "cancel_reservation",
    "book_appointment",
    "book_meeting",
    "book_meeting_type",
    "cancel_appointment",
    "reschedule_appointment",
    "remove_calendar",
    "watch_for_table",
}
OTHERS = {
    "store_resy_credentials",
    "confirm_appointment",
    "set_default_card",
    "add_favorite",
    "remove_favorite",
    "add_priority_notify",
    "remove_priority_notify",
    "connect_calendar",
    "test_calendar",
    "cancel_watch",
}


def check_listing(tools: list[Tool]) -> None:
    """The listing every transport must show (shared with the stdio and HTTP tests)."""
    by_name = {tool.name: tool for tool in tools}
    assert set(by_name) == READ_ONLY | DESTRUCTIVE | OTHERS
    for tool in tools:
        assert tool.description, tool.name
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema is not None, tool.name
        assert tool.annotations is not None
        hints = tool.annotations
        assert hints.read_only_hint is (tool.name in READ_ONLY), tool.name
        if tool.name not in READ_ONLY:
            assert hints.destructive_hint is (tool.name in DESTRUCTIVE), tool.name
    make = by_name["make_reservation"]
    # The docstring, without its source indentation.
    assert "\n1. Call it WITHOUT confirmation_token: nothing is booked." in (make.description or "")
    assert "Only after they say yes, call it again" in (make.description or "")
    assert make.input_schema["required"] == ["restaurant_name", "date", "time"]
    properties = make.input_schema["properties"]
    assert properties["party_size"]["default"] == 2
    assert set(properties) == {
        "restaurant_name",
        "date",
        "time",
        "party_size",
        "special_requests",
        "allow_duplicate",
        "seating",
        "slot_token",
        "card",
        "confirmation_token",
    }
    assert properties["allow_duplicate"]["default"] is False
    check = by_name["check_availability"].input_schema
    assert check["properties"]["flexibility_minutes"]["default"] == 60
    assert check["properties"]["preferred_time"]["default"] is None
    cancel = by_name["cancel_reservation"].input_schema
    assert set(cancel["properties"]) == {
        "restaurant_name",
        "confirmation_id",
        "confirmation_token",
    }
    assert "required" not in cancel
    assert set(by_name["store_resy_credentials"].input_schema["required"]) == {"email", "password"}
    assert by_name["find_free_slots"].input_schema["required"] == ["person", "date_range"]
    assert by_name["book_appointment"].input_schema["required"] == ["person", "start"]
    assert by_name["book_meeting"].input_schema["required"] == ["people", "start"]
    assert "find_common_time" in (by_name["book_meeting"].description or "")
    # Nothing of the server's plumbing (the context) leaks into a schema.
    assert all("ctx" not in t.input_schema.get("properties", {}) for t in tools)


async def test_the_in_memory_listing(connect_memory, sign_up) -> None:
    me = await sign_up("Dana", "UTC")
    async with connect_memory(me) as client:
        check_listing((await client.list_tools()).tools)
        assert "make_reservation only after" in (client.session.instructions or "")
