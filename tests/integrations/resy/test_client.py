"""ResyClient against the stand-in Resy over real HTTP: the whole booking flow and the shapes."""

from __future__ import annotations

from datetime import date, time

import pytest

from concierge.integrations.resy.client import ResyClient
from concierge.integrations.resy.errors import (
    AuthExpired,
    BadCredentials,
    NotFound,
    PaymentRequired,
)
from concierge.integrations.resy.schemas import Slot
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, NO_CARD_EMAIL, ResySandbox

pytestmark = pytest.mark.anyio

FRIDAY = date(2026, 11, 27)  # the stand-in's clock is Monday 2026-11-23


def first_slot(slots: list[Slot], kind: str = "Dining Room") -> Slot:
    return next(s for s in slots if s.type == kind)


async def test_login_returns_the_user_and_their_cards(resy_client: ResyClient) -> None:
    login = await resy_client.login(DEMO_EMAIL, DEMO_PASSWORD)

    assert login.email == DEMO_EMAIL
    assert login.token.get_secret_value().count(".") == 2  # a JWT
    card = login.default_payment_method()
    assert card is not None
    assert card.label == "Visa ending in 1234"
    me = await resy_client.current_user()
    assert me.id == login.id
    assert [m.type for m in me.payment_methods] == ["Visa", "Amex"]


async def test_wrong_password_is_bad_credentials(resy_client: ResyClient) -> None:
    with pytest.raises(BadCredentials, match="email or password"):
        await resy_client.login(DEMO_EMAIL, "not-the-password")


async def test_calls_that_need_a_login_say_so(resy_client: ResyClient) -> None:
    with pytest.raises(AuthExpired, match="concierge resy login"):
        await resy_client.current_user()


async def test_full_flow_search_find_details_book_list_cancel(
    resy_client: ResyClient, resy_sandbox: ResySandbox
) -> None:
    await resy_client.login(DEMO_EMAIL, DEMO_PASSWORD)

    hits = await resy_client.venue_search("don angie", latitude=40.73, longitude=-74.0)
    assert hits[0].name == "Don Angie"
    assert hits[0].location_code == "ny"
    venue = await resy_client.venue(hits[0].venue_id)
    assert venue.google_place_id
    assert venue.google_place_id.startswith("ChIJ")
    assert venue.address_1 == "103 Greenwich Ave"

    availability = await resy_client.find(venue.resy_id, FRIDAY, 2)
    assert availability.venue is not None
    assert availability.venue.time_zone == "America/New_York"
    slot = first_slot(availability.slots)
    assert slot.day == FRIDAY
    details = await resy_client.details(slot, 2)
    assert details.book_token
    assert details.venue_name == "Don Angie"

    booking = await resy_client.book(details, payment_method_id=11223344)
    assert booking.resy_token.startswith("rr://")
    assert not booking.reconciled

    page = await resy_client.my_reservations()
    [mine] = page.reservations
    assert (mine.resy_token, mine.day, mine.time, mine.num_seats) == (
        booking.resy_token,
        FRIDAY,
        slot.start.time(),
        2,
    )
    assert mine.venue_name == "Don Angie"
    assert mine.time_zone == "America/New_York"

    await resy_client.cancel(booking.resy_token)
    assert (await resy_client.my_reservations()).reservations == []
    cancelled = await resy_client.reservation(booking.resy_token)
    assert cancelled is not None
    assert cancelled.cancelled
    assert [r["status"] for r in resy_sandbox.reservations()] == ["cancelled"]


async def test_every_call_carries_the_resy_headers(
    resy_client: ResyClient, resy_sandbox: ResySandbox
) -> None:
    await resy_client.login(DEMO_EMAIL, DEMO_PASSWORD)
    await resy_client.find(1505, FRIDAY, 2)
    await resy_client.current_user()

    seen = resy_sandbox.requests()
    assert [r["path"] for r in seen] == ["/3/auth/password", "/4/find", "/2/user"]
    for request in seen:
        assert request["api_key_ok"]
        assert request["origin"] == "https://resy.com"
        assert request["referer"] == "https://resy.com/"
        assert "Mozilla/5.0" in request["user_agent"]
        assert request["accept"] == "application/json, text/plain, */*"
    assert [r["auth_token"] for r in seen] == [False, True, True]
    assert all(r["universal_auth_matches"] for r in seen[1:])


