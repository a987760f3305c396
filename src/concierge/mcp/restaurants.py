"""Restaurant tools: the Resy login, finding restaurants, open tables, booking, cancelling.

Each tool parses what the assistant passed, calls one dining service function as the calling
user (with that user's own Resy login), and answers with structured data and readable text.
"""

from __future__ import annotations

from typing import Annotated

from mcp.types import CallToolResult
from pydantic import Field

from concierge.dining import booking, details, lists, search, wallet
from concierge.dining.booking_schemas import (
    BookingConfirmation,
    Cancellation,
    LoginSaved,
    MyReservations,
)
from concierge.dining.details import VenueDetails
from concierge.dining.lists import Favorites, NotifyList
from concierge.dining.schemas import AvailabilityResult
from concierge.dining.search import SearchResult
from concierge.dining.service import DEFAULT_FLEXIBILITY, MAX_PARTY
from concierge.dining.wallet import SavedCards
from concierge.mcp import confirming
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
            description='A name, a cuisine or a kind of place: "Carbone", "italian", '
            '"natural wine bar"',
        ),
    ],
    ctx: ToolContext,
    location: Annotated[
        str | None,
        Field(max_length=200, description='Where: "West Village", "Brooklyn", "Los Angeles"'),
    ] = None,
    latitude: Annotated[float | None, Field(ge=-90, le=90, description="Search near")] = None,
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None,
    radius_m: Annotated[
        float | None,
        Field(gt=0, le=50_000, description="With latitude/longitude: only places this near"),
    ] = None,
    date: Annotated[
        str | None,
        Field(
            max_length=60,
            description='Also list open tables that day: "Saturday", "2026-02-14"',
        ),
    ] = None,
    party_size: PartySize = 2,
    min_price: Annotated[int | None, Field(ge=1, le=4, description="1 ($) to 4 ($$$$)")] = None,
    max_price: Annotated[int | None, Field(ge=1, le=4, description="1 ($) to 4 ($$$$)")] = None,
    min_rating: Annotated[float | None, Field(ge=1, le=5, description="Google rating")] = None,
    limit: Annotated[int, Field(ge=1, le=10, description="How many restaurants")] = 5,
) -> Annotated[CallToolResult, SearchResult]:
    """Find restaurants by name, cuisine or kind, in an area (location) or near a point
    (latitude/longitude, radius_m), optionally with price, rating, and the open tables on a
    date for a party size. Each result says its neighbourhood, cuisine, price level, rating,
    whether it is on Resy and its resy.com page. Use it when the person has not settled on a
    restaurant, or to tell apart places with the same name; then check_availability on the
    one they choose."""
    call = await identify(ctx)
    found = await search.search(
        call.db,
        call.runtime.dining(),
        tokens=call.runtime.resy_auth(call.user),
        query=query,
        location=location,
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
        date_text=date,
        party_size=party_size,
        min_price=min_price,
        max_price=max_price,
        min_rating=min_rating,
        limit=limit,
        now=call.now,
        timezone=call.user.timezone,
    )
    return reply(found, found.text())


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
    seating: Annotated[
        str | None,
        Field(
            max_length=60,
            description='The seating as check_availability names it: "Bar", "Dining Room", '
            '"Patio"; without it, the dining room when free',
        ),
    ] = None,
    slot_token: Annotated[
        str | None,
        Field(
            max_length=1000,
            description="The token of one table check_availability listed: books exactly it",
        ),
    ] = None,
    card: Annotated[
        str | None,
        Field(
            max_length=60,
            description='A saved card other than the default: "Amex", "1234" '
            "(list_payment_methods lists them)",
        ),
    ] = None,
    confirmation_token: Annotated[
        str | None,
        Field(
            max_length=100,
            description="The token the preview answered; only once the person said yes to it",
        ),
    ] = None,
) -> Annotated[CallToolResult, BookingConfirmation]:
    """Book a table at a restaurant on the person's Resy account. Two steps:

    1. Call it WITHOUT confirmation_token: nothing is booked. The answer is a preview of the
       exact terms: the table and its seating, the card by brand and last four, what is
       charged now, the cancellation fee and its deadline, whether special_requests reach
       the restaurant (Resy's booking call takes none), and a confirmation_token.
    2. Show the person those terms. Only after they say yes, call it again with the same
       arguments and confirmation_token: that books the table. If the terms changed
       meanwhile (or the token expired, after 10 minutes), nothing is booked and the answer
       is a new preview (terms_changed true): show it and ask again.
    Where the client has its own confirmation dialog, the preview is shown there instead and
    the person's yes books at once (their no books nothing).

    If the table has gone, the answer lists the nearest open times: ask again before booking
    one. If Resy wants a captcha, the answer gives the resy.com page to finish the booking on.
    Calling it again after a lost answer is safe: the table already booked is the answer. A
    second table at the same restaurant on the same day is refused (the answer names the one
    they have) unless allow_duplicate is true.

    Example: make_reservation("Carbone", "Saturday", "19:00", party_size=2, seating="Bar")
    -> "Not booked yet. ... To book, call make_reservation again with the same arguments and
        confirmation_token='mf1x2k.3a9c...'"
    make_reservation(..., confirmation_token="mf1x2k.3a9c...")
    -> "Booked! Carbone, Saturday Feb 14 at 7:00 PM, party of 2
        Confirmation: 700000123"
    """
    call = await identify(ctx)
    await count_booking(call)

    async def book(token: str | None) -> BookingConfirmation:
        return await booking.make_reservation(
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
            seating=seating,
            slot_token=slot_token,
            card=card,
            confirmation_token=token,
        )

    confirmation = await book(confirmation_token)
    if not confirmation.booked and confirmation_token is None and confirmation.confirmation_token:
        said = await confirming.ask(ctx, confirmation.text().split("\nTo book,")[0])
        if said is False:
            return reply(
                confirmation,
                f"The person declined in the dialog: nothing was booked.\n{confirmation.text()}",
            )
        if said is True:
            confirmation = await book(confirmation.confirmation_token)
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
    confirmation_token: Annotated[
        str | None,
        Field(
            max_length=100,
            description="The token the preview answered; only once the person said yes to it",
        ),
    ] = None,
) -> Annotated[CallToolResult, Cancellation]:
    """Cancel a restaurant reservation at Resy, by its confirmation number or by the
    restaurant's name (then the soonest upcoming one there). Works for tables booked in the
    Resy app too. Two steps:

    1. Call it WITHOUT confirmation_token: nothing is cancelled. The answer names the table
       and the cancellation fee Resy lists for it, with a confirmation_token.
    2. Show the person; only after they say yes, call it again with the same arguments and
       confirmation_token: that cancels it. If the table or its fee changed meanwhile (or the
       token expired), nothing is cancelled and the answer is a new preview."""
    call = await identify(ctx)
    await count_booking(call)
    cancelled = await booking.cancel_reservation(
        call.db,
        auth=call.runtime.resy_auth(call.user),
        user=call.user,
        restaurant_name=restaurant_name,
        confirmation_id=confirmation_id,
        now=call.now,
        confirmation_token=confirmation_token,
    )
    if not cancelled.cancelled and confirmation_token is None and cancelled.confirmation_token:
        said = await confirming.ask(ctx, cancelled.text().split(" To cancel,")[0])
        if said is False:
            return reply(
                cancelled,
                f"The person declined in the dialog: nothing was cancelled.\n{cancelled.text()}",
            )
        if said is True:
            cancelled = await booking.cancel_reservation(
                call.db,
                auth=call.runtime.resy_auth(call.user),
                user=call.user,
                restaurant_name=restaurant_name,
                confirmation_id=confirmation_id,
                now=call.now,
                confirmation_token=cancelled.confirmation_token,
            )
    return reply(cancelled, f"{cancelled.text()}\n{_facts(cancelled.time_zone)}")


