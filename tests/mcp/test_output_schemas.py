"""Every tool's structured answer validates against the outputSchema it advertises, with
formats asserted as strict clients do (the TypeScript SDK validates with ajv-formats): an
answer that breaks its own schema is rejected by the host after the tool has acted.

The frozen clock reads Monday 2026-11-23 12:00 UTC; the Resy and Google stand-ins serve the
demo restaurants over loopback HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from mcp import Client

from tests.fixtures.mcp import ok, text_of
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD

pytestmark = pytest.mark.anyio

FORMATS = Draft202012Validator.FORMAT_CHECKER


async def tour(client: Client, feed_url: str) -> dict[str, dict[str, Any]]:
    """Every tool's happy path, in the order a person would take them; each tool's
    structured answer by name."""
    answers: dict[str, dict[str, Any]] = {}

    async def call(tool: str, **arguments: Any) -> dict[str, Any]:
        result = ok(await client.call_tool(tool, arguments))
        assert result.structured_content is not None, tool
        answers[tool] = result.structured_content
        return result.structured_content

    await call("store_resy_credentials", email=DEMO_EMAIL, password=DEMO_PASSWORD)
    await call("search_restaurants", query="italian", location="West Village", date="Saturday")
    found = await call(
        "check_availability", restaurant_name="Don Angie", date="Saturday", preferred_time="7pm"
    )
    at = found["slots"][0]["start"][11:16]
    table = {"restaurant_name": "Don Angie", "date": "Saturday", "time": at}
    shown = await call("make_reservation", **table)
    await call("make_reservation", **table, confirmation_token=shown["confirmation_token"])
    await call("my_reservations")
    await call("list_payment_methods")
    await call("set_default_card", card="Visa")
    await call("restaurant_details", restaurant_name="Don Angie")
    await call("add_favorite", restaurant_name="Don Angie")
    await call("remove_favorite", restaurant_name="Don Angie")
    await call("list_favorites")
    notify = await call("add_priority_notify", restaurant_name="Don Angie", date="Saturday")
    await call("list_priority_notify")
    await call("remove_priority_notify", notify_id=notify["items"][0]["notify_id"])
    shown = await call("cancel_reservation", restaurant_name="Don Angie")
    await call(
        "cancel_reservation",
        restaurant_name="Don Angie",
        confirmation_token=shown["confirmation_token"],
    )
    watch = await call(
        "watch_for_table", restaurant_name="Don Angie", date="Saturday", earliest="7pm"
    )
    await call("list_watches")
    await call("cancel_watch", watch_id=watch["id"])

    await call("find_free_slots", person="Ada", date_range="2026-11-25")
    await call("find_common_time", people=["Ada"], date_range="2026-11-25")
    held = await call("book_appointment", person="Ada", start="2026-11-25T10:00")
    await call("confirm_appointment", id=held["id"])
    await call("reschedule_appointment", id=held["id"], start="2026-11-25T11:00")
    await call("my_appointments")
    await call("cancel_appointment", id=held["id"])
    await call("list_meeting_types", person="Ada")
    await call("book_meeting_type", person="Ada", meeting_type="meeting", start="2026-11-25T10:00")

    common = await call("find_common_time", people=["Ada", "Ben"], date_range="2026-11-25")
    start = common["days"][0]["windows"][0]["start"]
    await call("book_meeting", people=["Ada", "Ben"], start=start)

    connected = await call("connect_calendar", name="Work", url=feed_url)
    await call("my_calendars")
    await call("test_calendar", calendar_id=connected["id"])
    await call("remove_calendar", calendar_id=connected["id"])
    return answers


def test_the_format_checker_knows_the_formats_our_schemas_use() -> None:
    # Without rfc3339-validator these formats pass anything, and the test below proves nothing.
    assert {"date", "time", "date-time", "email", "uri"} <= set(FORMATS.checkers)
    assert not FORMATS.conforms("19:00:00", "time")
    assert not FORMATS.conforms("2026-12-05T19:00:00", "date-time")
    assert FORMATS.conforms("2026-12-05T19:00:00-05:00", "date-time")


async def test_every_tool_answer_validates_against_its_output_schema(
    connect_dining, sign_up, dining_settings, static_http
) -> None:
    me = await sign_up("Dana", "America/New_York")
    await sign_up("Ada", "UTC")
    await sign_up("Ben", "UTC")
    dining_settings.outbound_allow_private = True  # the feed is on loopback
    static_http.put("/cal.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n")
    async with connect_dining(me) as client:
        schemas = {tool.name: tool.output_schema for tool in (await client.list_tools()).tools}
        answers = await tour(client, static_http.url("/cal.ics"))
    assert set(answers) == set(schemas)
    for name, answer in answers.items():
        validator = Draft202012Validator(schemas[name] or {}, format_checker=FORMATS)
        problems = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(answer)
        ]
        assert problems == [], name


async def test_the_text_carries_the_facts_of_the_structured_answer(connect_dining, sign_up) -> None:
    # Some hosts show the model only the text content.
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await client.call_tool(
            "store_resy_credentials", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
        )
        found = ok(
            await client.call_tool(
                "check_availability", {"restaurant_name": "Don Angie", "date": "Saturday"}
            )
        )
    data, text = found.structured_content, text_of(found)
    assert data is not None
    assert data["time_zone"]
    assert data["time_zone"] in text
    assert data["restaurant"]["place_id"] in text
    assert data["slots"][0]["table_type"] in text
