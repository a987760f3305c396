"""A CalDAV account (Radicale on loopback) connected over REST: a recurring weekly meeting
hides the right slots across a DST change, and a confirmed booking is written into the chosen
calendar under its UID and removed on cancel. Both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.models import CalendarWrite
from concierge.outside.refresh import refresh_due
from concierge.outside.writeback import write_due
from tests.fixtures.radicale import PASSWORD, USER, Radicale
from tests.outside.helpers import calendar, connect, event, hhmm, open_hours, slots

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

# Tuesday 2026-10-20: New York leaves daylight time on Sunday 2026-11-01 (UTC-4 -> UTC-5).
BEFORE_DST_ENDS = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)

NEW_YORK = """BEGIN:VTIMEZONE\r
TZID:America/New_York\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
TZNAME:EDT\r
DTSTART:19700308T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
TZNAME:EST\r
DTSTART:19701101T020000\r
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
END:STANDARD\r
END:VTIMEZONE\r
"""

WEEKLY = calendar(
    event("weekly@example.com", ";TZID=America/New_York:20261007T100000",
          ";TZID=America/New_York:20261007T110000", "RRULE:FREQ=WEEKLY;BYDAY=WE",
          "SUMMARY:Weekly sync"),
    extra=NEW_YORK,
)  # fmt: skip


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(BEFORE_DST_ENDS)


async def test_a_weekly_meeting_hides_the_right_slots_across_a_dst_change(
    client: httpx.AsyncClient, sign_up: Any, radicale: Radicale
) -> None:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "12:00", "20:00")  # in UTC: the meeting moves, not the hours
    radicale.make_calendar("work")
    radicale.put("work", "weekly", WEEKLY)
    made = await connect(
        client, host, kind="caldav", name="Fastmail", url=radicale.url,
        username=USER, password=PASSWORD,
    )  # fmt: skip
    assert [c["name"] for c in made["available"]] == ["work"]
    assert PASSWORD not in str(made)

    days = await slots(client, guest, host, "2026-10-28", "2026-11-04")
    meeting_edt = {"14:00", "14:15", "14:30", "14:45"}  # 10:00 EDT = 14:00 UTC
    meeting_est = {"15:00", "15:15", "15:30", "15:45"}  # 10:00 EST = 15:00 UTC
    assert hhmm(days["2026-10-28"]).isdisjoint(meeting_edt)
    assert meeting_est <= hhmm(days["2026-10-28"])
    assert hhmm(days["2026-11-04"]).isdisjoint(meeting_est)
    assert meeting_edt <= hhmm(days["2026-11-04"])


async def test_a_booking_is_written_into_the_calendar_and_removed_on_cancel(
    client: httpx.AsyncClient,
    sign_up: Any,
    radicale: Radicale,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "12:00", "20:00")
    work = radicale.make_calendar("work")
    await connect(
        client, host, kind="caldav", name="Work", url=radicale.url,
        username=USER, password=PASSWORD, write_to=work,
    )  # fmt: skip
    booked = await client.post(
        "/v1/reservations",
        json={"host_id": host.id, "start": "2026-10-28T16:00:00Z", "duration": 30,
              "confirm": True},
        headers=guest.auth,
    )  # fmt: skip
    assert booked.status_code == 201, booked.text
    uid = f"reservation-{booked.json()['id']}@{settings.uid_domain}"
    resource = uid.replace("@", "%40") + ".ics"
    assert radicale.get("work", resource) is None  # written by the job, not by the request

    assert await write_due(db, clock, settings) == 1
    written = radicale.get("work", resource)
    assert written is not None
    assert f"UID:{uid}" in written
    assert "Meeting with Gus" in written
    assert await write_due(db, clock, settings) == 0  # done once

    # Our own event read back is not busy time twice over (nor after the booking ends).
    clock.advance(minutes=settings.outside_refresh_minutes)
    assert (await refresh_due(db, clock, settings)).calendars == 1

    cancelled = await client.post(
        f"/v1/reservations/{booked.json()['id']}/cancel", headers=guest.auth
    )
    assert cancelled.status_code == 200
    assert await write_due(db, clock, settings) == 1
    assert radicale.get("work", resource) is None
    clock.advance(minutes=settings.outside_refresh_minutes)
    await refresh_due(db, clock, settings)
    days = await slots(client, guest, host, "2026-10-28", "2026-10-28")
    assert {"16:00", "16:15"} <= hhmm(days["2026-10-28"])


async def test_a_held_booking_is_not_written(
    client: httpx.AsyncClient,
    sign_up: Any,
    radicale: Radicale,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "12:00", "20:00")
    work = radicale.make_calendar("work")
    await connect(
        client, host, kind="caldav", name="Work", url=radicale.url,
        username=USER, password=PASSWORD, write_to=work,
    )  # fmt: skip
    held = await client.post(
        "/v1/reservations",
        json={"host_id": host.id, "start": "2026-10-28T16:00:00Z", "duration": 30},
        headers=guest.auth,
    )
    assert held.status_code == 201
    assert await write_due(db, clock, settings) == 0
    confirmed = await client.post(
        f"/v1/reservations/{held.json()['id']}/confirm", headers=guest.auth
    )
    assert confirmed.status_code == 200
    assert await write_due(db, clock, settings) == 1
    resource = f"reservation-{held.json()['id']}%40{settings.uid_domain}.ics"
    assert radicale.get("work", resource) is not None


async def test_the_guests_calendar_gets_the_booking_too(
    client: httpx.AsyncClient,
    sign_up: Any,
    radicale: Radicale,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "12:00", "20:00")
    work, home = radicale.make_calendar("work"), radicale.make_calendar("home")
    for who, target in ((host, work), (guest, home)):
        await connect(
            client, who, kind="caldav", name="Mine", url=radicale.url,
            username=USER, password=PASSWORD, collections=[target], write_to=target,
        )  # fmt: skip
    booked = await client.post(
        "/v1/reservations",
        json={"host_id": host.id, "start": "2026-10-28T16:00:00Z", "duration": 30,
              "confirm": True},
        headers=guest.auth,
    )  # fmt: skip
    assert booked.status_code == 201, booked.text
    assert await write_due(db, clock, settings) == 2
    uid = f"reservation-{booked.json()['id']}@{settings.uid_domain}"
    resource = uid.replace("@", "%40") + ".ics"
    assert "Meeting with Gus" in (radicale.get("work", resource) or "")
    assert "Meeting with Hana" in (radicale.get("home", resource) or "")


async def test_a_quiet_caldav_refresh_is_one_request_and_a_change_is_read(
    client: httpx.AsyncClient,
    sign_up: Any,
    radicale: Radicale,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "12:00", "20:00")
    radicale.make_calendar("work")
    await connect(
        client, host, kind="caldav", name="Work", url=radicale.url,
        username=USER, password=PASSWORD,
    )  # fmt: skip
    clock.advance(minutes=settings.outside_refresh_minutes)
    quiet = await refresh_due(db, clock, settings)
    assert (quiet.calendars, quiet.requests) == (1, 1)

    radicale.put("work", "late", calendar(
        event("late@example.com", ":20261028T170000Z", ":20261028T180000Z")))  # fmt: skip
    clock.advance(minutes=settings.outside_refresh_minutes)
    changed = await refresh_due(db, clock, settings)
    assert (changed.calendars, changed.requests) == (1, 2)  # the marker, then the events
    days = await slots(client, guest, host, "2026-10-28", "2026-10-28")
    assert hhmm(days["2026-10-28"]).isdisjoint({"17:00", "17:15", "17:30", "17:45"})


async def test_a_write_that_fails_stays_queued_with_its_error(
    client: httpx.AsyncClient,
    sign_up: Any,
    radicale: Radicale,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "12:00", "20:00")
    work = radicale.make_calendar("work")
    await connect(
        client, host, kind="caldav", name="Work", url=radicale.url,
        username=USER, password=PASSWORD, write_to=work,
    )  # fmt: skip
    radicale.stop()  # the calendar server goes away
    settings.outside_unreadable = "proceed"  # so that the booking itself goes ahead
    booked = await client.post(
        "/v1/reservations",
        json={"host_id": host.id, "start": "2026-10-28T16:00:00Z", "duration": 30,
              "confirm": True},
        headers=guest.auth,
    )  # fmt: skip
    assert booked.status_code == 201, booked.text
    assert await write_due(db, clock, settings) == 0
    async with db.unit_of_work(write=False) as session:
        [write] = (await session.scalars(select(CalendarWrite))).all()
    assert (write.written, write.wanted, write.attempts) == (0, 1, 1)
    assert write.error
    assert write.retry_at is not None
    assert write.retry_at > clock.now()
    assert await write_due(db, clock, settings) == 0  # not before its retry time
