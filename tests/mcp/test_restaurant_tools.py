"""Restaurant tools through an MCP client session (in memory), against the Resy and Google
Places stand-ins over loopback HTTP, on SQLite and PostgreSQL (stories 5.1, 5.5 to 5.8).

The clock (ours and the stand-ins') reads Monday 2026-11-23 12:00 UTC, 7 am in New York.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from sqlalchemy import select

from concierge.db import Database
from concierge.models import DiningReservation, DiningVisit
from tests.fixtures.mcp import ok, text_of
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, NO_CARD_EMAIL, ResySandbox
from tests.mcp.booking_steps import book, cancel, preview

pytestmark = pytest.mark.anyio

SATURDAY = "2026-11-28"


async def call(client: Client, tool: str, **arguments: Any) -> Any:
    return await client.call_tool(tool, arguments)


async def login(client: Client, email: str = DEMO_EMAIL) -> None:
    ok(await call(client, "store_resy_credentials", email=email, password=DEMO_PASSWORD))


async def first_table(client: Client, restaurant: str, at: str = "7pm") -> str:
    """The time of the open table nearest ``at`` on Saturday, as check_availability shows it."""
    found = ok(
        await call(
            client,
            "check_availability",
            restaurant_name=restaurant,
            date="Saturday",
            preferred_time=at,
        )
    )
    slots = found.structured_content["slots"]
    assert slots, text_of(found)
    return str(slots[0]["start"])[11:16]


async def test_saving_the_resy_login_checks_it_and_names_the_card(
    connect_dining, sign_up, dining_settings
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        wrong = await call(
            client, "store_resy_credentials", email=DEMO_EMAIL, password="not-my-password"
        )
        assert wrong.is_error
        assert "rejected that email or password" in text_of(wrong)
        saved = ok(
            await call(client, "store_resy_credentials", email=DEMO_EMAIL, password=DEMO_PASSWORD)
        )
    assert text_of(saved) == "Credentials saved and verified. Payment method: Visa ending in 1234"
    assert DEMO_PASSWORD not in str(saved.model_dump())
    [stored] = (dining_settings.data_dir / "credentials" / str(me.id)).glob("*.enc")
    assert DEMO_PASSWORD.encode() not in stored.read_bytes()


async def test_check_make_list_cancel_end_to_end(
    connect_dining, sign_up, resy_sandbox: ResySandbox, db: Database
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        at = await first_table(client, "Don Angie")

        booked = ok(
            await book(
                client,
                restaurant_name="Don Angie",
                date="Saturday",
                time=at,
                party_size=2,
                special_requests="birthday",
            )
        )
        confirmation = booked.structured_content
        assert confirmation["restaurant"] == "Don Angie"
        assert (confirmation["day"], confirmation["time"][:5]) == (SATURDAY, at)
        text = text_of(booked)
        assert text.startswith("Booked! Don Angie, Saturday Nov 28 at ")
        assert f"Confirmation: {confirmation['confirmation']}" in text
        assert f"Resy will send a confirmation email to {DEMO_EMAIL}" in text
        [at_resy] = resy_sandbox.reservations()
        assert (at_resy["status"], str(at_resy["reservation_id"])) == (
            "confirmed",
            confirmation["confirmation"],
        )

        listed = ok(await call(client, "my_reservations"))
        assert listed.structured_content["checked_resy"] is True
        [item] = listed.structured_content["items"]
        assert (item["confirmation"], item["booked_through"]) == (
            confirmation["confirmation"],
            "concierge",
        )
        assert item["special_requests"] == "birthday"

        cancelled = ok(await cancel(client, restaurant_name="don angie"))
        assert cancelled.structured_content["status"] == "cancelled"
        assert text_of(cancelled).startswith("Cancelled: Don Angie, Saturday Nov 28")
        assert [r["status"] for r in resy_sandbox.reservations()] == ["cancelled"]
        assert ok(await call(client, "my_reservations")).structured_content["items"] == []

    async with db.unit_of_work(write=False) as session:
        [row] = (await session.scalars(select(DiningReservation))).all()
        visits = (await session.scalars(select(DiningVisit))).all()
    assert (row.status, row.user_id, row.special_requests) == ("cancelled", me.id, "birthday")
    assert visits == []


async def test_a_booking_keeps_its_visit_and_cancels_by_confirmation_number(
    connect_dining, sign_up, resy_sandbox: ResySandbox, db: Database
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        at = await first_table(client, "Thai Diner", "12:00")
        booked = ok(
            await book(
                client,
                restaurant_name="Thai Diner",
                date=SATURDAY,
                time=at,
                party_size=4,
            )
        )
        async with db.unit_of_work(write=False) as session:
            [visit] = (await session.scalars(select(DiningVisit))).all()
        assert (visit.restaurant_name, visit.party_size, str(visit.day)) == (
            "Thai Diner",
            4,
            SATURDAY,
        )
        number = booked.structured_content["confirmation"]
        ok(await cancel(client, confirmation_id=number))
    assert [r["status"] for r in resy_sandbox.reservations()] == ["cancelled"]


async def test_a_table_booked_in_the_resy_app_shows_up_and_can_be_cancelled(
    connect_dining, sign_up, resy_sandbox: ResySandbox, dining_http, dining_settings
) -> None:
    from datetime import date

    from concierge.integrations.resy.client import ResyClient

    resy = ResyClient(dining_http, dining_settings)
    await resy.login(DEMO_EMAIL, DEMO_PASSWORD)
    availability = await resy.find(443, date(2026, 11, 28), 2)  # I Sodi
    details = await resy.details(availability.slots[0], 2)
    elsewhere = await resy.book(details)

    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        [item] = ok(await call(client, "my_reservations")).structured_content["items"]
        assert (item["restaurant"], item["booked_through"]) == ("I Sodi", "resy")
        assert item["confirmation"] == str(elsewhere.reservation_id)
        ok(await cancel(client, confirmation_id=item["confirmation"]))
    assert [r["status"] for r in resy_sandbox.reservations()] == ["cancelled"]


async def test_search_restaurants_lists_places_with_their_addresses(
    connect_dining, sign_up
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        found = ok(await call(client, "search_restaurants", query="Carbone", location="New York"))
    names = [(p["name"], p["address"]) for p in found.structured_content["items"]]
    assert names[0] == ("Carbone", "181 Thompson St, New York, NY 10012, USA")
    assert text_of(found).splitlines()[1].startswith("1. Carbone - 181 Thompson St")


async def test_a_restaurant_not_on_resy_is_said_so(connect_dining, sign_up) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        checked = ok(
            await call(client, "check_availability", restaurant_name="Katz's", date="Saturday")
        )
        booked = await book(client, restaurant_name="Katz's", date="Saturday", time="19:00")
    assert "is not on Resy" in text_of(checked)
    assert booked.is_error
    assert "is not on Resy" in text_of(booked)


# ------------------------------------------------------------------ story 5.6.3: what goes wrong


async def test_the_table_taken_meanwhile_answers_with_the_nearest_open_times(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        at = await first_table(client, "Don Angie")
        asked = {"restaurant_name": "Don Angie", "date": "Saturday", "time": at}
        shown = ok(await preview(client, "make_reservation", **asked)).structured_content
        # Someone else takes the table between the terms Resy gives and the booking.
        resy_sandbox.faults(slot_taken_after_details=True)
        gone = await call(
            client, "make_reservation", **asked, confirmation_token=shown["confirmation_token"]
        )
    assert gone.is_error
    message = text_of(gone)
    assert "table at Don Angie on Saturday Nov 28 is no longer available" in message
    assert "Nearest open tables for 2: " in message
    assert resy_sandbox.reservations() == []


async def test_a_time_without_a_table_answers_with_the_nearest_open_times(
    connect_dining, sign_up
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        # Don Angie opens at 17:00: nothing at 3 pm.
        none = await book(client, restaurant_name="Don Angie", date="Saturday", time="3pm")
    assert none.is_error
    assert "Nearest open tables for 2: 5:00 PM (" in text_of(none)


async def test_an_expired_resy_login_is_renewed_once_and_the_booking_goes_through(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        at = await first_table(client, "Don Angie")
        resy_sandbox.faults(expire_tokens=True)  # Resy now refuses the token we hold
        ok(await book(client, restaurant_name="Don Angie", date="Saturday", time=at))
    assert resy_sandbox.count("POST /3/auth/password") == 2  # saving it, then once more
    assert len(resy_sandbox.reservations()) == 1


async def test_a_login_resy_no_longer_accepts_asks_to_save_it_again(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        at = await first_table(client, "Don Angie")
        account = resy_sandbox.world.account_by_email(DEMO_EMAIL)
        assert account is not None
        account.password = "changed-on-resy.com"
        resy_sandbox.faults(expire_tokens=True)
        refused = await book(client, restaurant_name="Don Angie", date="Saturday", time=at)
    assert refused.is_error
    assert "store_resy_credentials" in text_of(refused)
    assert resy_sandbox.reservations() == []


async def test_a_captcha_hands_over_the_resy_page_to_finish_on(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        at = await first_table(client, "Carbone")
        captcha = await book(client, restaurant_name="Carbone", date="Saturday", time=at)
    assert captcha.is_error
    assert "https://resy.com/cities/ny/carbone?date=2026-11-28&seats=2" in text_of(captcha)
    assert resy_sandbox.reservations() == []


async def test_a_table_held_with_a_card_is_paid_with_the_stored_one(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        at = await first_table(client, "Lilia")  # a $25 cancellation fee: a card is required
        ok(await book(client, restaurant_name="Lilia", date="Saturday", time=at))
    [booked] = resy_sandbox.reservations()
    assert booked["venue_id"] == 418


async def test_without_a_card_a_table_held_with_one_says_what_to_add(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Nico", "America/New_York")
    async with connect_dining(me) as client:
        saved = ok(
            await call(
                client, "store_resy_credentials", email=NO_CARD_EMAIL, password=DEMO_PASSWORD
            )
        )
        assert "No payment method on file" in text_of(saved)
        at = await first_table(client, "Lilia")
        refused = await book(client, restaurant_name="Lilia", date="Saturday", time=at)
    assert refused.is_error
    assert "your Resy account has none. Add one on resy.com" in text_of(refused)
    assert resy_sandbox.reservations() == []


async def test_booking_before_saving_a_login_says_how(connect_dining, sign_up) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        refused = await book(client, restaurant_name="Don Angie", date="Saturday", time="7pm")
        listed = ok(await call(client, "my_reservations"))
    assert refused.is_error
    assert "store_resy_credentials(email, password)" in text_of(refused)
    assert "no Resy login is saved" in text_of(listed)


async def test_resy_down_is_a_tool_error_not_a_traceback(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        resy_sandbox.faults(server_errors=50, server_error_status=503)
        down = await book(client, restaurant_name="Don Angie", date="Saturday", time="7pm")
    assert down.is_error
    assert "Resy answered with a server error (503)" in text_of(down)
    assert "Traceback" not in text_of(down)


# ----------------------------------------------------------------------- one person's things


async def test_nobody_sees_or_cancels_another_persons_tables_or_uses_their_login(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    dana = await sign_up("Dana", "America/New_York")
    nico = await sign_up("Nico", "America/New_York")
    async with connect_dining(dana) as client:
        await login(client)
        at = await first_table(client, "Don Angie")
        booked = ok(await book(client, restaurant_name="Don Angie", date="Saturday", time=at))
    number = booked.structured_content["confirmation"]
    async with connect_dining(nico) as client:
        # Nico has saved no login: Dana's is not his to use.
        refused = await book(client, restaurant_name="Don Angie", date="Saturday", time=at)
        assert "store_resy_credentials" in text_of(refused)
        await login(client, NO_CARD_EMAIL)
        assert ok(await call(client, "my_reservations")).structured_content["items"] == []
        by_number = await cancel(client, confirmation_id=number)
        by_name = await cancel(client, restaurant_name="Don Angie")
    assert by_number.is_error
    assert by_name.is_error
    assert [r["status"] for r in resy_sandbox.reservations()] == ["confirmed"]


async def test_arguments_outside_the_schema_are_a_tool_error_naming_the_field(
    connect_dining, sign_up
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        refused = await book(
            client,
            restaurant_name="Don Angie",
            date="Saturday",
            time="7pm",
            party_size=0,
        )
    assert refused.is_error
    assert "party_size" in text_of(refused)
    assert "Traceback" not in text_of(refused)