@tool_errors
async def my_reservations(
    ctx: ToolContext,
    include_past: Annotated[bool, Field(description="Also the tables already past")] = False,
    include_cancelled: Annotated[bool, Field(description="Also the cancelled ones")] = False,
) -> Annotated[CallToolResult, MyReservations]:
    """The person's restaurant reservations, soonest first, with dates, times, party sizes,
    confirmation numbers and the cancellation fee Resy lists for each: those booked through
    Concierge and, when a Resy login is saved, those booked directly on Resy too. Upcoming
    ones only, unless include_past or include_cancelled. Tables a watch booked this week are
    named."""
    call = await identify(ctx)
    listed = await booking.my_reservations(
        call.db,
        auth=call.runtime.resy_auth(call.user),
        user=call.user,
        now=call.now,
        include_past=include_past,
        include_cancelled=include_cancelled,
    )
    return reply(listed, listed.text() + await watch_news(call))


@tool_errors
async def list_payment_methods(ctx: ToolContext) -> Annotated[CallToolResult, SavedCards]:
    """The cards saved on the person's Resy account (brand, last four, expiry), and which one
    Concierge books with by default. Cards are added on resy.com, not here."""
    call = await identify(ctx)
    listed = await wallet.list_cards(call.runtime.resy_auth(call.user))
    return reply(listed, listed.text())


