"""Appointment tools: free slots, common free time, and booking people's time.

Each tool parses what the assistant passed, calls one service function as the calling user,
and answers with structured data plus a readable text form.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from mcp.types import CallToolResult
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.accounts import service as accounts
from concierge.errors import InvalidRequest
from concierge.mcp import parsing, text
from concierge.mcp.results import reply, tool_errors
from concierge.mcp.runtime import ToolContext, acting, count_booking
from concierge.mcp.schemas import (
    Appointment,
    Appointments,
    CommonTime,
    DaySlots,
    DayWindows,
    FreeSlots,
    PersonRef,
    Window,
)
from concierge.models import Reservation, ReservationStatus, User
from concierge.outside import service as outside
from concierge.reservations import group
from concierge.reservations import service as reservations
from concierge.reservations.hosts import hosts_of
from concierge.scheduling import service as scheduling
from concierge.timezones import render, zone
from concierge.validation import LINES

Person = Annotated[
    str,
    Field(
        min_length=1,
        max_length=320,
        description="Who: their email address (surest), full name, or user id",
    ),
]
DateRange = Annotated[
    str,
    Field(
        min_length=1,
        max_length=60,
        description="Which days: 2026-12-01, Saturday, Dec 14, 2026-12-01 to 2026-12-05, "
        "today, tomorrow, this week, next week, this month, next month, next 7 days",
    ),
]
MAX_LISTED = 50
# Appointment numbers are 32-bit database keys; anything larger cannot name one.
MAX_ID = 2**31 - 1


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
    respect the other person's hours, their bookings, the breaks they keep around meetings,
    how many meetings they take a day or week, their minimum notice and how far ahead they
    take bookings, so every time listed can be booked.
    """
    async with acting(ctx, write=False) as call:
        host = await accounts.find_person(call.session, person)
        view = zone(call.user.timezone)
        first, last = parsing.date_range(date_range, call.now, view)
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
    lines = [f"{host.name} - free {text.length(duration)} slots (times in {view.key}):"]
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
        list[Annotated[str, Field(min_length=1, max_length=320)]],
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
        first, last = parsing.date_range(date_range, call.now, view)
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


# ------------------------------------------------------------------------------- bookings


async def _appointment(
    session: AsyncSession, me: User, row: Reservation, view: ZoneInfo, now: datetime
) -> Appointment:
    hosts = (await hosts_of(session, [row]))[row.id]
    people = {u.id: u for u in await accounts.get_users(session, _ids(row, hosts))}
    host = people[row.host_id]
    guest = people.get(row.guest_id) if row.guest_id is not None else None
    return Appointment(
        id=row.id,
        role="host" if me.id in hosts else "guest",
        co_hosts=[_ref(people[uid]) for uid in hosts[1:]],
        host=_ref(host),
        guest=_ref(guest) if guest else None,
        guest_name=row.guest_name,
        start=render(row.start_at, view),
        end=render(row.end_at, view),
        duration=row.duration_minutes,
        status=reservations.effective_status(row, now),
        note=row.note,
        cancel_reason=row.cancel_reason,
        hold_expires_at=render(row.hold_expires_at, view) if row.hold_expires_at else None,
    )


def _ids(row: Reservation, hosts: list[int]) -> list[int]:
    guest = row.guest_id
    return hosts + ([guest] if guest is not None and guest not in hosts else [])


def _line(item: Appointment, view: ZoneInfo) -> str:
    start = datetime.fromisoformat(item.start).astimezone(view)
    other = (
        item.host.name
        if item.role == "guest"
        else (item.guest.name if item.guest else item.guest_name or "a visitor")
    )
    if item.co_hosts:
        # A meeting: everyone in it, its booker last.
        *names, last = [p.name for p in (item.host, *item.co_hosts, item.guest) if p]
        other = f"{', '.join(names)} and {last}"
    line = (
        f"#{item.id}: {text.minutes(item.duration)} with {other}, {text.day(start.date())} at "
        f"{text.clock(start)} - {item.status}"
    )
    if item.status == "held" and item.hold_expires_at:
        until = datetime.fromisoformat(item.hold_expires_at).astimezone(view)
        line += f" until {text.clock(until)}; confirm_appointment({item.id}) to keep it"
    if item.note:
        line += f' (note: "{item.note}")'
    return line


