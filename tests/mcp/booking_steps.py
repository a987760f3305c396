"""Booking and cancelling through an MCP client as an assistant does it: the preview first,
then the same call with the confirmation token it answered."""

from __future__ import annotations

from typing import Any

from mcp import Client
from mcp.types import CallToolResult

from tests.fixtures.mcp import ok, text_of


async def preview(client: Client, tool: str, **arguments: Any) -> CallToolResult:
    """The first call: a preview that acts on nothing (or the tool's error)."""
    answer = await client.call_tool(tool, arguments)
    if not answer.is_error:
        data = answer.structured_content or {}
        acted = data.get("booked", data.get("cancelled"))
        already = data.get("already_booked", False)
        assert acted is False or already, f"{tool} acted without a confirmation: {text_of(answer)}"
    return answer


async def confirmed(client: Client, tool: str, **arguments: Any) -> CallToolResult:
    """Preview, then confirm it: the answer of the second call (or the first one's error, or
    the table already held)."""
    first = await preview(client, tool, **arguments)
    data = first.structured_content or {}
    if first.is_error or data.get("already_booked"):
        return first
    token = data["confirmation_token"]
    assert token, text_of(first)
    return await client.call_tool(tool, {**arguments, "confirmation_token": token})


async def book(client: Client, **arguments: Any) -> CallToolResult:
    return await confirmed(client, "make_reservation", **arguments)


async def cancel(client: Client, **arguments: Any) -> CallToolResult:
    return await confirmed(client, "cancel_reservation", **arguments)


def booked(answer: CallToolResult) -> CallToolResult:
    """``answer`` is a table booked (not a preview, not an error)."""
    ok(answer)
    assert (answer.structured_content or {}).get("booked") is True, text_of(answer)
    return answer
