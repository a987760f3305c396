"""ResyClient under the stand-in's faults: backoff, never a blind book, slots taken, captchas."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest

from concierge.config import Settings
from concierge.integrations.resy.client import ResyClient
from concierge.integrations.resy.errors import (
    BlockedOrCaptcha,
    RateLimited,
    SlotTaken,
    Unavailable,
)
from concierge.integrations.resy.schemas import BookingDetails
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, ResySandbox

pytestmark = pytest.mark.anyio

FRIDAY = date(2026, 11, 27)
DON_ANGIE, CARBONE = 1505, 6194
VISA = 11223344


class Sleeps:
    """Records every pause the client takes (and takes it, briefly)."""

    def __init__(self) -> None:
        self.taken: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)
        await asyncio.sleep(min(seconds, 0.05))


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(
    resy_http: httpx.AsyncClient, resy_settings: Settings, sleeps: Sleeps
) -> ResyClient:
    client = ResyClient(resy_http, resy_settings, sleep=sleeps, backoff=0.1, backoff_max=5)
    await client.login(DEMO_EMAIL, DEMO_PASSWORD)
    return client


async def details_for(client: ResyClient, venue_id: int = DON_ANGIE) -> BookingDetails:
    availability = await client.find(venue_id, FRIDAY, 2)
    slot = next(s for s in availability.slots if s.type == "Dining Room")
    return await client.details(slot, 2)


async def test_a_burst_of_429s_is_waited_out_with_growing_pauses(
    client: ResyClient, resy_sandbox: ResySandbox, sleeps: Sleeps
) -> None:
    resy_sandbox.faults(rate_limit=3)

    availability = await client.find(DON_ANGIE, FRIDAY, 2)

    assert availability.slots
    assert resy_sandbox.count("GET /4/find") == 4
    assert len(sleeps.taken) == 3
    # exponential: 0.1, 0.2, 0.4 seconds, each plus up to 0.1 of jitter
    for attempt, pause in enumerate(sleeps.taken):
        assert 0.1 * 2**attempt <= pause <= 0.1 * 2**attempt + 0.1


async def test_retry_after_is_respected(
    client: ResyClient, resy_sandbox: ResySandbox, sleeps: Sleeps
) -> None:
    resy_sandbox.faults(rate_limit=1, retry_after=2)

    await client.find(DON_ANGIE, FRIDAY, 2)

    assert sleeps.taken[0] >= 2


async def test_rate_limit_that_outlasts_the_retries_is_reported(
    client: ResyClient, resy_sandbox: ResySandbox, resy_settings: Settings
) -> None:
    resy_sandbox.faults(rate_limit=100)

    with pytest.raises(RateLimited, match="slow down"):
        await client.find(DON_ANGIE, FRIDAY, 2)
    assert resy_sandbox.count("GET /4/find") == resy_settings.resy_retries + 1


async def test_server_errors_are_retried(client: ResyClient, resy_sandbox: ResySandbox) -> None:
    resy_sandbox.faults(server_errors=2, server_error_status=503)

    assert (await client.venue(DON_ANGIE)).name == "Don Angie"
    assert resy_sandbox.count("GET /3/venue") == 3


async def test_timeouts_are_retried(
    resy_http: httpx.AsyncClient, resy_sandbox: ResySandbox, tmp_path: object, sleeps: Sleeps
) -> None:
    settings = resy_sandbox.settings(tmp_path, resy_timeout=0.3)  # type: ignore[arg-type]
    client = ResyClient(resy_http, settings, sleep=sleeps, backoff=0.01)
    resy_sandbox.faults(slow=1, slow_seconds=1.0)

    assert (await client.venue(DON_ANGIE)).name == "Don Angie"
    assert resy_sandbox.count("GET /3/venue") == 2


async def test_slot_taken_between_details_and_book_is_reported(
    client: ResyClient, resy_sandbox: ResySandbox
) -> None:
    resy_sandbox.faults(slot_taken_after_details=True)
    details = await details_for(client)

    with pytest.raises(SlotTaken, match="no longer available"):
        await client.book(details, payment_method_id=VISA)
    assert resy_sandbox.reservations() == []
    assert resy_sandbox.count("POST /3/book") == 1


async def test_an_expired_book_token_means_the_slot_is_gone(
    client: ResyClient, resy_sandbox: ResySandbox
) -> None:
    details = await details_for(client)
    resy_sandbox.clock.advance(minutes=6)

    with pytest.raises(SlotTaken):
        await client.book(details)
    assert resy_sandbox.reservations() == []


@pytest.mark.parametrize("lost", ["502", "drop"])
async def test_a_lost_book_answer_is_found_in_the_reservations_not_booked_twice(
    client: ResyClient, resy_sandbox: ResySandbox, lost: str
) -> None:
    details = await details_for(client)
    resy_sandbox.faults(lost_book_response=lost)

    booking = await client.book(details, payment_method_id=VISA)

    assert booking.reconciled
    [held] = resy_sandbox.reservations()
    assert held["resy_token"] == booking.resy_token
    assert held["status"] == "confirmed"
    assert resy_sandbox.count("POST /3/book") == 1
    assert resy_sandbox.count("GET /3/user/reservations") == 1


async def test_a_book_that_did_not_happen_is_reported_not_asked_again(
    client: ResyClient, resy_sandbox: ResySandbox
) -> None:
    details = await details_for(client)
    resy_sandbox.faults(lost_book_response="502-unbooked")

    with pytest.raises(Unavailable, match="no table was booked"):
        await client.book(details, payment_method_id=VISA)

    assert resy_sandbox.reservations() == []
    assert resy_sandbox.count("POST /3/book") == 1
    assert resy_sandbox.count("GET /3/user/reservations") == 1


async def test_book_is_never_retried_on_server_errors(
    client: ResyClient, resy_sandbox: ResySandbox
) -> None:
    details = await details_for(client)
    resy_sandbox.faults(server_errors=1, server_error_path="/3/book")

    with pytest.raises(Unavailable, match="no table was booked"):
        await client.book(details, payment_method_id=VISA)

    # the unclear answer was followed by a look at the reservations, never by a second book
    assert resy_sandbox.count("POST /3/book") == 1
    assert resy_sandbox.reservations() == []
    assert [r["path"] for r in resy_sandbox.requests()][-2:] == [
        "/3/book",
        "/3/user/reservations",
    ]


async def test_an_unclear_book_whose_list_cannot_be_read_says_it_cannot_tell(
    client: ResyClient, resy_sandbox: ResySandbox
) -> None:
    details = await details_for(client)
    resy_sandbox.faults(lost_book_response="502", server_errors=10, server_error_path="/3/user")

    with pytest.raises(Unavailable, match="cannot tell whether the table was booked"):
        await client.book(details, payment_method_id=VISA)

    assert resy_sandbox.count("POST /3/book") == 1


async def test_a_captcha_venue_hands_over_the_deep_link(
    client: ResyClient, resy_sandbox: ResySandbox
) -> None:
    details = await details_for(client, CARBONE)

    with pytest.raises(BlockedOrCaptcha) as caught:
        await client.book(details, payment_method_id=VISA)

    link = "https://resy.com/cities/ny/carbone?date=2026-11-27&seats=2"
    assert caught.value.deep_link == link
    assert link in str(caught.value)
    assert resy_sandbox.reservations() == []


async def test_no_user_agent_is_what_makes_resy_answer_500(
    resy_sandbox: ResySandbox, client: ResyClient
) -> None:
    async with httpx.AsyncClient(headers={"User-Agent": ""}) as bare:
        answer = await bare.get(f"{resy_sandbox.url}/3/venue", params={"id": DON_ANGIE})
    assert answer.status_code == 500
    assert (await client.venue(DON_ANGIE)).name == "Don Angie"


async def test_pauses_between_calls_follow_the_settings(
    resy_http: httpx.AsyncClient, resy_sandbox: ResySandbox, tmp_path: object, sleeps: Sleeps
) -> None:
    settings = resy_sandbox.settings(
        tmp_path,  # type: ignore[arg-type]
        resy_min_delay=0.2,
        resy_max_delay=0.3,
    )
    client = ResyClient(resy_http, settings, sleep=sleeps)

    for _ in range(3):
        await client.venue(DON_ANGIE)

    assert len(sleeps.taken) == 2  # none before the first call
    assert all(0.1 < pause <= 0.3 for pause in sleeps.taken)
