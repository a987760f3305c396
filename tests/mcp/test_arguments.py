"""Arguments that break a tool's input schema: refused as a tool error in plain words, never
echoed back, never logged as a failure; and every schema bounds what it accepts."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import MCPError

from tests.fixtures.logs import CapturedLogs
from tests.fixtures.mcp import text_of

pytestmark = pytest.mark.anyio


def unbounded(schema: dict[str, Any], where: str) -> list[str]:
    """Every place in ``schema`` that accepts a text, list or number of any size."""
    found: list[str] = []
    for option in schema.get("anyOf", []):
        found += unbounded(option, where)
    kind = schema.get("type")
    if kind == "string" and "maxLength" not in schema:
        found.append(where)
    if kind == "integer" and "maximum" not in schema:
        found.append(where)
    if kind == "array":
        if "maxItems" not in schema:
            found.append(where)
        found += unbounded(schema.get("items", {}), f"{where}[]")
    if kind == "object":
        if schema.get("additionalProperties") is not False:
            found.append(f"{where} (extra arguments)")
        for name, prop in schema.get("properties", {}).items():
            found += unbounded(prop, f"{where}.{name}")
    return found


async def test_every_argument_of_every_tool_has_a_bound(connect_memory, sign_up) -> None:
    me = await sign_up("Grace", "UTC")
    async with connect_memory(me) as client:
        tools = (await client.list_tools()).tools
    problems = [p for tool in tools for p in unbounded(tool.input_schema, tool.name)]
    assert problems == []


async def refused(
    connect_memory, sign_up, logs: CapturedLogs, tool: str, arguments: dict[str, Any]
) -> str:
    """The tool error's text for a call that must be refused at the door."""
    me = await sign_up("Grace", "UTC")
    async with connect_memory(me) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error
    assert result.structured_content is None
    levels = {line["level"] for line in logs.lines()}
    assert not levels & {"ERROR", "CRITICAL"}, logs.text
    return text_of(result)


HUGE = "x" * 50_000


@pytest.mark.parametrize(
    ("tool", "arguments", "said"),
    [
        (
            "find_free_slots",
            {"person": HUGE, "date_range": "today"},
            "person must be at most 320 characters.",
        ),
        (
            "find_common_time",
            {"people": ["ada@example.com"] * 20, "date_range": "today"},
            "people takes at most 19 items.",
        ),
        (
            "find_common_time",
            {"people": [HUGE], "date_range": "today"},
            "each of people must be at most 320 characters.",
        ),
        (
            "book_appointment",
            {"person": "ada@example.com", "start": "2026-12-01T10:00", "note": HUGE},
            "note must be at most 2000 characters.",
        ),
        ("confirm_appointment", {"id": 10**19}, "id must be 1 to 2147483647."),
        ("cancel_appointment", {"id": 0}, "id must be 1 to 2147483647."),
        (
            "cancel_appointment",
            {"id": 1, "reason": "Ill\x07"},
            "reason must not contain the control character U+0007; give it as plain text.",
        ),
        (
            "check_availability",
            {"restaurant_name": "Carbone", "date": "tomorrow", "party_size": 50},
            "party_size must be 1 to 20; for a larger party call the restaurant.",
        ),
        (
            "find_free_slots",
            {"person": "ada@example.com", "date_range": "today", "duration": "long"},
            "duration must be a whole number.",
        ),
        ("find_free_slots", {"date_range": "today"}, "person is required."),
        (
            "my_appointments",
            {"colour": "blue"},
            "Unknown argument colour. This tool takes: no arguments.",
        ),
        (
            "cancel_appointment",
            {"id": 1, HUGE: 1},
            f"Unknown argument {'x' * 40}.... This tool takes: id, reason.",
        ),
        (
            "my_appointments",
            {"line\nbreak": 1},
            "Unknown argument line?break. This tool takes: no arguments.",
        ),
    ],
)
async def test_a_bad_argument_is_a_tool_error_that_says_what_to_change(
    connect_memory, sign_up, captured_logs: CapturedLogs, tool, arguments, said
) -> None:
    text = await refused(connect_memory, sign_up, captured_logs, tool, arguments)
    assert text == said
    # Never the rejected value back (it may be huge, or a secret).
    assert "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" not in text


async def test_the_context_of_the_server_is_no_argument(
    connect_memory, sign_up, captured_logs: CapturedLogs
) -> None:
    text = await refused(connect_memory, sign_up, captured_logs, "my_appointments", {"ctx": 1})
    assert text.startswith("Unknown argument ctx.")


async def test_an_unknown_tool_is_a_protocol_error(connect_memory, sign_up) -> None:
    me = await sign_up("Grace", "UTC")
    async with connect_memory(me) as client:
        with pytest.raises(MCPError) as raised:
            await client.call_tool("book_a_unicorn", {})
    assert raised.value.code == -32602
    assert raised.value.message == "Unknown tool: book_a_unicorn"
