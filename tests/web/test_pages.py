"""The booking pages over HTTP: what a visitor sees and what each form does.

The frozen clock reads Monday 2026-11-23 12:00 UTC. Ada (Europe/London, UTC in winter) is
bookable only on Tuesday 2026-12-01 from 09:00 to 10:00, which is 18:00-19:00 in Tokyo.
"""

from __future__ import annotations

import re

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import select

from concierge.clock import FrozenClock
from concierge.db import Database
from concierge.models import ManageLink, Reservation
from tests.fixtures.web import PageReader, Visitor, read, slug_of

pytestmark = pytest.mark.anyio

NINE = "2026-12-01T09:00:00+00:00"
NINE_FIFTEEN = "2026-12-01T09:15:00+00:00"
NINE_THIRTY = "2026-12-01T09:30:00+00:00"


@pytest.fixture
async def ada(make_host):
    return await make_host("Ada Lovelace", "Europe/London", {"2026-12-01": [("09:00", "10:00")]})


@pytest.fixture
async def visitor(client: httpx.AsyncClient, ada) -> Visitor:
    return Visitor(client, await slug_of(client, ada), tz="Asia/Tokyo")


def booking_path(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/bookings/[A-Za-z0-9_-]{43}", location)
    return location


async def test_the_page_names_the_host_and_lists_free_times_in_the_visitors_zone(
    visitor: Visitor,
) -> None:
    response = await visitor.open()

    assert response.status_code == 200
    page = read(response)
    assert "Book time with Ada Lovelace" in page.text
    assert "Ada Lovelace is in Europe/London" in page.text
    assert page.slots == [NINE, NINE_FIFTEEN, NINE_THIRTY]
    assert "December 2026" in page.text  # the month of the first free day
    assert "Tuesday 1 December, 3 times free" in page.text
    assert "Pick a time on Tuesday 1 December" in page.text
    assert "Tuesday 1 December, 18:00" in page.text  # Tokyo time of 09:00 London
    assert "times in Asia/Tokyo" in page.text


async def test_the_visitors_zone_is_named_with_its_offset_and_time_there_now(
    visitor: Visitor,
) -> None:
    page = read(await visitor.open())

    # The frozen clock reads 12:00 UTC: 21:00 in Tokyo.
    assert "Times are shown in Asia/Tokyo (UTC+09:00), where it is now 21:00." in page.text
    assert "Tokyo (UTC+09:00)" in page.text
    assert "Kathmandu (UTC+05:45)" in page.text
    assert "Argentina, Buenos Aires (UTC-03:00)" in page.text
    assert '<optgroup label="Asia">' in (await visitor.open()).text


async def test_a_12_hour_clock_is_shown_when_asked_for_and_the_toggle_offers_24(
    visitor: Visitor,
) -> None:
    response = await visitor.open(clock="12")

    page = read(response)
    assert "Tuesday 1 December, 6:00 pm" in page.text
    assert "Tuesday 1 December, 6:15 pm" in page.text
    assert "where it is now 9:00 pm" in page.text
    assert "Show 24-hour times" in page.text
    assert any("clock=24" in link for link in page.links)
    assert 'data-clock-detect="off"' in response.text
    # Without a clock in the address the browser is asked for its locale's.
    assert 'data-clock-detect="on"' in (await visitor.client.get(f"/book/{visitor.slug}")).text


def calendar_days(page: PageReader) -> list[str]:
    return [link for link in page.links if "day=" in link]


async def test_the_month_calendar_marks_free_days_and_goes_as_far_as_the_horizon(
    visitor: Visitor,
) -> None:
    november = read(await visitor.open(month="2026-11"))

    assert "November 2026" in november.text
    assert calendar_days(november) == []  # nothing free this month
    assert "No free times in November 2026" in november.text
    assert "Previous month" not in november.text  # before today: not offered
    assert "Next month, December 2026" in november.text

    december = read(await visitor.open(month="2026-12"))
    (day_link,) = calendar_days(december)
    assert day_link == (
        f"/book/{visitor.slug}?tz=Asia%2FTokyo&duration=30&clock=24"
        "&month=2026-12&day=2026-12-01#start"
    )
    # Ada takes bookings 60 days ahead: until 22 January, so January is the last month.
    january = read(await visitor.open(month="2027-01"))
    assert "January 2027" in january.text
    assert "Next month" not in january.text
    assert "January 2027" in read(await visitor.open(month="2027-06")).text  # brought back in


async def test_the_address_keeps_the_chosen_day_and_it_lists_that_days_times(
    visitor: Visitor,
) -> None:
    page = read(await visitor.open(month="2026-12", day="2026-12-01"))

    assert page.slots == [NINE, NINE_FIFTEEN, NINE_THIRTY]
    assert page.inputs["month"] == "2026-12"
    assert page.inputs["day"] == "2026-12-01"
    # A day with nothing free, or nonsense, shows the month's first free day instead.
    assert read(await visitor.open(day="2026-12-02")).slots == [NINE, NINE_FIFTEEN, NINE_THIRTY]
    assert read(await visitor.open(day="²⁰²⁶", month="20x6-1")).slots == [
        NINE,
        NINE_FIFTEEN,
        NINE_THIRTY,
    ]


async def test_without_a_zone_the_page_uses_the_hosts_and_asks_the_browser_for_its_own(
    visitor: Visitor,
) -> None:
    response = await visitor.client.get(f"/book/{visitor.slug}")

    assert 'data-tz-detect="on"' in response.text
    assert "Tuesday 1 December, 09:00" in read(response).text


async def test_an_unknown_zone_is_named_and_the_hosts_zone_used(visitor: Visitor) -> None:
    response = await visitor.client.get(f"/book/{visitor.slug}", params={"tz": "Mars/Olympus"})

    assert response.status_code == 200
    page = read(response)
    assert "We do not know the time zone 'Mars/Olympus'" in page.text
    assert "Tuesday 1 December, 09:00" in page.text


async def test_only_the_lengths_the_host_offers_are_listed(
    client: httpx.AsyncClient, ada, visitor: Visitor
) -> None:
    changed = await client.patch(
        f"/v1/users/{ada.id}", json={"booking_durations": [45, 15]}, headers=ada.auth
    )
    assert changed.status_code == 200
    assert changed.json()["booking_durations"] == [15, 45]

    page = read(await visitor.open(duration=45))
    assert page.slots == [NINE, NINE_FIFTEEN]
    assert page.options["duration"] == ["15", "45"]
    assert "45 minutes, times in Asia/Tokyo" in page.text
    # A length the host does not offer falls back to their first.
    assert len(read(await visitor.open(duration=30)).slots) == 4  # 15-minute slots


async def test_an_unknown_page_is_a_404_in_words(client: httpx.AsyncClient) -> None:
    response = await client.get("/book/nobody-here")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Nobody has the booking page 'nobody-here'" in read(response).text


async def test_one_press_of_book_books_and_shows_the_booking_with_a_manage_link(
    visitor: Visitor, db: Database
) -> None:
    await visitor.open()
    booked = await visitor.book(NINE_FIFTEEN, name="Vera Visitor", email="Vera@Example.com")
    path = booking_path(booked)

    response = await visitor.client.get(path)
    assert response.headers["cache-control"] == "no-store"
    page = read(response)
    assert "You are booked" in page.text
    assert "Status Confirmed" in page.text
    assert "Tuesday 1 December 2026, 18:15–18:45" in page.text
    assert "What happens next" in page.text
    assert f"http://concierge.test{path}" in page.links
    assert f"{path}/invite.ics" in page.links
    # The time is off the page for everyone else at once.
    assert NINE_FIFTEEN not in read(await visitor.open()).slots
    async with db.unit_of_work(write=False) as session:
        reservation = await session.scalar(select(Reservation))
        link = await session.scalar(select(ManageLink))
    assert reservation is not None
    assert link is not None
    assert (reservation.status, reservation.guest_id) == ("confirmed", None)
    assert (reservation.guest_name, reservation.guest_email) == ("Vera Visitor", "Vera@example.com")
    token = path.rsplit("/", 1)[1]
    assert token not in link.token_hash  # only the hash is kept


async def active_reservations(db: Database) -> list[tuple[str, str]]:
    async with db.unit_of_work(write=False) as session:
        rows = (await session.scalars(select(Reservation).order_by(Reservation.id))).all()
    return [(r.start_at.isoformat(), r.status) for r in rows if r.status != "cancelled"]


async def test_picking_a_time_holds_it_so_nobody_takes_it_while_the_visitor_types(
    other_browser: httpx.AsyncClient, visitor: Visitor, db: Database
) -> None:
    held = await visitor.pick(NINE)
    assert held.status_code == 204
    assert "concierge_hold=" in held.headers["set-cookie"]
    assert "httponly" in held.headers["set-cookie"].lower()
    rival = Visitor(other_browser, visitor.slug, tz="Europe/Paris")
    assert NINE not in read(await rival.open()).slots
    taken = await rival.book(NINE, name="Rita Rival", email="rita@example.com")
    assert taken.status_code == 409

    booked = booking_path(await visitor.book(NINE))

    assert "You are booked" in read(await visitor.client.get(booked)).text
    assert await active_reservations(db) == [(NINE, "confirmed")]  # the hold, now confirmed


async def test_choosing_another_time_releases_the_first_never_two_holds(
    visitor: Visitor, db: Database
) -> None:
    assert (await visitor.pick(NINE)).status_code == 204
    assert (await visitor.pick(NINE)).status_code == 204  # the same time again: the same hold
    assert (await visitor.pick(NINE_THIRTY)).status_code == 204

    assert await active_reservations(db) == [(NINE_THIRTY, "held")]
    assert NINE in read(await visitor.open()).slots


async def test_leaving_the_page_gives_the_time_back(visitor: Visitor, db: Database) -> None:
    await visitor.pick(NINE)

    left = await visitor.leave()

    assert left.status_code == 204
    assert await active_reservations(db) == []
    assert NINE in read(await visitor.open()).slots


async def test_book_again_after_back_finds_the_booking_already_made(
    visitor: Visitor, db: Database
) -> None:
    await visitor.pick(NINE)
    first = booking_path(await visitor.book(NINE))

    # Back to the form (still showing the time), and Book pressed again.
    again = await visitor.book(NINE)

    assert booking_path(again) == first
    assert await active_reservations(db) == [(NINE, "confirmed")]


async def test_after_back_another_time_is_a_second_booking_not_a_release(
    visitor: Visitor, db: Database
) -> None:
    booking_path(await visitor.book(NINE))

    await visitor.pick(NINE_THIRTY)
    booking_path(await visitor.book(NINE_THIRTY))

    assert await active_reservations(db) == [(NINE, "confirmed"), (NINE_THIRTY, "confirmed")]


async def test_a_taken_time_picked_is_refused_in_the_pages_words(
    other_browser: httpx.AsyncClient, visitor: Visitor
) -> None:
    rival = Visitor(other_browser, visitor.slug, tz="Europe/Paris")
    booking_path(await rival.book(NINE, name="Rita Rival", email="rita@example.com"))

    refused = await visitor.pick(NINE)

    assert refused.status_code == 409
    assert refused.json() == {
        "title": "That time was just taken",
        "message": "Someone else booked 18:00 on Tuesday 1 December a moment ago, so it could "
        "not be held for you. Please pick another time: the list below is up to date.",
    }


async def test_a_hold_without_its_csrf_pair_changes_nothing(visitor: Visitor, db: Database) -> None:
    await visitor.open()
    visitor.client.cookies.delete("concierge_csrf")

    refused = await visitor.pick(NINE)

    assert refused.status_code == 403
    assert await active_reservations(db) == []


async def test_a_lapsed_hold_still_books_when_the_time_is_free(
    visitor: Visitor, clock: FrozenClock, db: Database
) -> None:
    await visitor.pick(NINE)
    clock.advance(minutes=31)  # the visitor went for coffee

    booking_path(await visitor.book(NINE))

    assert await active_reservations(db) == [(NINE, "expired"), (NINE, "confirmed")]


async def test_the_ics_download_holds_the_booking_in_the_visitors_zone(visitor: Visitor) -> None:
    path = booking_path(await visitor.book(NINE))

    response = await visitor.client.get(f"{path}/invite.ics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(response.content).events
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert event.start.isoformat() == "2026-12-01T18:00:00+09:00"
    assert event.end.isoformat() == "2026-12-01T18:30:00+09:00"
    assert str(event["SUMMARY"]) == "Meeting with Ada Lovelace"


async def test_a_bad_email_is_named_next_to_the_field_and_nothing_is_held(
    visitor: Visitor,
) -> None:
    await visitor.open()
    response = await visitor.book(NINE, name="Vera", email="vera-at-example")

    assert response.status_code == 422
    page = read(response)
    assert "Check the form" in page.text
    assert "Enter your email address, like name@example.com." in page.text
    assert page.inputs["name"] == "Vera"
    assert page.inputs["email"] == "vera-at-example"
    assert page.slots == [NINE, NINE_FIFTEEN, NINE_THIRTY]  # the list is there, refreshed
    assert page.checked == [NINE]  # and the chosen time still chosen


async def test_no_time_chosen_is_named(visitor: Visitor) -> None:
    await visitor.open()
    response = await visitor.book("", name="Vera", email="vera@example.com")

    assert response.status_code == 422
    assert "Pick one of the free times." in read(response).text


async def test_a_time_taken_meanwhile_is_explained_and_the_list_refreshed(
    other_browser: httpx.AsyncClient, visitor: Visitor
) -> None:
    rival = Visitor(other_browser, visitor.slug, tz="Europe/Paris")
    await visitor.open()
    await rival.open()
    booking_path(await rival.book(NINE, name="Rita Rival", email="rita@example.com"))

    response = await visitor.book(NINE)

    assert response.status_code == 409
    page = read(response)
    assert "That time was just taken" in page.text
    assert "Someone else booked 18:00 on Tuesday 1 December a moment ago" in page.text
    # Holding 09:00-09:30 took the 30-minute starts that overlap it.
    assert page.slots == [NINE_THIRTY]
    assert page.inputs["name"] == "Vera Visitor"


async def test_the_manage_link_cancels_and_frees_the_time(visitor: Visitor) -> None:
    path = booking_path(await visitor.book(NINE))

    cancelled = await visitor.press(path, "cancel")
    assert booking_path(cancelled) == path

    page = read(await visitor.client.get(path))
    assert "Booking cancelled" in page.text
    assert "Status Cancelled" in page.text
    booking_page = read(await visitor.open())
    assert NINE in booking_page.slots
    # A second press, from a tab still showing the confirmed booking.
    again = await visitor.client.post(f"{path}/cancel", data={"csrf": booking_page.csrf[0]})
    assert again.status_code == 409
    assert "This booking is already over or cancelled." in read(again).text


async def test_a_wrong_manage_link_is_a_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/bookings/" + "x" * 43)

    assert response.status_code == 404
    assert "This booking link is not valid" in read(response).text


async def test_a_form_without_its_csrf_pair_changes_nothing(
    client: httpx.AsyncClient, visitor: Visitor
) -> None:
    page = read(await visitor.open())
    fields = {"start": NINE, "duration": "30", "tz": "Asia/Tokyo", "name": "M", "email": "m@ex.com"}

    # Another site can post the form but can neither read nor send the cookie.
    client.cookies.clear()
    forged = await client.post(f"/book/{visitor.slug}", data={**fields, "csrf": page.csrf[0]})

    assert forged.status_code == 403
    assert "Please try again" in read(forged).text
    assert NINE in read(forged).slots
    wrong = await client.post(f"/book/{visitor.slug}", data={**fields, "csrf": "x" * 43})
    assert wrong.status_code == 403


async def test_pages_load_nothing_from_elsewhere_and_forbid_it(visitor: Visitor) -> None:
    response = await visitor.open()

    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "samesite=strict" in response.headers["set-cookie"].lower()
    assets = read(response).assets
    assert assets
    assert all(a.startswith("/static/") for a in assets)
    for asset in assets:
        served = await visitor.client.get(asset)
        assert served.status_code == 200, asset
    assert '<html lang="en">' in response.text


async def test_the_host_sees_the_guests_name_and_email_in_the_api_and_the_feed(
    client: httpx.AsyncClient, ada, visitor: Visitor
) -> None:
    booking_path(await visitor.book(NINE, name="Vera Visitor", email="vera@example.com"))

    listed = await client.get("/v1/reservations", headers=ada.auth)
    (reservation,) = listed.json()["items"]
    assert (reservation["guest_name"], reservation["guest_email"]) == (
        "Vera Visitor",
        "vera@example.com",
    )
    address = await client.post(f"/v1/users/{ada.id}/calendar-url", headers=ada.auth)
    feed = await client.get(address.json()["url"].replace("http://concierge.test", ""))
    (event,) = Calendar.from_ical(feed.content).events
    assert str(event["ATTENDEE"]) == "mailto:vera@example.com"
    assert event["ATTENDEE"].params["CN"] == "Vera Visitor"


async def test_a_time_held_while_the_visitor_types_shows_no_made_up_guest(
    client: httpx.AsyncClient, ada, visitor: Visitor
) -> None:
    await visitor.pick(NINE)

    (reservation,) = (await client.get("/v1/reservations", headers=ada.auth)).json()["items"]
    assert reservation["status"] == "held"
    assert (reservation["guest_name"], reservation["guest_email"]) == (None, None)
