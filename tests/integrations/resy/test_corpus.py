"""Every payload of the corpus (see corpus/SOURCES), served as recorded and read by ResyClient
over loopback HTTP, with the fields the booking flow needs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from concierge.integrations.resy.client import ResyClient
from concierge.integrations.resy.errors import (
    AuthExpired,
    BadCredentials,
    BlockedOrCaptcha,
    RateLimited,
    ResyError,
    SlotTaken,
    Unavailable,
    UnrecognisedResponse,
)
from concierge.integrations.resy.schemas import BookingDetails, Slot, VenueRef
from tests.integrations.resy.replay import Answer, RecordedResy

pytestmark = pytest.mark.anyio

CORPUS = Path(__file__).parent / "corpus"


def recorded(name: str, status: int = 200, **headers: str) -> Answer:
    text = (CORPUS / name).read_text()
    body: Any = json.loads(text) if name.endswith(".json") else text
    return Answer(status, body, dict(headers))


@pytest.fixture
async def client(recorded_resy: RecordedResy, tmp_path: Path) -> AsyncIterator[ResyClient]:
    async with httpx.AsyncClient() as http:
        yield ResyClient(http, recorded_resy.settings(tmp_path), token="token-0", backoff=0.01)


def carbone_slot() -> Slot:
    venue = VenueRef(id=6194, name="Carbone", url_slug="carbone", location_code="ny")
    return Slot(token="cfg-7pm", start=datetime(2026, 5, 1, 19), venue=venue)


# --- /4/find


async def test_alkaar_find_2022_names_no_venue_so_it_is_never_taken_as_the_one_asked_for(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /4/find", recorded("alkaar_find_2022.json"))

    availability = await client.find(1505, date(2022, 1, 30), 2)

    assert availability.slots == []
    assert recorded_resy.seen[0].query["venue_id"] == ["1505"]


async def test_alkaar_find_none_2022_is_no_tables(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /4/find", recorded("alkaar_find_none_2022.json"))

    assert (await client.find(1505, date(2022, 1, 30), 2)).slots == []


# --- /3/details


async def test_alkaar_details_2022_gives_the_book_token_and_card(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/details", Answer(405, {"message": "Method Not Allowed"}))
    recorded_resy.on("GET /3/details", recorded("alkaar_details_2022.json"))

    details = await client.details(carbone_slot(), 2)

    assert details.book_token == "BOOK_TOKEN"
    assert [m.id for m in details.payment_methods] == [42]
    assert recorded_resy.seen[-1].query["config_id"] == ["cfg-7pm"]


async def test_resy_mcp_details_2026_with_an_empty_expiry(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/details", recorded("resy_mcp_details_2026.json"))

    details = await client.details(carbone_slot(), 2)

    assert (details.book_token, details.book_token_expires) == ("BK-1", None)
    assert details.venue_name == "Carbone"
    assert details.slot == carbone_slot()


# --- /3/book


@pytest.mark.parametrize(
    ("name", "token", "reservation_id"),
    [("alkaar_book_2022.json", "RESY_TOKEN", None), ("resy_mcp_book_2026.json", "rr://new", 9001)],
)
async def test_book_answers_give_the_resy_token(
    recorded_resy: RecordedResy, client: ResyClient, name: str, token: str, reservation_id: int
) -> None:
    recorded_resy.on("POST /3/book", recorded(name))
    details = BookingDetails(book_token="BK-1", slot=carbone_slot(), party_size=2)

    booking = await client.book(details, payment_method_id=55)

    assert (booking.resy_token, booking.reservation_id) == (token, reservation_id)
    assert recorded_resy.count("POST /3/book") == 1
    assert "struct_payment_method=%7B%22id%22%3A55%7D" in recorded_resy.seen[-1].body


# --- /3/user/reservations and /3/cancel


async def test_resy_mcp_reservations_2026_name_from_the_venues_map(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /3/user/reservations", recorded("resy_mcp_reservations_2026.json"))

    [row] = (await client.my_reservations()).reservations

    assert (row.resy_token, row.venue_id, row.venue_name) == ("rr://abc", 1, "The Ordinary")
    assert (row.day, row.time.isoformat(), row.num_seats) == (date(2099, 12, 31), "19:30:00", 4)
    assert (row.cancellation_allowed, row.cancellation_fee, row.cancelled) == (True, 25, False)


async def test_resy_mcp_cancel_refused_2026_is_not_reported_as_cancelled(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/cancel", recorded("resy_mcp_cancel_refused_2026.json"))

    with pytest.raises(ResyError):
        await client.cancel("rr://late")
    assert recorded_resy.count("POST /3/cancel") == 1


async def test_resy_mcp_cancel_2026_is_cancelled_without_a_refund_said(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/cancel", recorded("resy_mcp_cancel_2026.json"))

    assert await client.cancel("rr://abc") is None
    assert recorded_resy.seen[-1].body == "resy_token=rr%3A%2F%2Fabc"


async def test_resy_mcp_cancel_failed_2026_is_not_reported_as_cancelled(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/cancel", recorded("resy_mcp_cancel_failed_2026.json"))

    with pytest.raises(ResyError):
        await client.cancel("rr://x")
    assert recorded_resy.count("POST /3/cancel") == 1


# --- venues


async def test_resy_snipe_venuesearch_2026_lists_every_hit(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/venuesearch/search", recorded("resy_snipe_venuesearch_2026.json"))

    hits = await client.venue_search("astoria", latitude=40.77, longitude=-73.92)

    assert [(h.venue_id, h.name) for h in hits] == [
        (67463, "Mayahuel"),
        (50923, "Rivercrest"),
        (65245, "Sala - Astoria"),
    ]
    assert {(h.location_code, h.region, h.neighborhood) for h in hits} == {("ny", "NY", "Astoria")}
    assert hits.skipped == 0


async def test_resy_snipe_venue_2026_zone_from_locale_and_google_place(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /3/venue", recorded("resy_snipe_venue_2026.json"))

    venue = await client.venue(49716)

    assert (venue.resy_id, venue.name, venue.url_slug) == (49716, "Astoria DC", "astoria-dc")
    assert venue.google_place_id == "ChIJV6E7A4u3t4kR_5p2Jx0dvTs"
    assert (venue.time_zone, venue.location_code) == ("EST5EDT", "dc")
    assert (venue.address_1, venue.postal_code) == ("1521 17th St. NW", "20036")


# --- error bodies


async def test_resy_mcp_419_mid_call_is_an_expired_login(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /2/user", recorded("resy_mcp_419.json", 419))

    with pytest.raises(AuthExpired):
        await client.current_user()


async def test_resy_mcp_cloudfront_403_is_blocked_with_the_deep_link(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    page = recorded("resy_mcp_cloudfront_403.html", 403, **{"x-cache": "Error from cloudfront"})
    recorded_resy.on("POST /3/details", page)

    with pytest.raises(BlockedOrCaptcha, match="blocked") as raised:
        await client.details(carbone_slot(), 2)

    assert raised.value.deep_link == "https://resy.com/cities/ny/carbone?date=2026-05-01&seats=2"
    assert recorded_resy.count("POST /3/details") == 1


# --- amoghnayak07/resy-reservation-agent, 2026


def chop_house_slot() -> Slot:
    venue = VenueRef(id=87134, url_slug="brooklyn-chop-house-downtown-fidi", location_code="ny")
    token = "rgs://resy/87134/3533618/2/2026-10-22/2026-10-22/20:00:00/2/Dining Room"
    return Slot(token=token, start=datetime(2026, 10, 22, 20), venue=venue)


async def test_amogh_find_2026_reads_the_tables_of_the_venue(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /4/find", recorded("amogh_find_2026.json"))

    availability = await client.find(87134, date(2026, 10, 22), 2)

    assert availability.venue is not None
    assert (availability.venue.name, availability.venue.time_zone) == (
        "Brooklyn Chop House - Downtown FIDI",
        "EST5EDT",
    )
    assert availability.venue.location_code == "ny"
    assert [s.start.strftime("%H:%M") for s in availability.slots] == [
        "20:00",
        "20:30",
        "21:00",
        "21:30",
        "22:00",
    ]
    first = availability.slots[0]
    assert first.token == chop_house_slot().token
    assert (first.type, first.config_id, first.max_size, first.is_paid) == (
        "Dining Room",
        "1829819",
        2,
        False,
    )
    assert availability.skipped == 0


async def test_amogh_find_2026_behind_a_related_venue_still_gives_the_one_asked_for(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    answer = json.loads((CORPUS / "amogh_find_2026.json").read_text())
    [entry] = answer["results"]["venues"]
    neighbour = json.loads(json.dumps(entry))
    neighbour["venue"]["id"] = {"resy": 87135}
    neighbour["venue"]["name"] = "Brooklyn Chop House - Times Square"
    neighbour["slots"] = neighbour["slots"][:1]
    answer["results"]["venues"] = [neighbour, entry]
    recorded_resy.on("GET /4/find", answer)

    availability = await client.find(87134, date(2026, 10, 22), 2)

    assert availability.venue is not None
    assert availability.venue.id == 87134
    assert len(availability.slots) == 5


async def test_amogh_details_commit1_2026_gives_the_book_token_and_terms(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/details", recorded("amogh_details_commit1_2026.json"))

    details = await client.details(chop_house_slot(), 2)

    assert details.book_token == "SCRUBBED_BOOK_TOKEN"
    assert details.book_token_expires is not None
    assert details.book_token_expires.isoformat() == "2026-09-27T12:06:55+00:00"
    assert details.cancellation_cut_off is not None
    assert details.cancellation_cut_off.isoformat() == "2026-10-22T16:00:00+00:00"
    assert (details.cancellation_fee, details.payment_methods) == (None, [])
    sent = json.loads(recorded_resy.seen[-1].body)
    assert sent == {
        "config_id": chop_house_slot().token,
        "day": "2026-10-22",
        "party_size": 2,
        "commit": 1,
    }


async def test_amogh_details_commit0_2026_without_a_book_token_is_not_understood(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/details", recorded("amogh_details_commit0_2026.json"))

    with pytest.raises(UnrecognisedResponse):
        await client.details(chop_house_slot(), 2)


async def test_amogh_book_2026_gives_the_resy_token(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/book", recorded("amogh_book_2026.json"))
    details = BookingDetails(book_token="SCRUBBED_BOOK_TOKEN", slot=chop_house_slot(), party_size=2)

    booking = await client.book(details)

    assert (booking.resy_token, booking.reservation_id) == ("SCRUBBED_RESY_TOKEN", 933020068)
    assert "book_token=SCRUBBED_BOOK_TOKEN" in recorded_resy.seen[-1].body


async def test_amogh_calendar_2026_days_and_last_day(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /4/venue/calendar", recorded("amogh_calendar_2026.json"))

    calendar = await client.calendar(87134, 2, date(2026, 9, 27), date(2026, 9, 29))

    assert calendar.last_calendar_day == date(2026, 10, 31)
    assert [(d.day.isoformat(), d.available) for d in calendar.days] == [
        ("2026-09-27", False),
        ("2026-09-28", True),
        ("2026-09-29", True),
    ]
    assert recorded_resy.seen[-1].query["num_seats"] == ["2"]


async def test_amogh_venuesearch_2026_hits_with_coordinates(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/venuesearch/search", recorded("amogh_venuesearch_2026.json"))

    mori, amor_loco = await client.venue_search("amori", latitude=40.73, longitude=-74.0)

    assert (mori.venue_id, mori.name, mori.url_slug, mori.cuisine) == (
        79015,
        "Mori",
        "mori",
        ["Japanese"],
    )
    assert (mori.latitude, mori.longitude) == (40.7272759747071, -74.0020662320965)
    assert (amor_loco.venue_id, amor_loco.location_code) == (52750, "ny")


# --- accounts (/3/auth/password, /2/user)


async def test_resy_snipe_login_2026_gives_the_user_token_and_card(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/auth/password", recorded("resy_snipe_login_2026.json"))

    login = await client.login("u@x.io", "pw")

    assert (login.id, login.email, login.payment_method_id) == (99, "u@x.io", 42)
    assert login.token.get_secret_value().endswith(".sig")
    sent = recorded_resy.seen[-1]
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.body == "email=u%40x.io&password=pw"


async def test_resy_mcp_login_419_2026_blames_the_password_and_echoes_no_token(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/auth/password", recorded("resy_mcp_login_419_2026.json", 419))
    recorded_resy.on("GET /2/config", {})

    with pytest.raises(BadCredentials) as raised:
        await client.login("test@example.com", "pw")

    assert "eyJ" not in str(raised.value)
    assert recorded_resy.count("GET /2/config") == 1


async def test_resy_mcp_user_2026_without_an_id_still_lists_the_cards(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /2/user", recorded("resy_mcp_user_2026.json"))

    user = await client.current_user()

    assert (user.id, user.first_name, user.email) == (None, "Chris", "chris@example.com")
    assert [m.id for m in user.payment_methods] == [55, 77]


async def test_calls_carry_the_web_apps_headers_as_resy_mcp_asserts_them(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /2/user", recorded("resy_mcp_user_2026.json"))

    await client.current_user()

    sent = {name.lower(): value for name, value in recorded_resy.seen[-1].headers.items()}
    assert sent["authorization"].startswith('ResyAPI api_key="')
    assert sent["x-resy-auth-token"] == sent["x-resy-universal-auth"] == "token-0"
    assert (sent["origin"], sent["referer"]) == ("https://resy.com", "https://resy.com/")
    assert sent["user-agent"].startswith("Mozilla/5.0")


# --- error bodies, as resy-snipe classifies them


EXPECTED_ON_USER: dict[str, type[ResyError]] = {
    "401 unauthorized": AuthExpired,
    "401 with specific message": AuthExpired,
    "429 too many requests": RateLimited,
    "410 gone implies book token expired": SlotTaken,
    "403 with captcha marker = anti-bot": BlockedOrCaptcha,
    "403 with challenge marker = anti-bot": BlockedOrCaptcha,
    "specific_code BOOK_TOKEN_EXPIRED on 400": SlotTaken,
    "specific_code SLOT_NOT_AVAILABLE on 400": SlotTaken,
    "specific_code RATE_LIMITED on 400": RateLimited,
    "specific_code AUTH_REQUIRED on 400": AuthExpired,
    "TestClassifyServerErrorWrapped": Unavailable,
    "TestClassifyHandlesNonJSONBody": AuthExpired,
}


@pytest.mark.parametrize(
    ("case", "status", "body"),
    [
        (row["case"], row["status"], row["body"])
        for row in json.loads((CORPUS / "resy_snipe_error_bodies_2026.json").read_text())
    ],
)
async def test_resy_snipe_error_bodies_2026_are_each_read_as_what_they_mean(
    recorded_resy: RecordedResy, client: ResyClient, case: str, status: int, body: Any
) -> None:
    recorded_resy.on("POST /3/details", Answer(status, body))

    with pytest.raises(ResyError) as raised:
        await client.details(carbone_slot(), 2)

    assert type(raised.value) is EXPECTED_ON_USER[case]
    assert raised.value.status == status


async def test_resy_snipe_409_slot_not_available_on_book_is_a_taken_slot_not_a_closed_account(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    [_, on_book] = json.loads((CORPUS / "resy_snipe_book_errors_2026.json").read_text())
    recorded_resy.on("POST /3/book", Answer(on_book["status"], on_book["body"]))
    details = BookingDetails(book_token="tok", slot=carbone_slot(), party_size=2)

    with pytest.raises(SlotTaken):
        await client.book(details, payment_method_id=42)
    assert recorded_resy.count("POST /3/book") == 1
    assert recorded_resy.count("GET /3/user/reservations") == 0


async def test_resy_snipe_410_book_token_expired_on_details_is_a_taken_slot(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    [on_details, _] = json.loads((CORPUS / "resy_snipe_book_errors_2026.json").read_text())
    recorded_resy.on("POST /3/details", Answer(on_details["status"], on_details["body"]))

    with pytest.raises(SlotTaken):
        await client.details(carbone_slot(), 2)


# --- /3/venue, 2026


async def test_amogh_venue_2026_zone_google_place_and_no_captcha(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /3/venue", recorded("amogh_venue_2026.json"))

    venue = await client.venue(87134)

    assert (venue.resy_id, venue.url_slug) == (87134, "brooklyn-chop-house-downtown-fidi")
    assert venue.google_place_id == "ChIJfzUD4QJbwokRAZ0n7-0CxuM"
    assert (venue.time_zone, venue.location_code, venue.postal_code) == ("EST5EDT", "ny", "10038")
    assert (venue.max_party_size, venue.feature_recaptcha) == (6, False)
    assert recorded_resy.seen[-1].query["id"] == ["87134"]


# --- feature_recaptcha: a refusal at a captcha venue sends the person to resy.com


def captcha_find_answer(flag: bool) -> Any:
    """amogh_find_2026.json as recorded, with the venue's feature_recaptcha set to ``flag``."""
    answer = json.loads((CORPUS / "amogh_find_2026.json").read_text())
    answer["results"]["venues"][0]["venue"]["feature_recaptcha"] = flag
    return answer


