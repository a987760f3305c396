"""Venue matching (story 5.4), measured on a labelled set: precision must be 1.0 (a wrong
restaurant is worse than none) and recall at least 0.9.

The real matcher runs against both stand-ins over loopback HTTP: Google Places seeded with the
labelled places, Resy with the labelled world's venues.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.dining import cache
from concierge.dining.matching import PlaceFacts, VenueMatcher, judge
from concierge.dining.names import name_key, street_name, street_numbers
from concierge.integrations.google_places import GooglePlacesClient, LatLng
from concierge.integrations.resy.client import ResyClient
from concierge.integrations.resy.errors import UnrecognisedResponse
from concierge.integrations.resy.schemas import Venue, VenueHit
from concierge.models import Restaurant
from concierge.sandbox.google_places import SANDBOX_API_KEY, SandboxPlace, create_app
from concierge.sandbox.loopback import serving
from tests.dining.matching_cases import CASES, RESY_VENUES, Case
from tests.fixtures.dining import LoggedIn
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, ResySandbox

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def labelled_google() -> Iterator[str]:
    with serving(create_app([c.place for c in CASES])) as url:
        yield url


@pytest.fixture
def labelled_resy(resy_sandbox: ResySandbox) -> ResySandbox:
    resy_sandbox.world.venues = {v.id: v for v in RESY_VENUES}  # reset before the next test
    return resy_sandbox


async def match_all(
    db: Database, settings: Settings, clock: FrozenClock, google_url: str, tokens: LoggedIn
) -> list[tuple[Case, int | None]]:
    answers: list[tuple[Case, int | None]] = []
    async with httpx.AsyncClient() as http:
        places = GooglePlacesClient(http, api_key=SANDBOX_API_KEY, base_url=google_url)
        resy = ResyClient(http, settings, tokens=tokens)
        for case in CASES:
            near = LatLng(latitude=case.place.latitude, longitude=case.place.longitude)
            page = await places.search_text(case.place.name, near=near)
            (found,) = [p for p in page.places if p.id == case.place.id]
            async with db.unit_of_work() as session:
                row = await cache.remember_place(session, found, now=clock.now())
            venue_id = await VenueMatcher(db, resy, now=clock.now()).find_resy_venue(row)
            answers.append((case, venue_id))
    return answers


async def test_precision_and_recall_on_the_labelled_set(
    db: Database, labelled_resy: ResySandbox, labelled_google: str, clock: FrozenClock,
    resy_settings: Settings,
) -> None:  # fmt: skip
    async with httpx.AsyncClient() as http:
        login = await ResyClient(http, resy_settings).login(DEMO_EMAIL, DEMO_PASSWORD)
    tokens = LoggedIn(login.token.get_secret_value())

    before = sum(labelled_resy.counts().values())
    answers = await match_all(db, resy_settings, clock, labelled_google, tokens)
    resy_requests = sum(labelled_resy.counts().values()) - before

    matched = [(c, got) for c, got in answers if got is not None]
    right = [(c, got) for c, got in matched if got == c.expected]
    wrong = [(c, got) for c, got in matched if got != c.expected]
    on_resy = [c for c in CASES if c.expected is not None]
    missed = [c for c, got in answers if c.expected is not None and got != c.expected]
    precision = len(right) / len(matched)
    recall = len(right) / len(on_resy)
    print(
        f"\nvenue matching: {len(CASES)} labelled cases ({len(on_resy)} on Resy, "
        f"{len(CASES) - len(on_resy)} not): precision {precision:.3f} "
        f"({len(right)}/{len(matched)}), recall {recall:.3f} ({len(right)}/{len(on_resy)}); "
        f"{resy_requests / len(CASES):.1f} Resy requests per place matched"
    )
    for c in missed:
        print(f"  missed: {c.place.name} ({c.label})")
    for c, got in wrong:
        print(f"  WRONG: {c.place.name} ({c.label}) -> {got}, expected {c.expected}")
    assert len(CASES) >= 40
    assert not wrong, "a wrong restaurant is worse than none"
    assert precision == 1.0
    assert recall >= 0.9


async def cache_row(db: Database, sandbox_place: SandboxPlace, clock: FrozenClock) -> Restaurant:
    async with db.unit_of_work() as session:
        row = Restaurant(
            place_id=sandbox_place.id,
            name=sandbox_place.name,
            name_key=name_key(sandbox_place.name),
            address=sandbox_place.formatted_address,
            street_number=sandbox_place.street_number,
            latitude=sandbox_place.latitude,
            longitude=sandbox_place.longitude,
            seen_at=clock.now(),
        )
        session.add(row)
    return row


async def test_the_answer_is_cached_so_a_second_ask_costs_nothing(
    db: Database, labelled_resy: ResySandbox, resy_settings: Settings, clock: FrozenClock,
) -> None:  # fmt: skip
    don_angie = next(c for c in CASES if c.expected == 1505).place
    katz = next(c for c in CASES if c.place.name.startswith("Katz")).place
    async with httpx.AsyncClient() as http:
        resy = ResyClient(http, resy_settings)
        await resy.login(DEMO_EMAIL, DEMO_PASSWORD)
        matcher = VenueMatcher(db, resy, now=clock.now())
        assert await matcher.find_resy_venue(await cache_row(db, don_angie, clock)) == 1505
        assert await matcher.find_resy_venue(await cache_row(db, katz, clock)) is None

        before = labelled_resy.counts()
        async with db.unit_of_work(write=False) as session:
            rows = {r.place_id: r for r in await session.scalars(select(Restaurant))}
        later = VenueMatcher(db, resy, now=clock.now() + timedelta(days=6))
        assert await later.find_resy_venue(rows[don_angie.id]) == 1505
        assert await later.find_resy_venue(rows[katz.id]) is None
        assert labelled_resy.counts() == before
    assert rows[don_angie.id].url_slug == "don-angie-nyc"
    assert rows[katz.id].recheck_after == clock.now() + timedelta(days=7)


# --- the rule itself, case by case (pure: no I/O)


def facts(place_id: str, name: str, address: str, lat: float, lng: float) -> PlaceFacts:
    return PlaceFacts(
        place_id, name_key(name), street_numbers(address), street_name(address), lat, lng
    )


def resy_venue(name: str, address: str, lat: float, lng: float, google: str | None) -> Venue:
    return Venue(
        resy_id=1, google_place_id=google, name=name, address_1=address, latitude=lat,
        longitude=lng, locality="New York",
    )  # fmt: skip


def test_a_different_place_id_is_never_overruled_by_a_look_alike_name() -> None:
    place = facts("ChIJmine", "Joe's Pizza", "7 Carmine St", 40.73058, -74.00215)
    other = resy_venue("Joe's Pizza", "7 Carmine St", 40.7306, -74.0022, google="ChIJtheirs")
    # Same name, same address, right here, and a different place id: only an exact name at the
    # same number outweighs it (Google reissued the id), which this is.
    assert judge(place, other).how is not None
    near_name = resy_venue("Joes Pizza Bar", "7 Carmine St", 40.7306, -74.0022, "ChIJtheirs")
    assert judge(place, near_name).how is None


def test_a_different_house_number_is_never_overruled_by_distance() -> None:
    place = facts("ChIJa", "Tacombi", "267 Elizabeth St", 40.72453, -73.99337)
    branch = resy_venue("Tacombi", "255 Elizabeth St", 40.72470, -73.99330, google=None)
    assert judge(place, branch).how is None  # 20 m apart, but another door


def test_a_matching_house_number_in_another_city_is_not_a_match() -> None:
    place = facts("ChIJa", "Tacombi", "23 W Hubbard St", 41.88990, -87.62910)
    nyc = resy_venue("Tacombi", "23 W 33rd St", 40.74770, -73.98630, google=None)
    assert judge(place, nyc).how is None


class ResyOfVenues:
    """The two venue calls over a list of venues, refusing a search without words, as a Resy
    version might."""

    def __init__(self, venues: list[Venue]) -> None:
        self.venues = {v.resy_id: v for v in venues}
        self.calls: list[str] = []

    async def venue_search(
        self,
        query: str,
        *,
        latitude: float | None = None,
        longitude: float | None = None,
        per_page: int = 20,
    ) -> list[VenueHit]:
        self.calls.append(f"search {query!r}")
        if not query:
            raise UnrecognisedResponse("query is required", status=400)
        words = set(query.lower().split())
        return [
            VenueHit(venue_id=v.resy_id, name=v.name, latitude=v.latitude, longitude=v.longitude)
            for v in self.venues.values()
            if words & set(v.name.lower().split())
        ][:per_page]

    async def venue(self, venue_id: int) -> Venue:
        self.calls.append(f"venue {venue_id}")
        return self.venues[venue_id]


async def test_a_resy_that_refuses_a_search_without_words_still_gets_an_answer(
    db: Database, clock: FrozenClock,
) -> None:  # fmt: skip
    carbone = Venue(resy_id=6194, name="Carbone", address_1="181 Thompson St",
                    latitude=40.72793, longitude=-74.00019)  # fmt: skip
    resy = ResyOfVenues([carbone])
    katz = next(c for c in CASES if c.place.name.startswith("Katz")).place
    row = await cache_row(db, katz, clock)
    assert await VenueMatcher(db, resy, now=clock.now()).find_resy_venue(row) is None
    assert resy.calls == ['search "Katz\'s Delicatessen"', "search ''"]
    assert row.recheck_after == clock.now() + timedelta(days=7)
