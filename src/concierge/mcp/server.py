"""The MCP server: which tools Concierge offers an assistant, and how each is marked."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any, Literal

from mcp import MCPError
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import INVALID_PARAMS, CallToolResult, InputRequiredResult, ToolAnnotations
from pydantic import ValidationError

from concierge.mcp import (
    appointments,
    arguments,
    meeting_types,
    outside_calendars,
    restaurants,
    watches,
)
from concierge.mcp.results import (
    DESTRUCTIVE,
    DESTRUCTIVE_OPEN,
    IDEMPOTENT,
    IDEMPOTENT_OPEN,
    READ_ONLY,
    READ_ONLY_OPEN,
)
from concierge.mcp.runtime import Runtime

INSTRUCTIONS = """Concierge books things for the person you are helping: restaurant tables on
Resy, and appointments with other people who use Concierge.

Restaurants: search_restaurants or check_availability first; show the person the options;
call make_reservation only after they have confirmed the restaurant, date, time and party size.
make_reservation and cancel_reservation answer a preview first (card, fees, deadline) and act
only when called again with its confirmation_token, once the person said yes to that preview.
The first time, they give their Resy email and password to store_resy_credentials.
When no table suits or the day is not bookable yet, watch_for_table (once they agree) books the
first table that opens; list_watches and cancel_watch follow it up.
Appointments: find_free_slots (one person) or find_common_time (several), then
book_appointment (one person) or book_meeting (several, in one call); or list_meeting_types,
then book_meeting_type with the answers its questions need. Times are in the person's own
time zone unless an offset is shown.
Every tool acts for the person this server runs as, and only sees their things."""

# (tool, title, annotations): read-only tools are marked so; booking and cancelling are
# destructive (they take or give up something real); "open" tools talk to Resy or Google.
TOOLS: list[tuple[Callable[..., Any], str, ToolAnnotations]] = [
    (restaurants.store_resy_credentials, "Save your Resy login", IDEMPOTENT_OPEN),
    (restaurants.search_restaurants, "Search restaurants", READ_ONLY_OPEN),
    (restaurants.check_availability, "Check open tables", READ_ONLY_OPEN),
    (restaurants.make_reservation, "Book a table", DESTRUCTIVE_OPEN),
    (restaurants.cancel_reservation, "Cancel a table", DESTRUCTIVE_OPEN),
    (restaurants.my_reservations, "My restaurant reservations", READ_ONLY_OPEN),
    (restaurants.list_payment_methods, "My saved cards", READ_ONLY_OPEN),
    (restaurants.set_default_card, "Choose the default card", IDEMPOTENT_OPEN),
    (restaurants.restaurant_details, "Restaurant details", READ_ONLY_OPEN),
    (restaurants.list_favorites, "My favorite restaurants", READ_ONLY_OPEN),
    (restaurants.add_favorite, "Add a favorite", IDEMPOTENT_OPEN),
    (restaurants.remove_favorite, "Remove a favorite", IDEMPOTENT_OPEN),
    (restaurants.list_priority_notify, "My Priority Notify requests", READ_ONLY_OPEN),
    (restaurants.add_priority_notify, "Ask to be told when a table opens", IDEMPOTENT_OPEN),
    (restaurants.remove_priority_notify, "Withdraw a Priority Notify request", IDEMPOTENT_OPEN),
    (watches.watch_for_table, "Book a table when one opens", DESTRUCTIVE_OPEN),
    (watches.list_watches, "My table watches", READ_ONLY),
    (watches.cancel_watch, "Stop a table watch", IDEMPOTENT),
    (appointments.find_free_slots, "Find free slots", READ_ONLY),
    (appointments.find_common_time, "Find common free time", READ_ONLY),
    (appointments.book_appointment, "Book an appointment", DESTRUCTIVE),
    (appointments.book_meeting, "Book a meeting of several people", DESTRUCTIVE),
    (appointments.confirm_appointment, "Confirm an appointment", IDEMPOTENT),
    (appointments.cancel_appointment, "Cancel an appointment", DESTRUCTIVE),
    (appointments.reschedule_appointment, "Move an appointment", DESTRUCTIVE),
    (appointments.my_appointments, "My appointments", READ_ONLY),
    (outside_calendars.connect_calendar, "Connect a calendar", IDEMPOTENT_OPEN),
    (outside_calendars.my_calendars, "My calendars", READ_ONLY),
    (outside_calendars.test_calendar, "Test a calendar", IDEMPOTENT_OPEN),
    (outside_calendars.remove_calendar, "Remove a calendar", DESTRUCTIVE),
    (meeting_types.list_meeting_types, "List meeting types", READ_ONLY),
    (meeting_types.book_meeting_type, "Book a meeting type", DESTRUCTIVE),
]


class ConciergeServer(MCPServer[Runtime]):
    """The SDK's server, stricter at the door of every tool call: an unknown tool is a
    protocol error, an unknown argument is refused, and arguments that break the schema are
    told in plain words (see concierge.mcp.arguments) instead of Pydantic's report."""

    async def call_tool(
        self, name: str, args: dict[str, Any], context: Context[Runtime, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        tool = self._tool_manager.get_tool(name)
        if tool is None:
            # Asking for a tool that was never listed is the client's bug, not the model's.
            raise MCPError(INVALID_PARAMS, f"Unknown tool: {arguments.shown(name)}")
        if (why := arguments.unknown(tool.parameters, args)) is not None:
            raise ToolError(why)
        try:
            return await super().call_tool(name, args, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError) and not isinstance(exc, UnexpectedToolError):
                raise ToolError(arguments.refusal(tool.parameters, cause)) from cause
            raise


UNOFFERED = (
    "prompts/list",
    "prompts/get",
    "resources/list",
    "resources/read",
    "resources/templates/list",
    "resources/subscribe",
    "resources/unsubscribe",
)


def build_server(runtime: Runtime) -> MCPServer[Runtime]:
    """A server whose tools act through ``runtime`` (its lifespan value)."""

    @asynccontextmanager
    async def lifespan(_: MCPServer[Any]) -> AsyncIterator[Runtime]:
        async with runtime.clients():
            yield runtime

    server = ConciergeServer(
        "concierge",
        title="Concierge",
        instructions=INSTRUCTIONS,
        version=version("concierge"),
        lifespan=lifespan,
        log_level=_level(runtime.settings.log_level),
    )
    for tool, title, marks in TOOLS:
        # The docstring is the description; without its source indentation.
        server.add_tool(tool, title=title, description=inspect.getdoc(tool), annotations=marks)
        # Published so clients refuse extra arguments too; call_tool enforces it.
        listed = server._tool_manager.get_tool(tool.__name__)
        assert listed is not None
        listed.parameters["additionalProperties"] = False
    # Concierge offers tools only; without their handlers the SDK stops advertising empty
    # prompts and resources, and a client asking for them is told the method does not exist.
    for method in UNOFFERED:
        server._lowlevel_server._request_handlers.pop(method, None)
    return server


LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
_LEVELS: dict[str, LogLevel] = {
    "DEBUG": "DEBUG",
    "INFO": "INFO",
    "WARNING": "WARNING",
    "ERROR": "ERROR",
    "CRITICAL": "CRITICAL",
}


def _level(name: str) -> LogLevel:
    return _LEVELS.get(name.upper(), "INFO")
