"""The manage link without JavaScript: move a booking to another of the host's free times, and
cancel it only after saying yes (with a reason, if the guest gives one); the .ics it offers
follows the booking, from METHOD:REQUEST to METHOD:CANCEL, under one UID.

The frozen clock reads Monday 2026-11-23 12:00 UTC. Ada (Europe/London, UTC in winter) is
bookable only on Tuesday 2026-12-01 from 09:00 to 10:00, which is 18:00-19:00 in Tokyo.
"""

from __future__ import annotations

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import select

from concierge.db import Database
from concierge.models import Reservation
from tests.fixtures.web import Visitor, read, slug_of

pytestmark = pytest.mark.anyio

NINE = "2026-12-01T09:00:00+00:00"
NINE_THIRTY = "2026-12-01T09:30:00+00:00"
DAY = "2026-12-01"


@pytest.fixture
async def ada(make_host):
    return await make_host("Ada Lovelace", "Europe/London", {DAY: [("09:00", "10:00")]})


@pytest.fixture
async def visitor(client: httpx.AsyncClient, ada) -> Visitor:
    return Visitor(client, await slug_of(client, ada), tz="Asia/Tokyo")


async def booked_path(visitor: Visitor, start: str = NINE) -> str:
    response = await visitor.book(start)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


async def stored(db: Database) -> list[tuple[str, str, int, str | None]]:
    async with db.unit_of_work(write=False) as session:
        rows = await session.scalars(select(Reservation).order_by(Reservation.id))
        return [(r.start_at.isoformat(), r.status, r.sequence, r.cancel_reason) for r in rows]


async def invite(visitor: Visitor, path: str) -> tuple[str, dict[str, object]]:
    response = await visitor.client.get(f"{path}/invite.ics")
    assert response.status_code == 200, response.text
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.events
    return str(calendar["METHOD"]), {
        "uid": str(event["UID"]),
        "sequence": int(event["SEQUENCE"]),
        "status": str(event["STATUS"]),
        "start": event.start.isoformat(),
        "organizer": str(event["ORGANIZER"]),
        "attendee": str(event["ATTENDEE"]),
    }


async def move(visitor: Visitor, path: str, start: str) -> httpx.Response:
    page = read(await visitor.client.get(f"{path}/reschedule", params={"day": DAY}))
    return await visitor.client.post(
        f"{path}/reschedule", data={"csrf": page.csrf[0], "start": start}
    )


async def test_the_manage_page_offers_the_hosts_other_free_times_in_the_guests_zone(
    visitor: Visitor,
) -> None:
    path = await booked_path(visitor)
    booking = read(await visitor.client.get(path))
    assert f"{path}/reschedule" in booking.links
    assert f"{path}/cancel" in booking.links

    response = await visitor.client.get(f"{path}/reschedule", params={"day": DAY})

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = read(response)
    assert "Move your booking with Ada Lovelace" in page.text
    assert "Now booked for Tuesday 1 December 2026, 18:00–18:30" in page.text  # in Tokyo
    # 09:15 would overlap no one but the booking itself; the page lists what is free now.
    assert page.slots == [NINE_THIRTY]
    assert "Tuesday 1 December, 18:30" in page.text


async def test_a_twelve_hour_clock_chosen_on_the_booking_page_stays_on_the_guests_pages(
    visitor: Visitor,
) -> None:
    booked = await visitor.book(NINE, clock="12")
    assert booked.status_code == 303
    path = booked.headers["location"]
    assert path.endswith("?clock=12")

    page = read(await visitor.client.get(path))
    assert "Tuesday 1 December 2026, 6:00 pm–6:30 pm" in page.text  # Tokyo, on her clock
    bare = path.removesuffix("?clock=12")
    assert {f"{bare}/reschedule?clock=12", f"{bare}/cancel?clock=12"} <= set(page.links)
    asking = read(await visitor.client.get(f"{bare}/cancel?clock=12"))
    assert "6:00 pm" in asking.text
    moving = read(await visitor.client.get(f"{bare}/reschedule", params={"day": DAY, "clock": 12}))
    assert "6:30 pm" in moving.text
    moved = await visitor.client.post(
        f"{bare}/reschedule?clock=12", data={"csrf": moving.csrf[0], "start": NINE_THIRTY}
    )
    assert moved.headers["location"] == path
    assert "6:30 pm–7:00 pm" in read(await visitor.client.get(path)).text
    # Without the choice, the pages keep the 24-hour default.
    assert "18:30–19:00" in read(await visitor.client.get(bare)).text