async def test_find_removes_twin_configs_sharing_a_token(resy_client: ResyClient) -> None:
    availability = await resy_client.find(1505, FRIDAY, 2)

    tokens = [s.token for s in availability.slots]
    assert tokens
    assert len(tokens) == len(set(tokens))
    assert [s.start for s in availability.slots] == sorted(s.start for s in availability.slots)


async def test_find_with_no_table_is_empty_not_an_error(resy_client: ResyClient) -> None:
    monday = date(2026, 11, 30)  # Don Angie is closed on Mondays
    assert (await resy_client.find(1505, monday, 2)).slots == []
    assert (await resy_client.find(999_999, FRIDAY, 2)).venue is None


async def test_unknown_venue_is_not_found(resy_client: ResyClient) -> None:
    with pytest.raises(NotFound):
        await resy_client.venue(999_999)


async def test_calendar_marks_closed_and_available_days(resy_client: ResyClient) -> None:
    calendar = await resy_client.calendar(1505, 2, date(2026, 11, 29), date(2026, 12, 1))

    statuses = {d.day: d.status for d in calendar.days}
    assert statuses[date(2026, 11, 30)] == "closed"  # a Monday
    assert statuses[date(2026, 12, 1)] == "available"
    assert calendar.last_calendar_day == date(2026, 12, 23)


async def test_a_venue_with_a_fee_wants_a_card(
    resy_client: ResyClient, resy_sandbox: ResySandbox
) -> None:
    await resy_client.login(NO_CARD_EMAIL, DEMO_PASSWORD)
    slot = first_slot((await resy_client.find(418, FRIDAY, 2)).slots)  # Lilia: $25 fee
    details = await resy_client.details(slot, 2)

    with pytest.raises(PaymentRequired, match="payment method"):
        await resy_client.book(details)
    assert resy_sandbox.reservations() == []


async def test_book_sends_the_card_as_an_integer_id(
    resy_client: ResyClient, resy_sandbox: ResySandbox
) -> None:
    await resy_client.login(DEMO_EMAIL, DEMO_PASSWORD)
    slot = first_slot((await resy_client.find(418, FRIDAY, 4)).slots)
    booking = await resy_client.book(await resy_client.details(slot, 4), payment_method_id=11223345)

    [held] = resy_sandbox.reservations()
    assert held["resy_token"] == booking.resy_token
    assert held["party_size"] == 4


async def test_older_wire_shapes_are_understood(
    resy_client: ResyClient, resy_sandbox: ResySandbox
) -> None:
    resy_sandbox.faults(legacy_shapes=True)
    await resy_client.login(DEMO_EMAIL, DEMO_PASSWORD)

    hits = await resy_client.venue_search("via carota")
    assert [h.name for h in hits] == ["Via Carota"]
    slot = first_slot((await resy_client.find(hits[0].venue_id, FRIDAY, 2)).slots)
    details = await resy_client.details(slot, 2)  # POST refused: falls back to GET
    booking = await resy_client.book(details)
    [mine] = (await resy_client.my_reservations()).reservations

    assert resy_sandbox.count("POST /3/venuesearch/search") == 2  # JSON refused, then the form
    assert resy_sandbox.count("POST /3/details") == 1
    assert resy_sandbox.count("GET /3/details") == 1
    assert mine.resy_token == booking.resy_token
    assert (mine.day, mine.time, mine.venue_name) == (FRIDAY, slot.start.time(), "Via Carota")
    assert mine.time != time(0)


async def test_each_call_is_counted_by_endpoint_and_outcome(resy_client: ResyClient) -> None:
    from prometheus_client import REGISTRY

    def calls(endpoint: str, outcome: str) -> float:
        labels = {"endpoint": endpoint, "outcome": outcome}
        return REGISTRY.get_sample_value("concierge_resy_calls_total", labels) or 0.0

    ok, refused = calls("/3/auth/password", "ok"), calls("/3/auth/password", "bad_credentials")
    with pytest.raises(BadCredentials):
        await resy_client.login(DEMO_EMAIL, "not-the-password")
    await resy_client.login(DEMO_EMAIL, DEMO_PASSWORD)
    assert calls("/3/auth/password", "bad_credentials") == refused + 1
    assert calls("/3/auth/password", "ok") == ok + 1
    seconds = REGISTRY.get_sample_value(
        "concierge_resy_call_duration_seconds_count", {"endpoint": "/3/auth/password"}
    )
    assert seconds is not None
    assert seconds >= 2
