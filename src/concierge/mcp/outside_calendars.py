"""Outside-calendar tools: connect a person's own calendars (an ICS feed's secret address, or a
CalDAV account), list them with how fresh they are, test and remove them. Their busy times then
count as taken time everywhere, so nobody books the person over a meeting kept elsewhere."""

from __future__ import annotations

import time
from typing import Annotated

from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from concierge.mcp.results import reply, tool_errors
from concierge.mcp.runtime import ToolContext, acting, identify
from concierge.outside import service
from concierge.outside.schemas import CalendarConnected, CalendarList, CalendarTest, Collection
from concierge.outside.views import view

CalendarId = Annotated[int, Field(ge=1, le=2**31 - 1, description="From my_calendars")]


class CalendarRemoved(BaseModel):
    id: int
    removed: bool


@tool_errors
async def connect_calendar(
    name: Annotated[str, Field(min_length=1, max_length=200, description="e.g. Work")],
    url: Annotated[
        str,
        Field(
            min_length=8,
            max_length=2000,
            description="An ICS feed's secret address (Google: 'Secret address in iCal "
            "format'; Outlook: a published ICS link), or a CalDAV server's address",
        ),
    ],
    ctx: ToolContext,
    username: Annotated[str | None, Field(max_length=200, description="CalDAV only")] = None,
    password: Annotated[
        str | None, Field(max_length=500, description="CalDAV only: an app password")
    ] = None,
    write_bookings_to: Annotated[
        str | None,
        Field(
            max_length=2000,
            description="CalDAV only: the calendar (its href from a first connect) that "
            "confirmed appointments are written into",
        ),
    ] = None,
) -> Annotated[CallToolResult, CalendarConnected]:
    """Connect one of your own calendars so that its busy times block your free slots.

    Ask the person for the address (and, for CalDAV such as iCloud, Fastmail or Nextcloud,
    their user name and an app password). The calendar is read once now; the address and
    password are stored encrypted and never shown again.
    """
    call = await identify(ctx)
    kind = "caldav" if username else "ics"
    asked = service.Connect(kind, name, url, username, password, None, write_bookings_to)
    async with call.db.unit_of_work() as session:
        # The network read comes first: this transaction starts with the connection's insert.
        done = await service.connect(session, call.user, asked, call.now, call.runtime.settings)
        shown = view(done.calendar, call.now, call.runtime.settings)
    found = [Collection(href=c.href, name=c.name) for c in done.available if c.events]
    data = CalendarConnected(**shown.model_dump(), available=found)
    busy = len(done.reading.busy or [])
    text = f"Connected '{name}' (calendar {shown.id}); {busy} busy time(s) ahead will block slots."
    if found:
        text += " Calendars on the account: " + ", ".join(f"{c.name} ({c.href})" for c in found)
    return reply(data, text)


@tool_errors
async def my_calendars(ctx: ToolContext) -> Annotated[CallToolResult, CalendarList]:
    """Your connected calendars, and whether their busy times are fresh."""
    async with acting(ctx, write=False) as call:
        rows = await service.listed(call.session, call.user.id)
        items = [view(row, call.now, call.settings) for row in rows]
    if not items:
        return reply(CalendarList(items=[]), "You have no connected calendars.")
    lines = [
        f"{c.id}. {c.name} ({c.kind}, {c.host}): "
        + ("fresh" if c.fresh else f"not fresh{f' - {c.error}' if c.error else ''}")
        for c in items
    ]
    return reply(CalendarList(items=items), "\n".join(lines))


@tool_errors
async def test_calendar(
    calendar_id: CalendarId, ctx: ToolContext
) -> Annotated[CallToolResult, CalendarTest]:
    """Read one of your connected calendars now and report whether it can be read."""
    call = await identify(ctx)
    started = time.perf_counter()
    got = await service.test(call.db, call.user.id, calendar_id, call.now, call.runtime.settings)
    data = CalendarTest(
        ok=got.error is None,
        error=got.error,
        requests=got.requests,
        events=got.events,
        busy_intervals=None if got.busy is None else len(got.busy),
        seconds=round(time.perf_counter() - started, 3),
    )
    if got.error:
        return reply(data, f"Calendar {calendar_id} could not be read: {got.error}.")
    return reply(data, f"Calendar {calendar_id} read: {got.events} event(s).")


@tool_errors
async def remove_calendar(
    calendar_id: CalendarId, ctx: ToolContext
) -> Annotated[CallToolResult, CalendarRemoved]:
    """Disconnect one of your calendars; its busy times stop blocking your slots at once."""
    async with acting(ctx, write=True) as call:
        await service.remove(call.session, call.user.id, calendar_id)
    return reply(CalendarRemoved(id=calendar_id, removed=True), f"Removed calendar {calendar_id}.")