@pytest.mark.parametrize("flag", [False, True])
async def test_find_carries_the_venues_feature_recaptcha_on_each_slot(
    recorded_resy: RecordedResy, client: ResyClient, flag: bool
) -> None:
    recorded_resy.on("GET /4/find", captcha_find_answer(flag))

    availability = await client.find(87134, date(2026, 10, 22), 2)

    assert {s.venue.feature_recaptcha for s in availability.slots if s.venue} == {flag}


async def booking_refused_with_a_bare_400(
    recorded_resy: RecordedResy, client: ResyClient, flag: bool
) -> ResyError:
    recorded_resy.on("GET /4/find", captcha_find_answer(flag))
    recorded_resy.on("POST /3/book", Answer(400, {"message": "Bad Request"}))
    recorded_resy.on("GET /3/user/reservations", {"reservations": [], "metadata": {"total": 0}})
    [slot, *_] = (await client.find(87134, date(2026, 10, 22), 2)).slots
    details = BookingDetails(book_token="SCRUBBED_BOOK_TOKEN", slot=slot, party_size=2)
    with pytest.raises(ResyError) as raised:
        await client.book(details)
    assert recorded_resy.count("POST /3/book") == 1
    return raised.value


async def test_a_refused_booking_at_a_captcha_venue_offers_the_deep_link_at_once(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    refused = await booking_refused_with_a_bare_400(recorded_resy, client, flag=True)

    assert isinstance(refused, BlockedOrCaptcha)
    link = "https://resy.com/cities/ny/brooklyn-chop-house-downtown-fidi?date=2026-10-22&seats=2"
    assert refused.deep_link == link
    assert link in refused.message
    assert refused.status == 400


async def test_the_same_refusal_elsewhere_says_no_table_was_booked(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    refused = await booking_refused_with_a_bare_400(recorded_resy, client, flag=False)

    assert type(refused) is Unavailable
    assert "no table was booked" in refused.message


# --- the person's lists


async def test_resy_mcp_favorites_2026_lists_the_venues_and_skips_one_without_an_id(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /3/user/favorites", recorded("resy_mcp_favorites_2026.json"))

    [hank] = await client.favorites()

    assert (hank.venue_id, hank.name, hank.cuisine, hank.price_range) == (
        9575,
        "Hank's Seafood",
        "Seafood",
        2,
    )
    assert (hank.locality, hank.region, hank.neighborhood) == ("Charleston", "SC", "Downtown")


async def test_resy_mcp_notify_2026_reads_the_window_and_skips_one_without_an_id(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("GET /3/notify", recorded("resy_mcp_notify_2026.json"))

    [request] = await client.notify_requests()

    assert (request.notify_id, request.venue_id, request.day, request.party_size) == (
        127233046,
        2747,
        date(2026, 4, 24),
        2,
    )
    assert (request.start, request.end) == (time(18, 0), time(20, 30))


async def test_adding_a_notify_request_sends_the_form_public_clients_send(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/notify", Answer(200, {"notify_id": 7}))
    recorded_resy.on("POST /3/user/favorites", Answer(200, {"ok": True}))
    recorded_resy.on("DELETE /3/notify/7", Answer(200, {"ok": True}))

    await client.add_notify(101, date(2026, 5, 1), 2, time(19), time(21))
    await client.set_favorite(101, False)
    await client.remove_notify(7)

    notify, favorite, removed = recorded_resy.seen
    assert parse_qs(notify.body) == {
        "venue_id": ["101"],
        "day": ["2026-05-01"],
        "party_size": ["2"],
        "time_preferred_start": ["19:00:00"],
        "time_preferred_end": ["21:00:00"],
    }
    assert parse_qs(favorite.body) == {"venue_id": ["101"], "favorite": ["0"]}
    assert (removed.method, removed.path) == ("DELETE", "/3/notify/7")


async def test_amogh_details_commit1_2026_keeps_the_venues_cancellation_policy(
    recorded_resy: RecordedResy, client: ResyClient
) -> None:
    recorded_resy.on("POST /3/details", recorded("amogh_details_commit1_2026.json"))

    details = await client.details(carbone_slot(), 2)

    assert details.cancellation_policy == [
        "While you won't be charged if you need to cancel, we ask that you do so at least 24 "
        "hours in advance."
    ]
