"""Preview before commitment (issue 17): make_reservation and cancel_reservation first answer
the exact terms with a confirmation token, and act only when called again with it. Seating,
the very table check_availability listed, and the choice of card. Through an MCP client
session, against the Resy and Google Places stand-ins over loopback, on SQLite and PostgreSQL.

The clock reads Monday 2026-11-23 12:00 UTC; Saturday is 2026-11-28.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from mcp import Client

from concierge.clock import FrozenClock
from concierge.dining.schemas import clock_text
from tests.fixtures.mcp import ok, text_of
from tests.fixtures.resy import NO_CARD_EMAIL, ResySandbox
from tests.mcp.booking_steps import book, booked, cancel, preview
from tests.mcp.test_restaurant_tools import call, login

pytestmark = pytest.mark.anyio

VISA, AMEX = 11223344, 11223345
NEW_YORK = ZoneInfo("America/New_York")


async def slots(client: Client, restaurant: str, at: str = "7pm") -> list[dict[str, Any]]:
    found = ok(
        await call(
            client,
            "check_availability",
            restaurant_name=restaurant,
            date="Saturday",
            preferred_time=at,
            flexibility_minutes=720,
        )
    )
    return list(found.structured_content["slots"])


def time_of(slot: dict[str, Any]) -> str:
    return str(slot["start"])[11:16]


async def test_the_preview_books_nothing_and_names_table_card_fee_and_deadline(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        at = time_of((await slots(client, "Lilia"))[0])  # Lilia keeps $25 for a late cancel
        asked = {"restaurant_name": "Lilia", "date": "Saturday", "time": at}
        shown = ok(await preview(client, "make_reservation", **asked, special_requests="birthday"))
        assert resy_sandbox.reservations() == []
        assert resy_sandbox.count("POST /3/book") == 0
        data, text = shown.structured_content, text_of(shown)
        terms = data["terms"]
        assert (data["booked"], data["confirmation"], data["status"]) == (False, None, "preview")
        assert (terms["card"], terms["card_id"]) == ("Visa ending in 1234", VISA)
        assert terms["cancellation_fee"] == 25.0
        starts = datetime.combine(date(2026, 11, 28), time.fromisoformat(at), NEW_YORK)
        deadline = datetime.fromisoformat(terms["cancellation_deadline"])
        assert deadline == starts - timedelta(days=1)  # Lilia's terms: a day before
        assert text.startswith("Not booked yet. Please confirm with the person:")
        assert "Card: Visa ending in 1234" in text
        assert (
            f"Cancellation fee: $25 if cancelled after Friday Nov 27 {clock_text(starts)}" in text
        )
        # The note is said not to reach the restaurant before booking, not after.
        assert terms["special_requests_sent"] is False
        assert 'Note "birthday": Resy\'s booking call takes no special requests' in text
        assert data["confirmation_token"] in text

        done = booked(
            await call(
                client,
                "make_reservation",
                **asked,
                special_requests="birthday",
                confirmation_token=data["confirmation_token"],
            )
        )
    [table] = resy_sandbox.reservations()
    assert table["card_id"] == VISA
    assert done.structured_content["confirmation"] == str(table["reservation_id"])
    assert text_of(done).startswith("Booked! Lilia, Saturday Nov 28 at ")


async def test_seating_books_the_kind_asked_for(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        open_ = await slots(client, "Don Angie")
        # A time where the dining room is open too, so the bar is not the only choice.
        bar = next(
            s
            for s in open_
            if s["table_type"] == "Bar"
            and any(o["table_type"] == "Dining Room" and o["start"] == s["start"] for o in open_)
        )
        asked = {"restaurant_name": "Don Angie", "date": "Saturday", "time": time_of(bar)}
        plain = ok(await preview(client, "make_reservation", **asked)).structured_content
        assert plain["terms"]["table_type"] == "Dining Room"
        done = booked(
            await book(
                client,
                restaurant_name="Don Angie",
                date="Saturday",
                time=time_of(bar),
                seating="the bar",
            )
        )
    assert done.structured_content["table_type"] == "Bar"
    [table] = resy_sandbox.reservations()
    assert (table["kind"], table["at"][:5]) == ("Bar", time_of(bar))


async def test_a_slot_token_from_check_availability_books_that_very_table(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        chosen = next(s for s in await slots(client, "Don Angie") if s["table_type"] == "Bar")
        booked(
            await book(
                client,
                restaurant_name="Don Angie",
                date="Saturday",
                time=time_of(chosen),
                slot_token=chosen["token"],
            )
        )
    [table] = resy_sandbox.reservations()
    assert (table["kind"], table["at"][:5]) == ("Bar", time_of(chosen))


async def test_a_seating_not_open_at_that_time_names_what_is(connect_dining, sign_up) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        at = time_of((await slots(client, "Don Angie"))[0])
        refused = await call(
            client,
            "make_reservation",
            restaurant_name="Don Angie",
            date="Saturday",
            time=at,
            seating="Patio",
        )
    assert refused.is_error
    assert "A Patio table at " in text_of(refused)
    assert "Nearest open tables for 2: " in text_of(refused)


async def test_a_card_is_chosen_per_booking_or_set_as_the_default(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        listed = ok(await call(client, "list_payment_methods"))
        cards = {c["label"]: c for c in listed.structured_content["items"]}
        assert set(cards) == {"Visa ending in 1234", "Amex ending in 1005"}
        assert cards["Visa ending in 1234"]["concierge_default"] is True
        assert cards["Amex ending in 1005"]["last_four"] == "1005"
        assert "Visa ending in 1234, expires 04/2029 (Concierge books with this one)" in text_of(
            listed
        )

        [first, second, *_] = await slots(client, "Lilia")
        shown = ok(
            await preview(
                client,
                "make_reservation",
                restaurant_name="Lilia",
                date="Saturday",
                time=time_of(first),
                card="the amex",
            )
        )
        assert "Card: Amex ending in 1005" in text_of(shown)
        booked(
            await book(
                client, restaurant_name="Lilia", date="Saturday", time=time_of(first), card="1005"
            )
        )

        chose = ok(await call(client, "set_default_card", card="Amex"))
        assert "Concierge will book with Amex ending in 1005" in text_of(chose)
        booked(
            await book(
                client,
                restaurant_name="Don Angie",
                date="Saturday",
                time=time_of(second),
            )
        )
        unknown = await call(client, "set_default_card", card="Discover")
    assert unknown.is_error
    assert "Your cards: Visa ending in 1234, Amex ending in 1005" in text_of(unknown)
    assert [r["card_id"] for r in resy_sandbox.reservations()] == [AMEX, AMEX]


async def test_terms_changed_since_the_preview_preview_again_and_book_nothing(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        at = time_of((await slots(client, "Lilia"))[0])
        asked = {"restaurant_name": "Lilia", "date": "Saturday", "time": at}
        old = ok(await preview(client, "make_reservation", **asked)).structured_content
        ok(await call(client, "set_default_card", card="Amex"))  # the card shown is no more
        again = ok(
            await call(
                client, "make_reservation", **asked, confirmation_token=old["confirmation_token"]
            )
        )
        fresh = again.structured_content
        assert (fresh["booked"], fresh["terms_changed"]) == (False, True)
        assert fresh["terms"]["card"] == "Amex ending in 1005"
        assert text_of(again).startswith("The terms changed since the preview")
        assert resy_sandbox.reservations() == []
        # Other arguments with a token are other terms too: another time is not confirmed.
        other = await call(
            client,
            "make_reservation",
            **{**asked, "party_size": 3},
            confirmation_token=fresh["confirmation_token"],
        )
        assert ok(other).structured_content["booked"] is False
        booked(
            await call(
                client, "make_reservation", **asked, confirmation_token=fresh["confirmation_token"]
            )
        )
    assert [r["card_id"] for r in resy_sandbox.reservations()] == [AMEX]


async def test_a_token_is_the_persons_own_and_lapses(
    connect_dining, sign_up, resy_sandbox: ResySandbox, clock: FrozenClock
) -> None:
    dana = await sign_up("Dana", "America/New_York")
    nico = await sign_up("Nico", "America/New_York")
    async with connect_dining(dana) as client:
        await login(client)
        at = time_of((await slots(client, "Don Angie"))[0])
        asked = {"restaurant_name": "Don Angie", "date": "Saturday", "time": at}
        token = ok(await preview(client, "make_reservation", **asked)).structured_content[
            "confirmation_token"
        ]
    async with connect_dining(nico) as client:
        await login(client, NO_CARD_EMAIL)
        stolen = ok(await call(client, "make_reservation", **asked, confirmation_token=token))
        assert stolen.structured_content["booked"] is False
    clock.advance(minutes=11)
    async with connect_dining(dana) as client:
        late = ok(await call(client, "make_reservation", **asked, confirmation_token=token))
        assert late.structured_content["terms_changed"] is True
        assert resy_sandbox.reservations() == []
        forged = ok(await call(client, "make_reservation", **asked, confirmation_token="1.ab"))
    assert forged.structured_content["booked"] is False
    assert resy_sandbox.count("POST /3/book") == 0


async def test_a_token_used_twice_books_one_table(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        at = time_of((await slots(client, "Don Angie"))[0])
        asked = {"restaurant_name": "Don Angie", "date": "Saturday", "time": at}
        token = ok(await preview(client, "make_reservation", **asked)).structured_content[
            "confirmation_token"
        ]
        first = booked(await call(client, "make_reservation", **asked, confirmation_token=token))
        second = ok(await call(client, "make_reservation", **asked, confirmation_token=token))
    assert second.structured_content["already_booked"] is True
    assert second.structured_content["confirmation"] == first.structured_content["confirmation"]
    assert resy_sandbox.count("POST /3/book") == 1
    assert len(resy_sandbox.reservations()) == 1


async def test_cancelling_previews_the_fee_then_cancels_with_the_token(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        at = time_of((await slots(client, "Lilia"))[0])
        booked(await book(client, restaurant_name="Lilia", date="Saturday", time=at))
        shown = ok(await preview(client, "cancel_reservation", restaurant_name="Lilia"))
        data = shown.structured_content
        assert (data["cancelled"], data["status"], data["cancellation_fee"]) == (
            False,
            "confirmed",
            25.0,
        )
        assert text_of(shown).startswith("Not cancelled yet. Please confirm with the person:")
        assert "cancellation fee of $25" in text_of(shown)
        assert [r["status"] for r in resy_sandbox.reservations()] == ["confirmed"]
        done = ok(await cancel(client, restaurant_name="Lilia"))
    assert (done.structured_content["cancelled"], done.structured_content["status"]) == (
        True,
        "cancelled",
    )
    assert [r["status"] for r in resy_sandbox.reservations()] == ["cancelled"]
