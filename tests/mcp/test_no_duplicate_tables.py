"""make_reservation never books a table twice: a repeated or retried request answers with the
table already held, a second table at the same restaurant that day needs allow_duplicate, and
one request is at most one POST /3/book at Resy, whatever Resy answered. Through an MCP client
session against the Resy stand-in over loopback, on SQLite and PostgreSQL.

The clock reads Monday 2026-11-23 12:00 UTC; SATURDAY is 2026-11-28.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from sqlalchemy import select

from concierge.db import Database
from concierge.integrations.resy.client import ResyClient
from concierge.models import DiningReservation, DiningVisit
from tests.fixtures.mcp import ok, text_of
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, ResySandbox
from tests.mcp import booking_steps as steps
from tests.mcp.test_restaurant_tools import SATURDAY, call, login

pytestmark = pytest.mark.anyio

I_SODI = 443


async def open_times(client: Client, restaurant: str = "Don Angie") -> list[str]:
    """The distinct times of the open tables on Saturday (HH:MM), as check_availability
    shows them (a dining room and a bar table may share one)."""
    found = ok(
        await call(
            client, "check_availability", restaurant_name=restaurant, date="Saturday", party_size=2
        )
    )
    times = list(dict.fromkeys(str(s["start"])[11:16] for s in found.structured_content["slots"]))
    assert len(times) >= 2, text_of(found)
    return times


async def book(client: Client, at: str, **more: Any) -> Any:
    return await steps.book(
        client,
        restaurant_name="Don Angie",
        date="Saturday",
        time=at,
        party_size=2,
        **more,
    )


def confirmed(resy_sandbox: ResySandbox) -> list[dict[str, Any]]:
    return [r for r in resy_sandbox.reservations() if r["status"] == "confirmed"]


async def local_rows(db: Database) -> list[DiningReservation]:
    async with db.unit_of_work(write=False) as session:
        return list((await session.scalars(select(DiningReservation))).all())


async def test_the_same_request_twice_books_one_table_and_the_second_answer_names_it(
    connect_dining, sign_up, resy_sandbox: ResySandbox, db: Database
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        [at, *_] = await open_times(client)
        first = ok(await book(client, at)).structured_content
        again = ok(await book(client, at))

    [table] = confirmed(resy_sandbox)
    assert resy_sandbox.count("POST /3/book") == 1
    assert again.structured_content["already_booked"] is True
    assert first["already_booked"] is False
    assert again.structured_content["confirmation"] == first["confirmation"]
    assert first["confirmation"] == str(table["reservation_id"])
    assert text_of(again).startswith("Already booked, nothing new was booked: Don Angie, Saturday")
    assert f"Confirmation: {first['confirmation']}" in text_of(again)
    assert len(await local_rows(db)) == 1


async def test_another_table_there_that_day_is_refused_naming_the_one_held(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        first_time, other_time, *_ = await open_times(client)
        held = ok(await book(client, first_time)).structured_content
        refused = await book(client, other_time)

    assert refused.is_error
    words = text_of(refused)
    assert words.startswith("You already have a table at Don Angie on Saturday Nov 28: ")
    assert f"party of 2, confirmation {held['confirmation']}" in words
    assert "allow_duplicate=true" in words
    assert "cancel_reservation" in words
    assert len(confirmed(resy_sandbox)) == 1
    assert resy_sandbox.count("POST /3/book") == 1


async def test_allow_duplicate_books_a_second_table(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        [at, *_] = await open_times(client)
        ok(await book(client, at))
        second = ok(await book(client, at, allow_duplicate=True)).structured_content

    assert second["already_booked"] is False
    assert len(confirmed(resy_sandbox)) == 2
    assert resy_sandbox.count("POST /3/book") == 2


@pytest.mark.parametrize("lost", ["drop", "500", "502"])
async def test_a_lost_book_answer_is_the_table_and_a_retry_books_nothing_new(
    connect_dining, sign_up, resy_sandbox: ResySandbox, db: Database, lost: str
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        [at, *_] = await open_times(client)
        resy_sandbox.faults(lost_book_response=lost)
        answered = ok(await book(client, at)).structured_content
        retried = ok(await book(client, at)).structured_content

    [table] = confirmed(resy_sandbox)
    assert resy_sandbox.count("POST /3/book") == 1
    assert answered["confirmation"] == retried["confirmation"] == str(table["reservation_id"])
    assert (answered["day"], answered["time"][:5]) == (SATURDAY, at)
    assert retried["already_booked"] is True
    [row] = await local_rows(db)
    assert row.platform_token == table["resy_token"]


async def test_a_table_only_resy_knows_of_is_the_answer_and_is_recorded_here(
    connect_dining, sign_up, resy_sandbox: ResySandbox, db: Database, dining_http, dining_settings
) -> None:
    """As when Resy booked it but Concierge never heard back, or it was booked in the app."""
    resy = ResyClient(dining_http, dining_settings)
    await resy.login(DEMO_EMAIL, DEMO_PASSWORD)
    from datetime import date

    slot = (await resy.find(I_SODI, date(2026, 11, 28), 2)).slots[0]
    elsewhere = await resy.book(await resy.details(slot, 2))
    at = slot.start.strftime("%H:%M")

    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        booked_before = resy_sandbox.count("POST /3/book")
        answer = ok(
            await steps.book(client, restaurant_name="I Sodi", date="Saturday", time=at)
        ).structured_content

    assert resy_sandbox.count("POST /3/book") == booked_before
    assert (answer["already_booked"], answer["confirmation"]) == (
        True,
        str(elsewhere.reservation_id),
    )
    [row] = await local_rows(db)
    assert (row.user_id, row.platform_token, row.status) == (
        me.id,
        elsewhere.resy_token,
        "confirmed",
    )
    async with db.unit_of_work(write=False) as session:
        [visit] = (await session.scalars(select(DiningVisit))).all()
    assert visit.reservation_id == row.id


async def test_a_server_error_on_book_with_nothing_booked_is_one_post_and_says_not_booked(
    connect_dining, sign_up, resy_sandbox: ResySandbox, db: Database
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        await login(client)
        [at, *_] = await open_times(client)
        resy_sandbox.faults(server_errors=1, server_error_path="/3/book")
        failed = await book(client, at)

    assert failed.is_error
    assert "no table was booked" in text_of(failed)
    assert resy_sandbox.count("POST /3/book") == 1
    assert confirmed(resy_sandbox) == []
    assert await local_rows(db) == []
