"""The defects real Resy answers exposed, each replayed through ResyClient over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from concierge.integrations.resy.client import ResyClient
from concierge.integrations.resy.errors import (
    AuthExpired,
    BadCredentials,
    BlockedOrCaptcha,
    UnrecognisedResponse,
)
from concierge.integrations.resy.schemas import Slot, VenueRef
from tests.integrations.resy.replay import Answer, RecordedResy, html

pytestmark = pytest.mark.anyio

FRIDAY = date(2026, 11, 27)
DON_ANGIE, NEIGHBOUR = 1505, 7777


def venue_entry(venue_id: int, name: str, *tokens: str | None, **venue: Any) -> dict[str, Any]:
    slots = [
        {
            "config": {"id": 100 + i, "type": "Dining Room", **({"token": t} if t else {})},
            "date": {"start": f"2026-11-27 {18 + i}:00:00", "end": f"2026-11-27 {19 + i}:30:00"},
            "size": {"min": 1, "max": 4},
        }
        for i, t in enumerate(tokens)
    ]
    return {"venue": {"id": {"resy": venue_id}, "name": name, **venue}, "slots": slots}


def find_body(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"query": {"day": "2026-11-27", "party_size": 2}, "results": {"venues": list(entries)}}


class Logins:
    """A token source that logs in again on demand, counting how often."""

    def __init__(self) -> None:
        self.renewed = 0

    async def current_token(self) -> str:
        return f"token-{self.renewed}"

    async def renew_token(self, rejected: str) -> str:
        self.renewed += 1
        return f"token-{self.renewed}"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def client(recorded_resy: RecordedResy, http: httpx.AsyncClient, tmp_path: Path) -> ResyClient:
    return ResyClient(http, recorded_resy.settings(tmp_path), token="token-0", backoff=0.01)


# --- only the venue asked for


async def test_find_reads_the_requested_venue_even_when_a_related_one_comes_first(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on(
        "GET /4/find",
        find_body(
            venue_entry(NEIGHBOUR, "Don Angie Bar", "rgs://neighbour/1"),
            venue_entry(DON_ANGIE, "Don Angie", "rgs://don-angie/1", "rgs://don-angie/2"),
        ),
    )

    availability = await client.find(DON_ANGIE, FRIDAY, 2)

    assert availability.venue is not None
    assert availability.venue.id == DON_ANGIE
    assert [s.token for s in availability.slots] == ["rgs://don-angie/1", "rgs://don-angie/2"]
    assert all(s.venue is not None and s.venue.id == DON_ANGIE for s in availability.slots)


async def test_find_listing_only_another_venue_means_no_tables(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /4/find", find_body(venue_entry(NEIGHBOUR, "Elsewhere", "rgs://n/1")))

    availability = await client.find(DON_ANGIE, FRIDAY, 2)

    assert availability.slots == []
    assert availability.venue is None


# --- one odd row is skipped and counted, the rest stands


async def test_a_slot_without_a_token_is_skipped_and_counted(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on(
        "GET /4/find", find_body(venue_entry(DON_ANGIE, "Don Angie", "rgs://a", None, "rgs://c"))
    )

    availability = await client.find(DON_ANGIE, FRIDAY, 2)

    assert [s.token for s in availability.slots] == ["rgs://a", "rgs://c"]
    assert availability.skipped == 1


async def test_a_search_hit_without_an_id_is_skipped_and_counted(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    hits = [
        {"id": {"resy": DON_ANGIE}, "name": "Don Angie", "url_slug": "don-angie"},
        {"name": "A hit with no id at all"},
        {"id": {"resy": 6194}, "name": "Carbone", "url_slug": "carbone"},
    ]
    recorded_resy.on("POST /3/venuesearch/search", {"search": {"hits": hits}})

    found = await client.venue_search("don")

    assert [h.venue_id for h in found] == [DON_ANGIE, 6194]
    assert found.skipped == 1


async def test_a_reservation_without_a_resy_token_is_skipped_and_counted(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    row = {"day": "2026-11-27", "time_slot": "19:00:00", "num_seats": 2}
    recorded_resy.on(
        "GET /3/user/reservations",
        {
            "reservations": [
                {**row, "resy_token": "rr://one", "venue": {"id": DON_ANGIE}},
                {**row, "venue": {"id": DON_ANGIE}},
                {**row, "resy_token": "rr://three", "venue": {"id": 6194}},
            ],
            "venues": {},
        },
    )

    page = await client.my_reservations()

    assert [r.resy_token for r in page.reservations] == ["rr://one", "rr://three"]
    assert page.skipped == 1


async def test_an_answer_with_no_usable_row_says_so(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/venuesearch/search", {"search": {"hits": [{"name": "no id"}]}})

    with pytest.raises(
        UnrecognisedResponse, match=r"none of which Concierge could read \(1 skipped"
    ):
        await client.venue_search("don")


async def test_venue_search_takes_region_as_an_object(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    hit = {
        "id": {"resy": DON_ANGIE},
        "name": "Don Angie",
        "region": {"id": "NY", "name": "New York"},
        "locality": "New York",
        "location": {"code": "ny", "name": "New York"},
    }
    recorded_resy.on("POST /3/venuesearch/search", {"search": {"hits": [hit]}})

    [found] = await client.venue_search("don angie")

    assert (found.venue_id, found.region, found.location_code) == (DON_ANGIE, "NY", "ny")


# --- an expired login, however Resy says it


LOGIN_PAGE = (
    "<!doctype html><html><head><title>Log in | Resy</title></head><body>"
    "<form action='/login'><input type=password name=password></form></body></html>"
)


@pytest.mark.parametrize(
    "expired",
    [
        Answer(302, "", {"Location": "https://resy.com/login?redirect=%2F"}),
        html(200, LOGIN_PAGE),
    ],
    ids=["302-to-login", "html-login-page"],
)
async def test_a_login_page_is_an_expired_login_one_relogin_one_retry(
    recorded_resy: RecordedResy, http: httpx.AsyncClient, tmp_path: Path, expired: Answer
) -> None:
    logins = Logins()
    client = ResyClient(http, recorded_resy.settings(tmp_path), tokens=logins, backoff=0.01)
    recorded_resy.on("GET /2/user", expired, {"id": 42, "first_name": "Ada"})

    user = await client.current_user()

    assert user.id == 42
    assert logins.renewed == 1
    assert recorded_resy.count("GET /2/user") == 2
    assert recorded_resy.seen[-1].headers["X-Resy-Auth-Token"] == "token-1"


async def test_a_login_page_that_persists_blames_the_login_not_the_venue(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on(
        "GET /4/find", Answer(302, "", {"Location": "https://resy.com/login?redirect=%2F"})
    )

    with pytest.raises(AuthExpired) as raised:
        await client.find(DON_ANGIE, FRIDAY, 2)

    message = raised.value.message.lower()
    assert "login" in message
    assert not any(word in message for word in ("venue", "date", "party"))


# --- 419 at login: the key or the password?


async def test_a_419_at_login_with_a_rejected_api_key_blames_the_key(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/auth/password", Answer(419, {"message": "Unauthorized"}))
    recorded_resy.on("GET /2/config", Answer(419, {"message": "Unauthorized"}))

    with pytest.raises(UnrecognisedResponse, match="application key") as raised:
        await client.login("ada@example.com", "right-password")

    assert not isinstance(raised.value, BadCredentials)
    [check] = [s for s in recorded_resy.seen if s.path == "/2/config"]
    assert "X-Resy-Auth-Token" not in check.headers  # the key alone is what is checked


async def test_a_419_at_login_with_a_good_key_is_a_wrong_password(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/auth/password", Answer(419, {"message": "Unauthorized"}))
    recorded_resy.on("GET /2/config", {"features": {}})

    with pytest.raises(BadCredentials):
        await client.login("ada@example.com", "wrong-password")
    assert recorded_resy.count("GET /2/config") == 1


# --- block pages


CLOUDFRONT_BLOCK = (
    "<!DOCTYPE HTML PUBLIC><HTML><HEAD><TITLE>ERROR: The request could not be satisfied"
    "</TITLE></HEAD><BODY><H1>403 ERROR</H1><H2>The request could not be satisfied.</H2>"
    "Request blocked. We can't connect to the server for this app or website at this time."
    "<HR>Generated by cloudfront (CloudFront)</BODY></HTML>"
)


def a_slot() -> Slot:
    venue = VenueRef(id=DON_ANGIE, name="Don Angie", url_slug="don-angie", location_code="ny")
    return Slot(token="rgs://don-angie/1", start=datetime(2026, 11, 27, 19), venue=venue)


async def test_a_cloudfront_block_page_is_called_blocked_with_the_deep_link(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    blocked = html(403, CLOUDFRONT_BLOCK, **{"X-Cache": "Error from cloudfront"})
    recorded_resy.on("POST /3/details", blocked)
    recorded_resy.on("GET /3/details", blocked)

    with pytest.raises(BlockedOrCaptcha) as raised:
        await client.details(a_slot(), 2)

    link = "https://resy.com/cities/ny/don-angie?date=2026-11-27&seats=2"
    assert raised.value.deep_link == link
    assert "blocked" in raised.value.message.lower()
    assert link in raised.value.message


async def test_an_anti_bot_challenge_page_is_blocked_not_a_server_error(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    challenge = (
        "<html><head><title>Just a moment...</title></head><body>captcha-delivery</body></html>"
    )
    recorded_resy.on("GET /4/find", html(503, CLOUDFRONT_BLOCK), html(200, challenge))

    with pytest.raises(BlockedOrCaptcha, match="blocked"):
        await client.find(DON_ANGIE, FRIDAY, 2)
    assert recorded_resy.count("GET /4/find") == 1  # a block is not retried


# --- time zones and names


@pytest.mark.parametrize(
    ("venue", "zone"),
    [
        ({"location": {"time_zone": "America/Chicago", "code": "chi"}}, "America/Chicago"),
        (
            {"locale": {"time_zone": "America/Los_Angeles"}, "location": {"code": "la"}},
            "America/Los_Angeles",
        ),
        ({"location": {"code": "ny"}}, "America/New_York"),
    ],
    ids=["location", "locale", "city"],
)
async def test_the_venue_time_zone_is_read_where_resy_puts_it(
    recorded_resy: RecordedResy, client: ResyClient, venue: dict[str, Any], zone: str
) -> None:
    recorded_resy.on(
        "GET /4/find", find_body(venue_entry(DON_ANGIE, "Don Angie", "rgs://a", **venue))
    )

    availability = await client.find(DON_ANGIE, FRIDAY, 2)

    assert availability.venue is not None
    assert availability.venue.time_zone == zone


@pytest.mark.parametrize(
    ("share", "name"),
    [
        ({"message": "Reservation at Don Angie on Fri, Nov 27 at 7:00 PM"}, "Don Angie"),
        (
            {"message": "Please RSVP for Via Carota on Friday, November 27 at 7:00 PM."},
            "Via Carota",
        ),
    ],
    ids=["reservation-at", "please-rsvp"],
)
async def test_a_reservation_name_comes_from_the_venues_map_else_the_share_text(
    recorded_resy: RecordedResy, client: ResyClient, share: dict[str, str], name: str
) -> None:
    row = {"day": "2026-11-27", "time_slot": "19:00:00", "num_seats": 2}
    recorded_resy.on(
        "GET /3/user/reservations",
        {
            "reservations": [
                {**row, "resy_token": "rr://mapped", "venue": {"id": 6194}, "share": share},
                {**row, "resy_token": "rr://shared", "venue": {"id": 999}, "share": share},
            ],
            "venues": {"6194": {"name": "Carbone", "locale": {"time_zone": "America/New_York"}}},
        },
    )

    page = await client.my_reservations()

    mapped, shared = page.reservations
    assert (mapped.venue_name, mapped.time_zone) == ("Carbone", "America/New_York")
    assert shared.venue_name == name
