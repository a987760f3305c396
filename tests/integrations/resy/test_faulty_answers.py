"""The booking flow against the stand-in Resy when its answers go wrong the way real ones do:
a related venue listed first, one unreadable row in each list. Never the wrong venue, one table."""

from __future__ import annotations

from datetime import date

import pytest

from concierge.integrations.resy.client import ResyClient
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, ResySandbox

pytestmark = pytest.mark.anyio

FRIDAY = date(2026, 11, 27)  # the stand-in's clock is Monday 2026-11-23
DON_ANGIE = 1505


async def test_search_find_book_list_with_a_related_venue_first_and_malformed_rows(
    resy_client: ResyClient, resy_sandbox: ResySandbox
) -> None:
    await resy_client.login(DEMO_EMAIL, DEMO_PASSWORD)
    resy_sandbox.faults(related_venue_first=True, malformed_rows=True)

    hits = await resy_client.venue_search("don angie", latitude=40.73, longitude=-74.0)
    assert (hits[0].venue_id, hits.skipped) == (DON_ANGIE, 1)

    availability = await resy_client.find(DON_ANGIE, FRIDAY, 2)
    assert availability.venue is not None
    assert availability.venue.id == DON_ANGIE
    assert availability.skipped == 1
    assert all(s.venue is not None and s.venue.id == DON_ANGIE for s in availability.slots)
    slot = next(s for s in availability.slots if s.type == "Dining Room")

    details = await resy_client.details(slot, 2)
    booking = await resy_client.book(details, payment_method_id=11223344)

    [held] = [r for r in resy_sandbox.reservations() if r["status"] == "confirmed"]
    assert (held["venue_id"], held["resy_token"]) == (DON_ANGIE, booking.resy_token)
    assert resy_sandbox.count("POST /3/book") == 1
    page = await resy_client.my_reservations()
    assert [r.resy_token for r in page.reservations] == [booking.resy_token]
    assert page.skipped == 1
