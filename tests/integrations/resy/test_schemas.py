"""Resy's payloads, old shapes and new, read into the same models."""

from __future__ import annotations

from datetime import date, datetime, time

from concierge.integrations.resy.schemas import (
    Availability,
    BookingDetails,
    ReservationsPage,
    User,
    Venue,
    VenueHit,
    deep_link,
)


def test_reservations_in_every_shape_seen_read_the_same() -> None:
    page = ReservationsPage.from_wire(
        {
            "reservations": [
                {
                    "resy_token": "rr://a",
                    "day": "2026-12-04",
                    "time_slot": "19:30:00",
                    "num_seats": 2,
                    "venue": {"id": 1505},
                    "status": "confirmed",
                },
                {
                    "resy_token": "rr://b",
                    "time_slot": {"date": "2026-12-04 19:30:00"},
                    "num_seats": 2,
                    "venue": {"id": {"resy": 1505}},
                },
                {
                    "resy_token": "rr://c",
                    "date": {"start": "2026-12-04 19:30:00"},
                    "num_seats": 2,
                    "venue": {"id": 1505, "name": "Don Angie"},
                    "status": {"cancelled": 1},
                },
            ],
            "venues": {
                "1505": {"name": "Don Angie", "location": {"time_zone": "America/New_York"}}
            },
            "metadata": {"total": 3, "offset": 0, "limit": 20},
        }
    )

    assert {(r.day, r.time, r.venue_id, r.venue_name) for r in page.reservations} == {
        (date(2026, 12, 4), time(19, 30), 1505, "Don Angie")
    }
    assert [r.cancelled for r in page.reservations] == [False, False, True]
    assert page.total == 3


def test_search_hits_at_the_top_or_under_search_with_either_id() -> None:
    hit = {
        "objectID": "418",
        "name": "Lilia",
        "_geoloc": {"lat": 40.7, "lng": -73.9},
        "location": {"code": "ny", "name": "New York"},
        "cuisine": "Italian",
    }
    newer = {"search": {"hits": [{**hit, "id": {"resy": 418}}]}}

    for payload in ({"hits": [hit]}, newer):
        [read] = VenueHit.list_from_search(payload)
        assert (read.venue_id, read.latitude, read.location_code, read.cuisine) == (
            418,
            40.7,
            "ny",
            ["Italian"],
        )


def test_venue_carries_the_google_place_id_when_resy_knows_it() -> None:
    venue = Venue.model_validate(
        {
            "id": {"resy": 1505, "google": "ChIJabc"},
            "name": "Don Angie",
            "extra": [1],
            "location": {"address_1": "103 Greenwich Ave", "code": "ny"},
        }
    )
    unknown = Venue.model_validate({"id": {"resy": 2567, "google": ""}, "name": "Via Carota"})

    assert (venue.resy_id, venue.google_place_id, venue.location_code) == (1505, "ChIJabc", "ny")
    assert unknown.google_place_id is None
    assert not unknown.feature_recaptcha


def test_find_drops_twins_and_tolerates_no_venue() -> None:
    slot = {
        "config": {"id": 1, "type": "Dining Room", "token": "rgs://t"},
        "date": {"start": "2026-11-27 19:00:00", "end": "2026-11-27 20:30:00"},
    }
    twin = {**slot, "config": {**slot["config"], "id": 2}}
    found = Availability.from_find(
        {"results": {"venues": [{"venue": {"id": {"resy": 1505}}, "slots": [slot, twin]}]}}, 1505
    )

    assert [s.config_id for s in found.slots] == ["1"]
    assert found.slots[0].start == datetime(2026, 11, 27, 19, 0)
    assert Availability.from_find({"results": {"venues": []}}, 1505).slots == []


def test_details_read_a_bare_book_token_too() -> None:
    details = BookingDetails.model_validate({"book_token": "abc", "cancellation": {"fee": 25}})
    assert (details.book_token, details.cancellation_fee) == ("abc", 25)


def test_the_card_resy_would_charge_is_the_chosen_one() -> None:
    user = User.model_validate(
        {
            "id": 1,
            "em_address": "a@b.c",
            "payment_method_id": 2,
            "payment_methods": [
                {"id": 1, "is_default": True},
                {"id": 2, "type": "Amex", "display": "1005"},
            ],
        }
    )
    card = user.default_payment_method()
    assert card is not None
    assert card.label == "Amex ending in 1005"
    assert user.email == "a@b.c"


def test_deep_link_names_city_venue_date_and_seats() -> None:
    assert deep_link("ny", "carbone", date(2026, 11, 27), 4) == (
        "https://resy.com/cities/ny/carbone?date=2026-11-27&seats=4"
    )
