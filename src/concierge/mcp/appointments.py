"""Appointment tools: free slots, common free time, and booking people's time.

Each tool parses what the assistant passed, calls one service function as the calling user,
and answers with structured data plus a readable text form.
"""

from __future__ import annotations

from typing import Annotated

from mcp.types import CallToolResult
from pydantic import Field

from concierge.accounts import service as accounts
from concierge.mcp import parsing, text
from concierge.mcp.results import reply, tool_errors
from concierge.mcp.runtime import ToolContext, acting
from concierge.mcp.schemas import (
    CommonTime,
    DaySlots,
    DayWindows,
    FreeSlots,
    PersonRef,
    Window,
)
from concierge.models import User
from concierge.scheduling import service as scheduling
from concierge.timezones import render, zone

Person = Annotated[
    str, Field(description="Who: their email address (surest), full name, or user id")
]
DateRange = Annotated[
    str,
    Field(
        description="Which days: 2026-12-01, 2026-12-01 to 2026-12-05, today, tomorrow, "
        "this week, next week, next 7 days"
    ),
]


def _ref(user: User) -> PersonRef:
    return PersonRef(id=user.id, name=user.name, timezone=user.timezone)


@tool_errors
async def find_free_slots(
    person: Person,
    date_range: DateRange,
    ctx: ToolContext,
    duration: Annotated[int, Field(ge=15, le=480, description="Minutes; a multiple of 15")] = 30,
) -> Annotated[CallToolResult, FreeSlots]:
    """Find when someone can be booked: the start of every free slot of `duration` minutes in
    their calendar over the days asked (at most 62 days), in your own time zone.

    Use it before book_appointment, and offer the person a few of the times found. Slots
    respect the other person's hours, their bookings, their minimum notice and how far ahead
    they take bookings, so every time listed can be booked.
    """
    async with acting(ctx, write=False) as call:
        host = await accounts.find_person(call.session, person)
        view = zone(call.user.timezone)
        first, last = parsing.date_range(date_range, call.now.astimezone(view).date())
        scheduling.check_range(first, last, call.settings)
        days = await scheduling.free_slots(
            call.session, host, first, last, view, duration, call.now, call.settings
        )
    data = FreeSlots(
        person=_ref(host),
        timezone=view.key,
        duration=duration,
        days=[
            DaySlots(date=d.isoformat(), starts=[render(s, view) for s in starts])
            for d, starts in days.items()
        ],
    )
    lines = [f"{host.name} - free {text.minutes(duration)} slots (times in {view.key}):"]
    for d, starts in days.items():
        if starts:
            times = ", ".join(text.clock(s.astimezone(view)) for s in starts)
            lines.append(f"{text.day(d)}: {times}")
    if len(lines) == 1:
        lines.append(f"No free slot from {first} to {last}. Try other days or a shorter one.")
    return reply(data, "\n".join(lines))


@tool_errors
async def find_common_time(
    people: Annotated[
        list[str],
        Field(min_length=1, max_length=19, description="Emails (surest), names or user ids"),
    ],
    date_range: DateRange,
    ctx: ToolContext,
    min_duration: Annotated[
        int, Field(ge=15, le=1440, description="Shortest useful stretch, in minutes")
    ] = 30,
    include_me: Annotated[bool, Field(description="Count your own calendar too")] = True,
) -> Annotated[CallToolResult, CommonTime]:
    """Find when several people are all free at once (for a meeting), over the days asked, in
    your own time zone: every stretch of at least `min_duration` minutes in which each of them
    is available and not booked. You are included unless `include_me` is false.
    """
    async with acting(ctx, write=False) as call:
        users = [await accounts.find_person(call.session, who) for who in people]
        if include_me:
            users.insert(0, call.user)
        unique = list({u.id: u for u in users}.values())
        view = zone(call.user.timezone)
        first, last = parsing.date_range(date_range, call.now.astimezone(view).date())
        scheduling.check_range(first, last, call.settings)
        days = await scheduling.common_free_time(
            call.session,
            [u.id for u in unique],
            first,
            last,
            view,
            min_duration,
            call.now,
            call.settings,
        )
    data = CommonTime(
        people=[_ref(u) for u in unique],
        timezone=view.key,
        min_duration=min_duration,
        days=[
            DayWindows(
                date=d.isoformat(),
                windows=[Window(start=render(s, view), end=render(e, view)) for s, e in ivs],
            )
            for d, ivs in days.items()
        ],
    )
    names = ", ".join(u.name for u in unique)
    lines = [f"When {names} are all free (times in {view.key}):"]
    for d, ivs in days.items():
        if ivs:
            spans = ", ".join(
                f"{text.clock(s.astimezone(view))}-{text.clock(e.astimezone(view))}" for s, e in ivs
            )
            lines.append(f"{text.day(d)}: {spans}")
    if len(lines) == 1:
        lines.append(f"No common free time from {first} to {last}.")
    return reply(data, "\n".join(lines))
