"""Restaurant tools: the Resy login, finding restaurants, open tables, booking, cancelling.

Each tool parses what the assistant passed, calls one dining service function as the calling
user (with that user's own Resy login), and answers with structured data and readable text.
"""

from __future__ import annotations

from typing import Annotated

from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from concierge.dining import booking
from concierge.dining.booking_schemas import (
    BookingConfirmation,
    Cancellation,
    LoginSaved,
    MyReservations,
)
from concierge.dining.schemas import AvailabilityResult, RestaurantSummary
from concierge.dining.service import DEFAULT_FLEXIBILITY, MAX_PARTY
from concierge.mcp.results import reply, tool_errors
from concierge.mcp.runtime import ToolContext, count_booking, identify
from concierge.mcp.watch_news import watch_news

RestaurantName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="The restaurant's name, with the neighbourhood or city when several share it",
    ),
]
DateWords = Annotated[
    str,
    Field(
        min_length=1,
        max_length=60,
        description='The date: "2026-02-14", "Feb 14", "Saturday", "next Friday", "tomorrow"',
    ),
]
PartySize = Annotated[int, Field(ge=1, le=MAX_PARTY, description="Number of diners")]


class Restaurants(BaseModel):
    items: list[RestaurantSummary]


def _facts(time_zone: str | None, place_id: str | None = None) -> str:
    """What the structured answer says that the readable one would not, for clients that
    show the model only the text."""
    zone = (
        f"Times are the restaurant's local time ({time_zone})."
        if time_zone
        else ("Times are the restaurant's local time.")
    )
    return f"{zone} place_id: {place_id}" if place_id else zone


@tool_errors
async def store_resy_credentials(
    email: Annotated[str, Field(min_length=3, max_length=320, description="Resy account email")],
    password: Annotated[
        str, Field(min_length=1, max_length=200, description="Resy account password")
    ],
    ctx: ToolContext,
) -> Annotated[CallToolResult, LoginSaved]:
    """Save the person's Resy account login so Concierge can book tables for them.

    Concierge logs in to Resy right away to check it works, then keeps the login encrypted,
    for this person only, sent nowhere but to Resy. The answer names the card on file that
    bookings will use. The password is never shown again. Call it when the person gives you
    their Resy email and password, or when another tool says the Resy login is missing or
    no longer works.
    """
    call = await identify(ctx)
    saved = await booking.save_login(call.runtime.resy_auth(call.user), email, password)
    return reply(saved, saved.text())


@tool_errors
async def search_restaurants(
    query: Annotated[
        str,
        Field(
            min_length=1,
            max_length=200,
            description='A name, a cuisine or a kind of place: "Carbone", "natural wine bar"',
        ),
    ],
    ctx: ToolContext,
    location: Annotated[
        str | None,
        Field(max_length=200, description='Where: "West Village", "Brooklyn", "Los Angeles"'),
    ] = None,
) -> Annotated[CallToolResult, Restaurants]:
    """Find restaurants by name, cuisine or kind, optionally near a place. Use it when the
    person has not settled on a restaurant, or to tell apart places with the same name; then
    check_availability on the one they choose."""
    text_query = (
        f"{query.strip()} in {location.strip()}" if location and location.strip() else query
    )
    call = await identify(ctx)
    found = await call.runtime.dining().search_restaurants(call.db, text_query, now=call.now)
    data = Restaurants(items=found)
    if not found:
        return reply(data, f"No restaurants found for {text_query!r}. Try other words.")
    lines = [f"Restaurants for {text_query!r}:"]
    lines += [
        f"{n}. {place.text()} [place_id {place.place_id}]" for n, place in enumerate(found, start=1)
    ]
    return reply(data, "\n".join(lines))


@tool_errors
async def check_availability(
    restaurant_name: RestaurantName,
    date: DateWords,
    ctx: ToolContext,
    party_size: PartySize = 2,
    preferred_time: Annotated[
        str | None,
        Field(
            max_length=20,
            description='Preferred time, e.g. "19:00" or "7pm"; tables nearest to it come first',
        ),
    ] = None,
    flexibility_minutes: Annotated[
        int,
        Field(ge=0, le=720, description="How far from preferred_time to look, in minutes"),
    ] = DEFAULT_FLEXIBILITY,
) -> Annotated[CallToolResult, AvailabilityResult]:
    """Check open tables at a restaurant on Resy for a date and party size.

    With a preferred time, lists the tables within `flexibility_minutes` of it, nearest first
    (or, when none is that close, the nearest open times). Show the person the options and let
    them choose before calling make_reservation. Dates are read in the person's own time zone;
    times are the restaurant's local time.

    Example: check_availability("Carbone", "Saturday", party_size=2, preferred_time="19:00")
    -> "Carbone - Saturday Feb 14:
          6:30 PM - Dining Room (Resy)
          7:15 PM - Dining Room (Resy)"
    """
    call = await identify(ctx)
    result = await call.runtime.dining().check_availability(
        call.db,
        tokens=call.runtime.resy_auth(call.user),
        restaurant=restaurant_name,
        date=date,
        party_size=party_size,
        preferred_time=preferred_time,
        flexibility_minutes=flexibility_minutes,
        now=call.now,
        timezone=call.user.timezone,
    )
    if result.restaurant.on_resy is False:
        where = f" ({result.restaurant.address})" if result.restaurant.address else ""
        return reply(
            result,
            f"{result.restaurant.name}{where} is not on Resy, so its tables cannot be checked "
            "or booked here. Book with the restaurant directly.",
        )
    text = result.text()
    if not result.slots and result.booking_url:
        text += f"\nSee every day on Resy: {result.booking_url}"
    return reply(result, f"{text}\n{_facts(result.time_zone, result.restaurant.place_id)}")