@tool_errors
async def book_appointment(
    person: Person,
    start: Annotated[
        str,
        Field(
            min_length=1,
            max_length=40,
            description="When it starts, in your own time zone: 2026-12-01T10:30, 'Monday 9am', "
            "'tomorrow at 14:30'; or with an offset (2026-12-01T10:30:00-05:00); best a start "
            "found by find_free_slots",
        ),
    ],
    ctx: ToolContext,
    duration: Annotated[int, Field(ge=15, le=480, description="Minutes; a multiple of 15")] = 30,
    note: Annotated[
        str | None, Field(max_length=2000, description="What it is about, for them")
    ] = None,
    confirm: Annotated[
        bool,
        Field(description="Book it outright instead of holding it for 30 minutes"),
    ] = False,
) -> Annotated[CallToolResult, Appointment]:
    """Book time with someone: holds the slot for 30 minutes (then confirm_appointment), or
    books it outright with `confirm`. Take the start from find_free_slots, and book only after
    the person has agreed to who, when and how long. A time that is no longer free, outside
    their hours or too soon is refused with the reason.
    """
    async with acting(ctx, write=True) as call:
        await count_booking(call)
        host = await accounts.find_person(call.session, person)
        view = zone(call.user.timezone)
        row = await reservations.reserve(
            call.session,
            guest=call.user,
            host_id=host.id,
            start=parsing.instant(start, call.now, view),
            duration_minutes=duration,
            now=call.now,
            settings=call.settings,
            note=_plain(note, "note"),
            confirm=confirm,
        )
        data = await _appointment(call.session, call.user, row, view, call.now)
        caveat = _unchecked(call.session)
    verb = "Booked" if data.status == "confirmed" else "Held"
    return reply(data, f"{verb} {_line(data, view)}{caveat}")


def _unchecked(session: AsyncSession) -> str:
    """What to add to a booking's reply when an outside calendar could not be re-read."""
    unread = outside.unchecked(session)
    if not unread:
        return ""
    return (
        f" Note: {len(unread)} outside calendar(s) did not answer in time, so this was "
        "checked against their last known busy times only."
    )


@tool_errors
async def book_meeting(
    people: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=320)]],
        Field(
            min_length=1,
            max_length=20,
            description="Who meets you: as you passed them to find_common_time (emails, "
            "names or user ids); you are in the meeting anyway",
        ),
    ],
    start: Annotated[
        str,
        Field(
            min_length=1,
            max_length=40,
            description="When it starts, in your own time zone (2026-12-01T10:30, 'Monday "
            "9am') or with an offset; best the start of a window find_common_time found",
        ),
    ],
    ctx: ToolContext,
    duration: Annotated[
        int,
        Field(ge=15, le=480, description="Minutes; a multiple of 15, within that window"),
    ] = 30,
    note: Annotated[
        str | None, Field(max_length=2000, description="What it is about, for them")
    ] = None,
    confirm: Annotated[
        bool,
        Field(description="Book it outright instead of holding it for 30 minutes"),
    ] = False,
) -> Annotated[CallToolResult, Appointment]:
    """Book one meeting of you and several people at a time find_common_time found, in one
    call: all of them or none (if anyone is no longer free, nothing is booked and the reason
    names them). Use it after find_common_time, once everyone's time and the length are agreed;
    for one person book_appointment does the same. Holds for 30 minutes (then
    confirm_appointment), or books outright with `confirm`.
    """
    async with acting(ctx, write=True) as call:
        await count_booking(call)
        found = [await accounts.find_person(call.session, who) for who in people]
        hosts = [u for u in {u.id: u for u in found}.values() if u.id != call.user.id]
        if not hosts:
            raise InvalidRequest("Name at least one person besides you.", field="people")
        view = zone(call.user.timezone)
        when = parsing.instant(start, call.now, view)
        about = _plain(note, "note")
        if len(hosts) == 1:
            row = await reservations.reserve(
                call.session,
                guest=call.user,
                host_id=hosts[0].id,
                start=when,
                duration_minutes=duration,
                now=call.now,
                settings=call.settings,
                note=about,
                confirm=confirm,
            )
        else:
            row = await group.reserve_meeting(
                call.session,
                guest=call.user,
                host_ids=[h.id for h in hosts],
                start=when,
                duration_minutes=duration,
                now=call.now,
                settings=call.settings,
                note=about,
                confirm=confirm,
            )
        data = await _appointment(call.session, call.user, row, view, call.now)
        caveat = _unchecked(call.session)
    verb = "Booked" if data.status == "confirmed" else "Held"
    return reply(data, f"{verb} {_line(data, view)}{caveat}")


