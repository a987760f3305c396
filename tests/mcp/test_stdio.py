"""``concierge mcp`` started as a subprocess and driven over stdio by the SDK's client.

The subprocess reads the system clock, so these tests set the Resy stand-in's clock to the real
now and ask about dates relative to today.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from mcp import Client

from concierge.config import Settings
from tests.fixtures.dining import GoogleSandbox
from tests.fixtures.mcp import CONCIERGE, ok, stdio_environment, text_of
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, NO_CARD_EMAIL, ResySandbox
from tests.mcp import booking_steps as steps
from tests.mcp.test_tool_list import check_listing

# A process per test: SQLite alone here; the in-memory tests cover PostgreSQL too.
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def stand_ins(
    resy_sandbox: ResySandbox, google_sandbox: GoogleSandbox, dining_settings: Settings
) -> dict[str, str]:
    """The environment that points ``concierge mcp`` at the stand-ins, whose clock reads now."""
    resy_sandbox.clock.set(datetime.now(UTC))
    return {
        "CONCIERGE_RESY_BASE_URL": resy_sandbox.url,
        "CONCIERGE_RESY_WEB_URL": resy_sandbox.url,
        "CONCIERGE_GOOGLE_PLACES_BASE_URL": google_sandbox.url,
        "CONCIERGE_GOOGLE_PLACES_API_KEY": "sandbox-google-places-key",
        "CONCIERGE_DATA_DIR": str(dining_settings.data_dir),
    }


def next_saturday() -> date:
    """A Saturday at least two days ahead (in New York, the people's zone), so always bookable."""
    today = datetime.now(UTC).date()
    return today + timedelta(days=2 + (5 - (today + timedelta(days=2)).weekday()) % 7)


async def call(client: Client, tool: str, **arguments: Any) -> Any:
    return await client.call_tool(tool, arguments)


async def test_tools_are_listed_and_appointments_are_booked_and_confirmed(
    connect_stdio, sign_up
) -> None:
    ada = await sign_up("Ada", "UTC")
    await sign_up("Grace", "UTC")
    # An operator starting it for someone: --user EMAIL instead of their token.
    async with connect_stdio(ada, email="ada@example.com") as client:
        check_listing((await client.list_tools()).tools)
        common = ok(
            await call(client, "find_common_time", people=["Grace"], date_range="next week")
        )
        assert [p["name"] for p in common.structured_content["people"]] == ["Ada", "Grace"]
        slots = ok(
            await call(
                client, "find_free_slots", person="grace@example.com", date_range="next week"
            )
        )
        start = next(s for day in slots.structured_content["days"] for s in day["starts"])
        held = ok(await call(client, "book_appointment", person="Grace", start=start))
        number = held.structured_content["id"]
        assert held.structured_content["status"] == "held"
        confirmed = ok(await call(client, "confirm_appointment", id=number))
        assert confirmed.structured_content["status"] == "confirmed"
        [item] = ok(await call(client, "my_appointments")).structured_content["items"]
        assert (item["id"], item["status"]) == (number, "confirmed")


async def test_check_make_list_cancel_against_the_resy_stand_in(
    connect_stdio, sign_up, stand_ins: dict[str, str], resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    saturday = next_saturday()
    async with connect_stdio(me, **stand_ins) as client:
        saved = ok(
            await call(client, "store_resy_credentials", email=DEMO_EMAIL, password=DEMO_PASSWORD)
        )
        assert "Visa ending in 1234" in text_of(saved)
        found = ok(
            await call(
                client,
                "check_availability",
                restaurant_name="Thai Diner",
                date=saturday.isoformat(),
                party_size=2,
                preferred_time="19:00",
            )
        )
        at = found.structured_content["slots"][0]["start"][11:16]
        assert text_of(found).startswith(f"Thai Diner - Saturday {saturday:%b} {saturday.day}:")

        booked = ok(
            await steps.book(
                client,
                restaurant_name="Thai Diner",
                date=saturday.isoformat(),
                time=at,
                party_size=2,
            )
        )
        number = booked.structured_content["confirmation"]
        assert f"Confirmation: {number}" in text_of(booked)

        [item] = ok(await call(client, "my_reservations")).structured_content["items"]
        assert item["confirmation"] == number

        cancelled = ok(await steps.cancel(client, confirmation_id=number))
        assert cancelled.structured_content["status"] == "cancelled"
        assert ok(await call(client, "my_reservations")).structured_content["items"] == []
    assert [r["status"] for r in resy_sandbox.reservations()] == ["cancelled"]


async def test_every_failure_of_story_5_6_3_is_a_helpful_tool_error(
    connect_stdio, sign_up, stand_ins: dict[str, str], resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    day = next_saturday().isoformat()

    async def book(client: Client, restaurant: str, at: str, **more: Any) -> Any:
        return await steps.book(client, restaurant_name=restaurant, date=day, time=at, **more)

    async def first_time(client: Client, restaurant: str) -> str:
        found = ok(
            await call(
                client,
                "check_availability",
                restaurant_name=restaurant,
                date=day,
                preferred_time="19:00",
            )
        )
        return str(found.structured_content["slots"][0]["start"])[11:16]

    async with connect_stdio(me, **stand_ins) as client:
        no_login = await book(client, "Thai Diner", "19:00")
        assert "store_resy_credentials(email, password)" in text_of(no_login)
        ok(await call(client, "store_resy_credentials", email=DEMO_EMAIL, password=DEMO_PASSWORD))

        # The table goes between details and book: the nearest open tables instead.
        at = await first_time(client, "Thai Diner")
        resy_sandbox.faults(slot_taken_after_details=True)
        gone = await book(client, "Thai Diner", at)
        assert "is no longer available. Nearest open tables for 2:" in text_of(gone)

        # Resy refuses the saved token: logged in again once, and booked.
        resy_sandbox.faults(expire_tokens=True)
        ok(await book(client, "Thai Diner", await first_time(client, "Thai Diner")))

        # A captcha: the resy.com page to finish on.
        captcha = await book(client, "Carbone", await first_time(client, "Carbone"))
        assert f"https://resy.com/cities/ny/carbone?date={day}&seats=2" in text_of(captcha)

        # A card is needed: the stored one is used...
        ok(await book(client, "Lilia", await first_time(client, "Lilia")))
        # ... and without one, what to add where.
        ok(
            await call(
                client, "store_resy_credentials", email=NO_CARD_EMAIL, password=DEMO_PASSWORD
            )
        )
        # (a second table at Lilia that day, so it must be asked for as one)
        no_card = await book(
            client, "Lilia", await first_time(client, "Lilia"), allow_duplicate=True
        )
        assert "your Resy account has none. Add one on resy.com" in text_of(no_card)

        for failure in (no_login, gone, captcha, no_card):
            assert failure.is_error
            assert "Traceback" not in text_of(failure)
    booked = [(r["venue_id"], r["status"]) for r in resy_sandbox.reservations()]
    assert booked == [(59519, "confirmed"), (418, "confirmed")]


def test_without_a_token_it_says_what_to_set_and_exits(settings: Settings) -> None:
    finished = subprocess.run(
        [CONCIERGE, "mcp"],
        env=stdio_environment(settings, token=None),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert "CONCIERGE_MCP_TOKEN" in finished.stderr


def test_an_unknown_token_is_refused_before_serving(settings: Settings) -> None:
    finished = subprocess.run(
        [CONCIERGE, "mcp"],
        env=stdio_environment(settings, token="cnc_unknown"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 1
    assert finished.stdout == ""
    assert "Unknown or revoked token" in finished.stderr