@tool_errors
async def make_reservation(
    restaurant_name: RestaurantName,
    date: DateWords,
    time: Annotated[str, Field(min_length=1, max_length=20, description='"19:00" or "7:00 PM"')],
    ctx: ToolContext,
    party_size: PartySize = 2,
    special_requests: Annotated[
        str | None,
        Field(
            max_length=500,
            description='Anything to tell the restaurant: "birthday", "quiet table", '
            '"high chair needed"',
        ),
    ] = None,
    allow_duplicate: Annotated[
        bool,
        Field(
            description="Book even though the person already has a table at this restaurant "
            "that day; only when they said they want both"
        ),
    ] = False,
) -> Annotated[CallToolResult, BookingConfirmation]:
    """Book a table at a restaurant: this makes a real reservation on the person's Resy
    account, paid with the card they keep there when the restaurant holds tables with one.

    IMPORTANT: only call this after the person has confirmed they want to book, having seen
    the exact restaurant, date, time and party size (usually from check_availability). If the
    table has gone, the answer lists the nearest open times: ask again before booking one. If
    Resy wants a captcha, the answer gives the resy.com page to finish the booking on.
    Calling it again after a lost answer is safe: the table already booked is the answer. A
    second table at the same restaurant on the same day is refused (the answer names the one
    they have) unless allow_duplicate is true.

    Example: make_reservation("Carbone", "Saturday", "19:00", party_size=2)
    -> "Booked! Carbone, Saturday Feb 14 at 7:00 PM, party of 2
        Confirmation: 700000123
        Resy will send a confirmation email to you@example.com"
    """
    call = await identify(ctx)
    await count_booking(call)
    confirmation = await booking.make_reservation(
        call.db,
        dining=call.runtime.dining(),
        auth=call.runtime.resy_auth(call.user),
        user=call.user,
        restaurant=restaurant_name,
        date_text=date,
        time_text=time,
        party_size=party_size,
        special_requests=special_requests,
        now=call.now,
        allow_duplicate=allow_duplicate,
    )
    return reply(confirmation, f"{confirmation.text()}\n{_facts(confirmation.time_zone)}")


@tool_errors
async def cancel_reservation(
    ctx: ToolContext,
    restaurant_name: Annotated[
        str | None,
        Field(max_length=200, description="Cancels your soonest upcoming table there"),
    ] = None,
    confirmation_id: Annotated[
        str | None,
        Field(max_length=500, description="The confirmation number of the booking"),
    ] = None,
) -> Annotated[CallToolResult, Cancellation]:
    """Cancel a restaurant reservation at Resy, by its confirmation number or by the
    restaurant's name (then the soonest upcoming one there). Works for tables booked in the
    Resy app too. Only after the person has said which one to cancel; a restaurant may keep a
    cancellation fee close to the date."""
    call = await identify(ctx)
    await count_booking(call)
    cancelled = await booking.cancel_reservation(
        call.db,
        auth=call.runtime.resy_auth(call.user),
        user=call.user,
        restaurant_name=restaurant_name,
        confirmation_id=confirmation_id,
        now=call.now,
    )
    return reply(cancelled, f"{cancelled.text()}\n{_facts(cancelled.time_zone)}")


@tool_errors
async def my_reservations(ctx: ToolContext) -> Annotated[CallToolResult, MyReservations]:
    """The person's upcoming restaurant reservations, soonest first, with dates, times, party
    sizes and confirmation numbers: those booked through Concierge and, when a Resy login is
    saved, those booked directly on Resy too. Tables a watch booked this week are named."""
    call = await identify(ctx)
    listed = await booking.my_reservations(
        call.db, auth=call.runtime.resy_auth(call.user), user=call.user, now=call.now
    )
    return reply(listed, listed.text() + await watch_news(call))