async def test_moving_keeps_the_booking_and_its_uid_and_raises_the_sequence(
    visitor: Visitor, db: Database
) -> None:
    path = await booked_path(visitor)
    method, before = await invite(visitor, path)
    assert method == "REQUEST"

    moved = await move(visitor, path, NINE_THIRTY)

    assert moved.status_code == 303
    assert moved.headers["location"] == path
    page = read(await visitor.client.get(path))
    assert "Your booking has moved" in page.text
    assert "18:30" in page.text
    assert [row[:2] for row in await stored(db)] == [(NINE_THIRTY, "confirmed")]
    method, after = await invite(visitor, path)
    assert method == "REQUEST"
    assert after["uid"] == before["uid"]
    assert after["sequence"] == before["sequence"] + 1  # type: ignore[operator]
    assert after["start"] == "2026-12-01T18:30:00+09:00"
    assert after["organizer"] == "mailto:ada.lovelace@example.com"
    assert after["attendee"] == "mailto:vera@example.com"
    # The old time is free for others again.
    assert NINE in read(await visitor.open(day=DAY)).slots


async def test_a_move_into_a_time_taken_meanwhile_is_refused_and_the_booking_stays(
    visitor: Visitor, other_browser: httpx.AsyncClient, db: Database
) -> None:
    path = await booked_path(visitor)
    page = read(await visitor.client.get(f"{path}/reschedule", params={"day": DAY}))
    rival = Visitor(other_browser, visitor.slug, tz="Europe/London")
    assert (await rival.book(NINE_THIRTY, name="Rita", email="rita@example.com")).status_code == 303

    refused = await visitor.client.post(
        f"{path}/reschedule", data={"csrf": page.csrf[0], "start": NINE_THIRTY}
    )

    assert refused.status_code == 409
    again = read(refused)
    assert "That time was just taken" in again.text
    assert again.slots == []  # nothing else is free that day
    rows = await stored(db)
    assert [(start, status) for start, status, _, _ in rows] == [
        (NINE, "confirmed"),
        (NINE_THIRTY, "confirmed"),
    ]
    assert rows[0][2] == 0  # the refused move changed nothing, not even the sequence


async def test_a_move_without_its_csrf_pair_or_a_time_changes_nothing(
    visitor: Visitor, db: Database
) -> None:
    path = await booked_path(visitor)
    before = await stored(db)
    forged = await visitor.client.post(f"{path}/reschedule", data={"start": NINE_THIRTY})
    assert forged.status_code == 403
    empty = await move(visitor, path, "")
    assert empty.status_code == 422
    assert "Pick one of the free times" in read(empty).text
    assert await stored(db) == before


async def test_cancelling_asks_first_keeps_the_reason_and_the_ics_then_cancels(
    visitor: Visitor, db: Database
) -> None:
    path = await booked_path(visitor)
    _, standing = await invite(visitor, path)

    asked = await visitor.client.get(f"{path}/cancel")

    assert asked.status_code == 200
    question = read(asked)
    assert "Cancel your booking?" in question.text
    assert "Keep my booking" in question.text
    assert path in question.links
    assert (await stored(db))[0][1] == "confirmed"  # asking changed nothing

    done = await visitor.client.post(
        f"{path}/cancel", data={"csrf": question.csrf[0], "reason": "  A clash at work  "}
    )

    assert done.status_code == 303
    page = read(await visitor.client.get(path))
    assert "Booking cancelled" in page.text
    assert f"{path}/invite.ics" in page.links
    assert await stored(db) == [(NINE, "cancelled", 1, "A clash at work")]
    method, withdrawn = await invite(visitor, path)
    assert method == "CANCEL"
    assert withdrawn["uid"] == standing["uid"]
    assert withdrawn["status"] == "CANCELLED"
    assert withdrawn["sequence"] > standing["sequence"]  # type: ignore[operator]


async def test_a_reason_too_long_is_named_and_nothing_is_cancelled(
    visitor: Visitor, db: Database
) -> None:
    path = await booked_path(visitor)
    question = read(await visitor.client.get(f"{path}/cancel"))

    refused = await visitor.client.post(
        f"{path}/cancel", data={"csrf": question.csrf[0], "reason": "x" * 501}
    )

    assert refused.status_code == 422
    assert "Keep the reason to 500 characters" in read(refused).text
    assert (await stored(db))[0][1] == "confirmed"


async def test_over_bookings_send_their_move_and_cancel_pages_back_to_the_booking(
    visitor: Visitor,
) -> None:
    path = await booked_path(visitor)
    await visitor.press(path, "cancel")
    for page in ("reschedule", "cancel"):
        response = await visitor.client.get(f"{path}/{page}")
        assert response.status_code == 303
        assert response.headers["location"] == path
