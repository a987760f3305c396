"""Venue details, favorites, Priority Notify and the full reservation history (issue 17),
through an MCP client session against the Resy and Google Places stand-ins over loopback, on
SQLite and PostgreSQL. The clock reads Monday 2026-11-23 12:00 UTC; Saturday is 2026-11-28.
"""

from __future__ import annotations

import pytest

from concierge.clock import FrozenClock
from tests.fixtures.mcp import ok, text_of
from tests.fixtures.resy import ResySandbox
from tests.mcp.booking_steps import book, booked, cancel
from tests.mcp.test_restaurant_tools import call, first_table, login

pytestmark = pytest.mark.anyio


async def test_venue_details_say_what_resy_and_google_know(connect_dining, sign_up) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        angie = ok(await call(client, "restaurant_details", restaurant_name="Don Angie"))
        carbone = ok(await call(client, "restaurant_details", restaurant_name="Carbone"))
        katz = ok(await call(client, "restaurant_details", restaurant_name="Katz's"))
    data = angie.structured_content
    assert (data["on_resy"], data["cuisine"], data["neighborhood"]) == (
        True,
        "Italian",
        "West Village",
    )
    assert data["resy_url"] == "https://resy.com/cities/ny/don-angie"
    assert (data["min_party_size"], data["max_party_size"], data["price_range"]) == (1, 6, 3)
    assert text_of(angie).startswith("Don Angie - 103 Greenwich Ave")
    assert "Italian · West Village · $$$" in text_of(angie)
    assert carbone.structured_content["captcha_to_book"] is True
    assert "bookings are finished on resy.com" in text_of(carbone)
    assert katz.structured_content["on_resy"] is False
    assert "Not on Resy: book with the restaurant directly." in text_of(katz)


async def test_favorites_are_listed_added_and_removed(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        empty = ok(await call(client, "list_favorites"))
        ok(await call(client, "add_favorite", restaurant_name="Don Angie"))
        both = ok(await call(client, "add_favorite", restaurant_name="Lilia"))
        again = ok(await call(client, "add_favorite", restaurant_name="Lilia"))
        left = ok(await call(client, "remove_favorite", restaurant_name="Don Angie"))
        gone = await call(client, "remove_favorite", restaurant_name="Don Angie")
        not_resy = await call(client, "add_favorite", restaurant_name="Katz's")
    assert empty.structured_content["items"] == []
    assert text_of(empty) == "You have no favorite restaurants on Resy."
    assert [f["name"] for f in both.structured_content["items"]] == ["Don Angie", "Lilia"]
    assert "- Lilia (Italian · Williamsburg, Brooklyn · $$$)" in text_of(both)
    assert [f["name"] for f in again.structured_content["items"]] == ["Don Angie", "Lilia"]
    assert [f["name"] for f in left.structured_content["items"]] == ["Lilia"]
    assert text_of(left).startswith("Removed Don Angie from favorites.")
    assert gone.is_error
    assert "Don Angie is not among your favorites; nothing was changed." in text_of(gone)
    assert not_resy.is_error
    assert "is not on Resy" in text_of(not_resy)
    # Resy keeps the list: the Resy app shows the same one.
    account = resy_sandbox.world.account_by_email("demo@resy.test")
    assert account is not None
    assert resy_sandbox.world.favorites[account.id] == [418]


async def test_priority_notify_with_a_window_and_party_size(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        asked = {
            "restaurant_name": "Don Angie",
            "date": "Saturday",
            "party_size": 4,
            "earliest": "7pm",
            "latest": "21:30",
        }
        added = ok(await call(client, "add_priority_notify", **asked))
        twice = ok(await call(client, "add_priority_notify", **asked))
        listed = ok(await call(client, "list_priority_notify"))
        backwards = await call(
            client, "add_priority_notify", **{**asked, "earliest": "22:00", "latest": "20:00"}
        )
        [item] = listed.structured_content["items"]
        removed = ok(await call(client, "remove_priority_notify", notify_id=item["notify_id"]))
        unknown = await call(client, "remove_priority_notify", notify_id=item["notify_id"])
    assert text_of(added).startswith(
        "Resy will tell you when a table for 4 opens at Don Angie on Saturday Nov 28 between "
        "7:00 PM and 9:30 PM. Nothing is booked by it."
    )
    assert len(twice.structured_content["items"]) == 1
    assert (item["restaurant"], item["day"], item["party_size"]) == ("Don Angie", "2026-11-28", 4)
    assert (item["start"], item["end"]) == ("19:00:00", "21:30:00")
    assert "Don Angie, Saturday Nov 28 between 7:00 PM and 9:30 PM, party of 4 (notify id " in (
        text_of(listed)
    )
    assert backwards.is_error
    assert "The window must end after it starts" in text_of(backwards)
    assert removed.structured_content["items"] == []
    assert unknown.is_error
    assert "list_priority_notify shows the ones you have" in text_of(unknown)
    assert resy_sandbox.world.notify == []


async def test_lists_without_a_resy_login_say_how(connect_dining, sign_up) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        answers = [
            await call(client, "list_favorites"),
            await call(client, "list_priority_notify"),
            await call(client, "list_payment_methods"),
        ]
    for answer in answers:
        assert answer.is_error
        assert "store_resy_credentials(email, password)" in text_of(answer)


async def test_my_reservations_shows_past_and_cancelled_ones_with_their_terms(
    connect_dining, sign_up, clock: FrozenClock
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        lilia = await first_table(client, "Lilia")
        angie = await first_table(client, "Don Angie")
        booked(await book(client, restaurant_name="Lilia", date="Saturday", time=lilia))
        booked(await book(client, restaurant_name="Don Angie", date="Saturday", time=angie))
        ok(await cancel(client, restaurant_name="Don Angie"))

        upcoming = ok(await call(client, "my_reservations"))
        everything = ok(await call(client, "my_reservations", include_cancelled=True))
        clock.advance(days=7)  # Saturday is behind us now
        after = ok(await call(client, "my_reservations"))
        history = ok(
            await call(client, "my_reservations", include_past=True, include_cancelled=True)
        )
    [table] = upcoming.structured_content["items"]
    assert (table["restaurant"], table["cancellation_fee"]) == ("Lilia", 25.0)
    assert table["cancellation_allowed"] is True
    assert "- cancellation fee $25" in text_of(upcoming)
    statuses = {i["restaurant"]: i["status"] for i in everything.structured_content["items"]}
    assert statuses == {"Lilia": "confirmed", "Don Angie": "cancelled"}
    assert "Don Angie, Saturday Nov 28" in text_of(everything)
    assert "[cancelled]" in text_of(everything)
    assert after.structured_content["items"] == []
    past = {i["restaurant"]: i for i in history.structured_content["items"]}
    assert set(past) == {"Lilia", "Don Angie"}
    assert past["Lilia"]["past"] is True
    assert "Lilia, Saturday Nov 28" in text_of(history)
    assert "[past]" in text_of(history)