def _plain(given: str | None, field: str) -> str | None:
    """Words the person gave, trimmed (None when there are none), as the API takes them: line
    breaks, but no other control character."""
    if given is None or not given.strip():
        return None
    try:
        return LINES.check(given.strip())
    except ValueError as exc:
        raise InvalidRequest(f"{field} {exc}; give it as plain text.", field=field) from None


@tool_errors
async def confirm_appointment(
    id: Annotated[
        int, Field(ge=1, le=MAX_ID, description="The appointment's number, from book_appointment")
    ],
    ctx: ToolContext,
) -> Annotated[CallToolResult, Appointment]:
    """Confirm an appointment you are holding, before its hold lapses (30 minutes after
    booking). Confirming one that is already confirmed changes nothing."""
    async with acting(ctx, write=True) as call:
        row = await reservations.confirm(call.session, call.user, id, call.now)
        view = zone(call.user.timezone)
        data = await _appointment(call.session, call.user, row, view, call.now)
    return reply(data, f"Confirmed {_line(data, view)}")


@tool_errors
async def cancel_appointment(
    id: Annotated[int, Field(ge=1, le=MAX_ID, description="The appointment's number")],
    ctx: ToolContext,
    reason: Annotated[
        str | None,
        Field(max_length=500, description="Why, in the person's words: told to the other side"),
    ] = None,
) -> Annotated[CallToolResult, Appointment]:
    """Cancel an appointment you booked or one booked with you; the time is free again at once,
    and the others are told (with the reason, if the person gave one). Only after the person
    has said to cancel it."""
    async with acting(ctx, write=True) as call:
        await count_booking(call)
        row = await reservations.cancel(
            call.session, call.user, id, call.now, _plain(reason, "reason")
        )
        view = zone(call.user.timezone)
        data = await _appointment(call.session, call.user, row, view, call.now)
    return reply(data, f"Cancelled {_line(data, view)}")


@tool_errors
async def reschedule_appointment(
    id: Annotated[int, Field(ge=1, le=MAX_ID, description="The appointment's number")],
    start: Annotated[
        str,
        Field(
            min_length=1,
            max_length=40,
            description="The new start, in your own time zone: 2026-12-01T10:30, 'Monday 9am', "
            "'tomorrow at 14:30'; or with an offset; best a start found by find_free_slots",
        ),
    ],
    ctx: ToolContext,
    duration: Annotated[
        int | None,
        Field(
            ge=15,
            le=480,
            description="New length in minutes (a multiple of 15); default: unchanged",
        ),
    ] = None,
) -> Annotated[CallToolResult, Appointment]:
    """Move an appointment you booked, or one booked with you, to another free time: the same
    appointment at the new time, the old time given back at once. Every rule of a new booking
    holds (free, inside their hours, enough notice); a refused move leaves the appointment where
    it was. Only after the person has agreed to the new time."""
    async with acting(ctx, write=True) as call:
        await count_booking(call)
        view = zone(call.user.timezone)
        row = await reservations.reschedule(
            call.session,
            call.user,
            id,
            parsing.instant(start, call.now, view),
            call.now,
            call.settings,
            duration_minutes=duration,
        )
        data = await _appointment(call.session, call.user, row, view, call.now)
    return reply(data, f"Moved to {_line(data, view)}")


@tool_errors
async def my_appointments(ctx: ToolContext) -> Annotated[CallToolResult, Appointments]:
    """Your upcoming appointments, held or confirmed, both those you booked and those booked
    with you, soonest first, in your time zone."""
    async with acting(ctx, write=False) as call:
        view = zone(call.user.timezone)
        rows = await reservations.list_for(
            call.session,
            call.user,
            reservations.ListQuery(
                statuses=frozenset({ReservationStatus.HELD, ReservationStatus.CONFIRMED}),
                start_from=call.now,
            ),
            call.now,
            limit=MAX_LISTED,
        )
        items = [
            await _appointment(call.session, call.user, row, view, call.now)
            for row in rows[:MAX_LISTED]
        ]
    data = Appointments(timezone=view.key, items=items)
    if not items:
        return reply(data, "You have no upcoming appointments.")
    lines = [f"Your upcoming appointments (times in {view.key}):"]
    lines += [_line(item, view) for item in items]
    if len(rows) > MAX_LISTED:
        lines.append(f"(the first {MAX_LISTED}; more follow)")
    return reply(data, "\n".join(lines))
