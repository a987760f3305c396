"""Checking Resy availability from words: "Carbone, Saturday, 7pm, two people" (story 5.5).

Both stand-ins run over loopback HTTP and count what they are asked, so the tests can prove
what the cache saves: a second look at the same restaurant is one Resy request and no Google one.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.dining.dates import UnreadableDate
from concierge.dining.errors import RestaurantNotFound, ResyLoginRequired
from concierge.dining.schemas import AvailabilityResult
from concierge.dining.service import DiningService
from concierge.errors import InvalidRequest, ServiceUnavailable
from concierge.integrations.google_places import LatLng
from concierge.integrations.resy.auth import ResyAuthManager
from concierge.integrations.resy.client import TokenSource
from concierge.models import Restaurant
from tests.fixtures.dining import GoogleSandbox, LoggedIn
from tests.fixtures.resy import ResySandbox

pytestmark = pytest.mark.anyio

ZONE = "America/New_York"
SATURDAY = date(2026, 11, 28)  # the clock says Monday 2026-11-23, 7 am in New York
VILLAGE = LatLng(latitude=40.7308, longitude=-74.0000)


async def check(
    dining: DiningService,
    db: Database,
    tokens: TokenSource,
    clock: FrozenClock,
    restaurant: str,
    when: str = "Saturday",
    at: str | None = "7pm",
    **more: object,
) -> AvailabilityResult:
    return await dining.check_availability(
        db,
        tokens=tokens,
        restaurant=restaurant,
        date=when,
        preferred_time=at,
        now=clock.now(),
        timezone=ZONE,
        **more,  # type: ignore[arg-type]
    )


async def test_tables_near_the_time_asked_nearest_first(
    dining: DiningService, db: Database, resy_tokens: ResyAuthManager, clock: FrozenClock,
    resy_sandbox: ResySandbox,
) -> None:  # fmt: skip
    result = await check(dining, db, resy_tokens, clock, "Carbone", party_size=2)

    assert result.restaurant.name == "Carbone"
    assert result.restaurant.resy_venue_id == 6194  # matched by the venue's id.google
    assert result.day == SATURDAY
    offsets = [slot.minutes_from_preferred for slot in result.slots]
    assert offsets, "Carbone has tables on Saturday evening"
    assert all(o is not None and abs(o) <= 60 for o in offsets)
    assert [abs(o or 0) for o in offsets] == sorted(abs(o or 0) for o in offsets)
    # Exactly the stand-in's open tables within the hour, none left out.
    world = resy_sandbox.world
    venue = world.venues[6194]
    expected = {
        (datetime.combine(SATURDAY, at), kind.type)
        for at in world.open_times(venue, SATURDAY)
        for kind in venue.tables
        if world.free(venue, SATURDAY, at, kind, 2)
        and abs((datetime.combine(SATURDAY, at) - datetime(2026, 11, 28, 19)).total_seconds())
        <= 3600
    }
    assert {(s.start, s.table_type) for s in result.slots} == expected
    lines = result.text().splitlines()
    assert lines[0] == "Carbone - Saturday Nov 28:"
    assert lines[1].strip() in {"7:00 PM - Dining Room (Resy)", "7:00 PM - Bar (Resy)"}
    assert result.booking_url == "https://resy.com/cities/ny/carbone?date=2026-11-28&seats=2"


async def test_a_second_check_is_one_resy_request_and_no_google_one(
    dining: DiningService, db: Database, resy_tokens: ResyAuthManager, clock: FrozenClock,
    resy_sandbox: ResySandbox, google_sandbox: GoogleSandbox,
) -> None:  # fmt: skip
    await check(dining, db, resy_tokens, clock, "Carbone")
    assert google_sandbox.searches() == 1
    resy_before = Counter(resy_sandbox.counts())

    again = await check(dining, db, resy_tokens, clock, "carbone", "tomorrow", "8:30 PM")

    resy_after = Counter(resy_sandbox.counts())
    assert resy_after - resy_before == Counter({"GET /4/find": 1})
    assert google_sandbox.searches() == 1
    assert again.day == date(2026, 11, 24)
    assert again.restaurant.resy_venue_id == 6194


async def test_a_venue_without_id_google_is_matched_by_name_and_address(
    dining: DiningService, db: Database, resy_tokens: ResyAuthManager, clock: FrozenClock,
) -> None:  # fmt: skip
    # Google spells it "Rezdora", Resy "Rezdôra", and Resy does not know its place id.
    result = await check(dining, db, resy_tokens, clock, "Rezdora", "Friday", "6pm")
    assert result.restaurant.resy_venue_id == 5769
    assert result.day == date(2026, 11, 27)


async def test_not_on_resy_is_remembered_for_a_week_then_asked_again(
    dining: DiningService, db: Database, resy_tokens: ResyAuthManager, clock: FrozenClock,
    resy_sandbox: ResySandbox, google_sandbox: GoogleSandbox,
) -> None:  # fmt: skip
    first = await check(dining, db, resy_tokens, clock, "Katz's Delicatessen")
    assert not first.on_resy
    assert first.text() == (
        "Katz's Delicatessen (205 E Houston St, New York, NY 10002, USA) is not on Resy, so its "
        "tables cannot be checked here. Book with the restaurant directly."
    )
    asked = resy_sandbox.count("POST /3/venuesearch/search")
    assert asked >= 1

    clock.advance(days=6, hours=23)
    again = await check(dining, db, resy_tokens, clock, "Katz's Delicatessen")
    assert not again.on_resy
    assert resy_sandbox.count("POST /3/venuesearch/search") == asked  # the answer was cached
    assert google_sandbox.searches() == 1

    clock.advance(hours=2)  # a week and an hour: ask Resy again, it may have joined since
    await check(dining, db, resy_tokens, clock, "Katz's Delicatessen")
    assert resy_sandbox.count("POST /3/venuesearch/search") > asked
    async with db.unit_of_work(write=False) as session:
        row = await session.scalar(
            select(Restaurant).where(Restaurant.name_key == "katzs delicatessen")
        )
        assert row is not None
        assert row.recheck_after == clock.now() + timedelta(days=7)


async def test_nothing_inside_the_window_offers_the_closest_times(
    dining: DiningService, db: Database, resy_tokens: ResyAuthManager, clock: FrozenClock,
) -> None:  # fmt: skip
    # Carbone opens at 5:30 PM: nothing within 30 minutes of 3 PM.
    result = await check(
        dining, db, resy_tokens, clock, "Carbone", "Saturday", "3pm", flexibility_minutes=30
    )
    assert result.slots == []
    assert result.nearest_outside
    assert result.nearest_outside[0].start == datetime(2026, 11, 28, 17, 30)
    assert result.text().startswith(
        "Carbone - Saturday Nov 28: no table for 2 people within 30 minutes of 3:00 PM. "
        "Closest open times: 5:30 PM"
    )


async def test_without_a_time_every_table_of_the_day_earliest_first(
    dining: DiningService, db: Database, resy_tokens: ResyAuthManager, clock: FrozenClock,
) -> None:  # fmt: skip
    result = await check(dining, db, resy_tokens, clock, "Thai Diner", "2026-11-25", None)
    starts = [slot.start for slot in result.slots]
    assert starts == sorted(starts)
    assert starts[0].date() == date(2026, 11, 25)
    assert all(slot.minutes_from_preferred is None for slot in result.slots)


async def test_unreadable_words_are_refused_before_anyone_is_asked(
    dining: DiningService, db: Database, resy_tokens: ResyAuthManager, clock: FrozenClock,
    resy_sandbox: ResySandbox, google_sandbox: GoogleSandbox,
) -> None:  # fmt: skip
    before = resy_sandbox.counts()
    with pytest.raises(UnreadableDate, match='"next Saturday"'):
        await check(dining, db, resy_tokens, clock, "Carbone", "someday soon")
    with pytest.raises(UnreadableDate, match='"7:30 PM"'):
        await check(dining, db, resy_tokens, clock, "Carbone", "Saturday", "dinner time")
    with pytest.raises(InvalidRequest, match="has passed"):
        await check(dining, db, resy_tokens, clock, "Carbone", "2026-11-01")
    with pytest.raises(InvalidRequest, match="between 1 and 20"):
        await check(dining, db, resy_tokens, clock, "Carbone", party_size=0)
    assert resy_sandbox.counts() == before
    assert google_sandbox.searches() == 0


async def test_an_unknown_restaurant_says_what_to_try(
    dining: DiningService, db: Database, resy_tokens: ResyAuthManager, clock: FrozenClock,
) -> None:  # fmt: skip
    with pytest.raises(RestaurantNotFound, match="add the neighbourhood or city"):
        await check(dining, db, resy_tokens, clock, "Zzyzx Noodle Bar")


async def test_a_refused_resy_login_asks_the_person_to_log_in_again(
    dining: DiningService, db: Database, clock: FrozenClock, resy_sandbox: ResySandbox,
) -> None:  # fmt: skip
    with pytest.raises(ResyLoginRequired, match="concierge resy login"):
        await check(dining, db, LoggedIn("not-a-resy-token"), clock, "Carbone")


async def test_without_a_google_key_search_says_which_setting_to_set(
    dining_http: httpx.AsyncClient, dining_settings: Settings, db: Database, clock: FrozenClock,
    resy_tokens: ResyAuthManager,
) -> None:  # fmt: skip
    settings = dining_settings.model_copy(update={"google_places_api_key": None})
    service = DiningService(http=dining_http, settings=settings)
    with pytest.raises(ServiceUnavailable, match="CONCIERGE_GOOGLE_PLACES_API_KEY"):
        await check(service, db, resy_tokens, clock, "Carbone")


async def test_search_lists_places_and_what_is_known_of_them_on_resy(
    dining: DiningService, db: Database, resy_tokens: ResyAuthManager, clock: FrozenClock,
) -> None:  # fmt: skip
    first = await dining.search_restaurants(db, "Carbone", now=clock.now(), near=VILLAGE)
    assert [(r.address, r.on_resy) for r in first] == [
        ("181 Thompson St, New York, NY 10012, USA", None),
        ("49 Collins Ave, Miami Beach, FL 33139, USA", None),
    ]
    await check(dining, db, resy_tokens, clock, "Carbone", near=VILLAGE)
    again = await dining.search_restaurants(db, "Carbone", now=clock.now(), near=VILLAGE)
    assert [(r.name, r.on_resy, r.resy_venue_id) for r in again] == [
        ("Carbone", True, 6194),
        ("Carbone", None, None),
    ]
    assert again[0].text() == "Carbone - 181 Thompson St, New York, NY 10012, USA (on Resy)"


async def test_two_cached_places_of_one_name_are_told_apart_by_where_you_are(
    dining: DiningService, db: Database, resy_tokens: ResyAuthManager, clock: FrozenClock,
    google_sandbox: GoogleSandbox,
) -> None:  # fmt: skip
    await dining.search_restaurants(db, "Carbone", now=clock.now(), near=VILLAGE)
    miami = LatLng(latitude=25.77, longitude=-80.13)
    # The Miami Carbone is not on the Resy stand-in: the person near Miami hears so.
    in_miami = await check(dining, db, resy_tokens, clock, "Carbone", near=miami)
    assert not in_miami.on_resy
    assert "49 Collins Ave" in in_miami.text()
    near_village = await check(dining, db, resy_tokens, clock, "Carbone", near=VILLAGE)
    assert near_village.restaurant.resy_venue_id == 6194
    assert google_sandbox.searches() == 1  # both came from the cache