@tool_errors
async def set_default_card(
    card: Annotated[
        str,
        Field(
            min_length=1,
            max_length=60,
            description='The card by brand or last four digits: "Amex", "1234", "Visa 1234"',
        ),
    ],
    ctx: ToolContext,
) -> Annotated[CallToolResult, SavedCards]:
    """Choose which saved Resy card Concierge books with from now on (a booking may still
    name another with make_reservation's card). Only when the person asked for it."""
    call = await identify(ctx)
    listed = await wallet.set_default_card(call.runtime.resy_auth(call.user), card)
    return reply(listed, listed.text())


@tool_errors
async def restaurant_details(
    restaurant_name: RestaurantName, ctx: ToolContext
) -> Annotated[CallToolResult, VenueDetails]:
    """One restaurant's details: address, neighbourhood, cuisine, price range, phone,
    website, its resy.com page, the party sizes Resy takes, and whether booking there needs a
    captcha (then it finishes on resy.com)."""
    call = await identify(ctx)
    found = await details.venue_details(
        call.db,
        call.runtime.dining(),
        tokens=call.runtime.resy_auth(call.user),
        restaurant=restaurant_name,
        now=call.now,
    )
    return reply(found, found.text())


@tool_errors
async def list_favorites(ctx: ToolContext) -> Annotated[CallToolResult, Favorites]:
    """The restaurants the person keeps as favorites on Resy (its "hit list")."""
    call = await identify(ctx)
    found = await lists.favorites(call.runtime.resy_auth(call.user))
    return reply(found, found.text())


@tool_errors
async def add_favorite(
    restaurant_name: RestaurantName, ctx: ToolContext
) -> Annotated[CallToolResult, Favorites]:
    """Add a restaurant to the person's Resy favorites."""
    return await _favorite(ctx, restaurant_name, favorite=True)


@tool_errors
async def remove_favorite(
    restaurant_name: RestaurantName, ctx: ToolContext
) -> Annotated[CallToolResult, Favorites]:
    """Remove a restaurant from the person's Resy favorites."""
    return await _favorite(ctx, restaurant_name, favorite=False)


async def _favorite(ctx: ToolContext, restaurant: str, *, favorite: bool) -> CallToolResult:
    call = await identify(ctx)
    found = await lists.set_favorite(
        call.db,
        dining=call.runtime.dining(),
        auth=call.runtime.resy_auth(call.user),
        restaurant=restaurant,
        favorite=favorite,
        now=call.now,
    )
    return reply(found, found.text())


@tool_errors
async def list_priority_notify(ctx: ToolContext) -> Annotated[CallToolResult, NotifyList]:
    """The person's Resy Priority Notify requests: Resy tells them when a table opens at a
    restaurant on a day, for a party size, within a time window. Nothing is booked by them."""
    call = await identify(ctx)
    found = await lists.notify_list(call.runtime.resy_auth(call.user))
    return reply(found, found.text())


@tool_errors
async def add_priority_notify(
    restaurant_name: RestaurantName,
    date: DateWords,
    ctx: ToolContext,
    party_size: PartySize = 2,
    earliest: Annotated[
        str | None, Field(max_length=20, description='Start of the window, e.g. "18:00"')
    ] = None,
    latest: Annotated[
        str | None, Field(max_length=20, description='End of the window, e.g. "21:00"')
    ] = None,
) -> Annotated[CallToolResult, NotifyList]:
    """Ask Resy to tell the person when a table opens at a restaurant on a date for a party
    size, between earliest and latest (6 to 9 pm unless said). Resy notifies them; nothing is
    booked. Use it when check_availability finds no table they want."""
    call = await identify(ctx)
    found = await lists.add_notify(
        call.db,
        dining=call.runtime.dining(),
        auth=call.runtime.resy_auth(call.user),
        user=call.user,
        restaurant=restaurant_name,
        date_text=date,
        party_size=party_size,
        earliest=earliest,
        latest=latest,
        now=call.now,
    )
    return reply(found, found.text())


@tool_errors
async def remove_priority_notify(
    notify_id: Annotated[
        int, Field(ge=1, le=2**53, description="The notify id list_priority_notify shows")
    ],
    ctx: ToolContext,
) -> Annotated[CallToolResult, NotifyList]:
    """Withdraw one of the person's Priority Notify requests."""
    call = await identify(ctx)
    found = await lists.remove_notify(call.runtime.resy_auth(call.user), notify_id)
    return reply(found, found.text())
