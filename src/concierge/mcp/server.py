"""The MCP server: which tools Concierge offers an assistant, and how each is marked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.mcpserver import MCPServer

from concierge.mcp import appointments
from concierge.mcp.results import DESTRUCTIVE, IDEMPOTENT, READ_ONLY
from concierge.mcp.runtime import Runtime

INSTRUCTIONS = """Concierge books things for the person you are helping: restaurant tables on
Resy, and appointments with other people who use Concierge.

Restaurants: search_restaurants or check_availability first; show the person the options;
call make_reservation only after they have confirmed the restaurant, date, time and party size.
Appointments: find_free_slots (one person) or find_common_time (several), then
book_appointment. Times are given in the person's own time zone unless an offset is shown.
Every tool acts for the person whose token this server runs with, and only sees their things."""


def build_server(runtime: Runtime) -> MCPServer[Runtime]:
    """A server whose tools act through ``runtime`` (its lifespan value)."""

    @asynccontextmanager
    async def lifespan(_: MCPServer[Any]) -> AsyncIterator[Runtime]:
        yield runtime

    server: MCPServer[Runtime] = MCPServer(
        "concierge",
        title="Concierge",
        instructions=INSTRUCTIONS,
        version="1.0.0",
        lifespan=lifespan,
    )
    server.add_tool(appointments.find_free_slots, title="Find free slots", annotations=READ_ONLY)
    server.add_tool(
        appointments.find_common_time, title="Find common free time", annotations=READ_ONLY
    )
    server.add_tool(
        appointments.book_appointment, title="Book an appointment", annotations=DESTRUCTIVE
    )
    server.add_tool(
        appointments.confirm_appointment, title="Confirm an appointment", annotations=IDEMPOTENT
    )
    server.add_tool(
        appointments.cancel_appointment, title="Cancel an appointment", annotations=DESTRUCTIVE
    )
    server.add_tool(appointments.my_appointments, title="My appointments", annotations=READ_ONLY)
    return server
