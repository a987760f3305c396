"""Meeting-type tools through an MCP client session (in memory), on SQLite and PostgreSQL: an
assistant lists what a person offers, then books one of their types with its answers.

The frozen clock reads Monday 2026-11-23 12:00 UTC; new people work Monday to Friday,
09:00-17:00 in their own zone, and want 24 hours' notice.
"""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.mcp import ok, text_of

pytestmark = pytest.mark.anyio

DEMO = {
    "title": "Product demo",
    "description": "A walk through the product.",
    "durations": [45],
    "location": {"kind": "in_person", "detail": "12 Market Street, London"},
    "questions": [
        {"id": "team", "label": "How big is your team?", "required": True},
        {"id": "notes", "label": "Anything else?"},
    ],
}


async def offer_demo(client: httpx.AsyncClient, host) -> dict:
    made = await client.post(f"/v1/users/{host.id}/meeting-types", json=DEMO, headers=host.auth)
    assert made.status_code == 201, made.text
    return made.json()


async def test_an_assistant_sees_each_type_with_its_questions(
    connect_memory, sign_up, client: httpx.AsyncClient
) -> None:
    me = await sign_up("Grace", "UTC")
    ada = await sign_up("Ada Lovelace", "UTC", email="ada@example.com")
    await offer_demo(client, ada)
    async with connect_memory(me) as session:
        result = ok(await session.call_tool("list_meeting_types", {"person": "ada@example.com"}))

    items = result.structured_content["items"]
    assert [i["slug"] for i in items] == ["meeting", "product-demo"]
    demo = items[1]
    assert demo["durations"] == [45]
    assert demo["location"] == "In person at 12 Market Street, London"
    assert demo["questions"][0] == {
        "id": "team",
        "label": "How big is your team?",
        "required": True,
    }
    assert demo["min_notice_minutes"] == 1440  # the host's own, as the type sets none
    words = text_of(result)
    assert "Product demo [product-demo]: 45 minutes" in words
    assert "How big is your team? (required) [team]" in words


async def test_booking_a_type_keeps_the_answers_the_host_then_reads(
    connect_memory, sign_up, client: httpx.AsyncClient
) -> None:
    me = await sign_up("Grace", "UTC")
    ada = await sign_up("Ada Lovelace", "UTC")
    await offer_demo(client, ada)
    async with connect_memory(me) as session:
        result = ok(
            await session.call_tool(
                "book_meeting_type",
                {
                    "person": "Ada Lovelace",
                    "meeting_type": "product-demo",
                    "start": "2026-11-25T10:00",
                    "answers": [{"question": "team", "answer": "Twelve people"}],
                    "confirm": True,
                },
            )
        )

    booked = result.structured_content
    assert (booked["status"], booked["duration"]) == ("confirmed", 45)
    assert text_of(result).startswith("Booked Product demo: #")
    seen = await client.get(f"/v1/reservations/{booked['id']}", headers=ada.auth)
    assert seen.json()["answers"] == [
        {"question": "How big is your team?", "answer": "Twelve people"}
    ]


async def test_a_missing_required_answer_is_refused_with_its_question(
    connect_memory, sign_up, client: httpx.AsyncClient
) -> None:
    me = await sign_up("Grace", "UTC")
    ada = await sign_up("Ada Lovelace", "UTC")
    await offer_demo(client, ada)
    async with connect_memory(me) as session:
        refused = await session.call_tool(
            "book_meeting_type",
            {"person": "Ada Lovelace", "meeting_type": "product-demo", "start": "2026-11-25T10:00"},
        )
        unknown = await session.call_tool(
            "book_meeting_type",
            {"person": "Ada Lovelace", "meeting_type": "coffee", "start": "2026-11-25T10:00"},
        )

    assert refused.is_error
    assert "How big is your team?" in text_of(refused)
    assert unknown.is_error
    assert "list_meeting_types" in text_of(unknown)
    listed = await client.get("/v1/reservations", headers=me.auth)
    assert listed.json()["items"] == []
