"""Watch tools: book a table the moment one opens, see the watches, stop one."""

from __future__ import annotations

from typing import Annotated

from mcp.types import CallToolResult
from pydantic import Field

from concierge.dining import watches
from concierge.dining.watch_schemas import Watches, WatchView
from concierge.mcp.restaurants import DateWords, PartySize, RestaurantName
from concierge.mcp.results import reply, tool_errors
from concierge.mcp.runtime import ToolContext, count_booking, identify

TimeWords = Annotated[
    str, Field(min_length=1, max_length=20, description='A local time: "7pm", "19:00"')
]
WatchNumber = Annotated[int, Field(ge=1, le=2**31 - 1, description="The watch's id")]


@tool_errors
async def watch_for_table(
    restaurant_name: RestaurantName,
    date: DateWords,
    earliest: TimeWords,
    ctx: ToolContext,
    latest: Annotated[
        str | None,
        Field(
            max_length=20, description='The latest time they would take ("9pm"); default: earliest'
        ),
    ] = None,
    party_size: PartySize = 2,
    seating: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]] | None,
        Field(
            max_length=10,
            description="Kinds of table they accept, as check_availability names them "
            '(["Bar", "Dining Room"]); omit for any',
        ),
    ] = None,
    special_requests: Annotated[str | None, Field(max_length=500)] = None,
    release_time: Annotated[
        str | None,
        Field(
            max_length=20,
            description='When the restaurant opens new days, if the person knows ("9am")',
        ),
    ] = None,
) -> Annotated[CallToolResult, WatchView]:
    """Book the first table that opens at a restaurant on a day, within a time window: the
    moment the day's tables are released, or when someone cancels. Use it when
    check_availability shows nothing that suits, or the day is not bookable yet.

    IMPORTANT: this books a real table on the person's Resy account, later, without asking
    again: only call it once they have agreed to the restaurant, date, window, party size and
    seating. At most one table is booked per watch; a table they already hold there that day
    stops the watch. The answer says when the tables are released. list_watches shows each
    watch's state and log; cancel_watch stops one; my_reservations shows a table a watch booked.

    Example: watch_for_table("Don Angie", "Saturday", "7pm", latest="9pm", party_size=2,
    seating=["Bar", "Dining Room"])
    """
    call = await identify(ctx)
    await count_booking(call)
    watch = await watches.create_watch(
        call.db,
        dining=call.runtime.dining(),
        auth=call.runtime.resy_auth(call.user),
        user=call.user,
        settings=call.runtime.settings,
        restaurant=restaurant_name,
        date_text=date,
        earliest_text=earliest,
        latest_text=latest,
        party_size=party_size,
        seating=seating or [],
        special_requests=special_requests,
        release_time_text=release_time,
        now=call.now,
    )
    return reply(watch, f"{watch.text()}\nTimes are the restaurant's local time.")


@tool_errors
async def list_watches(
    ctx: ToolContext,
    watch_id: Annotated[
        int | None, Field(ge=1, le=2**31 - 1, description="One watch, with its whole log")
    ] = None,
) -> Annotated[CallToolResult, Watches]:
    """The person's table watches, newest first, each with its state (watching, booked,
    cancelled, ended, failed); with watch_id, that one with its log."""
    call = await identify(ctx)
    if watch_id is not None:
        one = await watches.get_watch(call.db, user=call.user, watch_id=watch_id)
        return reply(Watches(items=[one]), one.text())
    found = await watches.list_watches(call.db, user=call.user, now=call.now)
    return reply(found, found.text())


@tool_errors
async def cancel_watch(
    watch_id: WatchNumber, ctx: ToolContext
) -> Annotated[CallToolResult, WatchView]:
    """Stop a table watch: nothing more will be booked for it. A watch that already booked
    keeps its table; cancel_reservation gives the table up."""
    call = await identify(ctx)
    stopped = await watches.cancel_watch(call.db, user=call.user, watch_id=watch_id, now=call.now)
    return reply(stopped, stopped.text())
