"""An ICS feed connected over REST: its busy times hide slots, a cancelled instance frees its
time, unchanged feeds cost one conditional request, and removing the feed frees everything.
Against a real HTTP server on loopback; both databases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.outside.refresh import refresh_due
from tests.fixtures.static_http import StaticHTTP
from tests.outside.helpers import calendar, connect, event, hhmm, open_hours, slots

pytestmark = pytest.mark.anyio

# The clock is Monday 2026-11-23 12:00 UTC: a daily 10:00-11:00 UTC meeting on Wed-Fri, with
# Thursday's instance cancelled (a RECURRENCE-ID override, as Google and Outlook export it).
SERIES = calendar(
    event("standup@example.com", ":20261125T100000Z", ":20261125T110000Z",
          "RRULE:FREQ=DAILY;COUNT=3", "SUMMARY:Standup"),
    event("standup@example.com", ":20261126T100000Z", ":20261126T110000Z",
          "RECURRENCE-ID:20261126T100000Z", "STATUS:CANCELLED"),
    event("lunch@example.com", ":20261125T130000Z", ":20261125T140000Z", "TRANSP:TRANSPARENT"),
)  # fmt: skip


async def test_feed_busy_times_hide_slots_and_a_cancelled_instance_frees_its_time(
    client: httpx.AsyncClient, sign_up: Any, static_http: StaticHTTP
) -> None:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "09:00", "15:00")
    static_http.put("/private-7f3a/basic.ics", SERIES)
    made = await connect(
        client, host, kind="ics", name="Google", url=static_http.url("/private-7f3a/basic.ics")
    )
    assert made["host"] == "127.0.0.1"
    assert "private-7f3a" not in str(made)  # the secret address is never shown
    assert made["fresh"] is True

    days = await slots(client, guest, host, "2026-11-25", "2026-11-27")
    assert hhmm(days["2026-11-25"]).isdisjoint({"10:00", "10:15", "10:30", "10:45"})
    assert {"09:45", "11:00", "13:00"} <= hhmm(days["2026-11-25"])  # free lunch is not busy
    assert {"10:00", "10:45"} <= hhmm(days["2026-11-26"])  # the cancelled instance
    assert "10:00" not in hhmm(days["2026-11-27"])


async def test_booking_refuses_a_time_busy_in_the_feed(
    client: httpx.AsyncClient, sign_up: Any, static_http: StaticHTTP
) -> None:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "09:00", "15:00")
    static_http.put("/f.ics", SERIES)
    await connect(client, host, kind="ics", name="Work", url=static_http.url("/f.ics"))
    answer = await client.post(
        "/v1/reservations",
        json={"host_id": host.id, "start": "2026-11-25T10:15:00Z", "duration": 30},
        headers=guest.auth,
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "slot_unavailable"


async def test_booking_rereads_the_feed_and_sees_a_meeting_added_since(
    client: httpx.AsyncClient, sign_up: Any, static_http: StaticHTTP
) -> None:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "09:00", "15:00")
    static_http.put("/f.ics", SERIES)
    await connect(client, host, kind="ics", name="Work", url=static_http.url("/f.ics"))
    added = event("new@example.com", ":20261127T120000Z", ":20261127T130000Z")
    static_http.put("/f.ics", SERIES.replace(b"END:VCALENDAR", added.encode() + b"END:VCALENDAR"))
    answer = await client.post(
        "/v1/reservations",
        json={"host_id": host.id, "start": "2026-11-27T12:00:00Z", "duration": 30},
        headers=guest.auth,
    )
    assert answer.status_code == 409, answer.text


async def test_a_quiet_refresh_is_one_conditional_request(
    client: httpx.AsyncClient,
    sign_up: Any,
    static_http: StaticHTTP,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    host = await sign_up("Hana")
    static_http.put("/f.ics", SERIES)
    await connect(client, host, kind="ics", name="Work", url=static_http.url("/f.ics"))
    assert (await refresh_due(db, clock, settings)).calendars == 0  # not due yet
    clock.advance(minutes=settings.outside_refresh_minutes)
    done = await refresh_due(db, clock, settings)
    assert (done.calendars, done.requests) == (1, 1)
    assert static_http.requests[-1] == ("GET", "/f.ics", 304)


async def test_removing_a_feed_frees_its_time_and_lists_show_freshness(
    client: httpx.AsyncClient, sign_up: Any, static_http: StaticHTTP
) -> None:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "09:00", "15:00")
    static_http.put("/f.ics", SERIES)
    made = await connect(client, host, kind="ics", name="Work", url=static_http.url("/f.ics"))
    listed = (await client.get(f"/v1/users/{host.id}/outside-calendars", headers=host.auth)).json()
    assert [(c["name"], c["fresh"], c["error"]) for c in listed["items"]] == [("Work", True, None)]
    assert (
        await client.get(f"/v1/users/{host.id}/outside-calendars", headers=guest.auth)
    ).status_code == 403
    gone = await client.delete(
        f"/v1/users/{host.id}/outside-calendars/{made['id']}", headers=host.auth
    )
    assert gone.status_code == 204
    days = await slots(client, guest, host, "2026-11-25", "2026-11-25")
    assert "10:00" in hhmm(days["2026-11-25"])


async def test_private_addresses_are_refused_unless_the_admin_allows_them(
    client: httpx.AsyncClient, sign_up: Any, static_http: StaticHTTP, settings: Settings
) -> None:
    host = await sign_up("Hana")
    settings.outbound_allow_private = False
    static_http.put("/f.ics", SERIES)
    answer = await client.post(
        f"/v1/users/{host.id}/outside-calendars",
        json={"kind": "ics", "name": "Work", "url": static_http.url("/f.ics")},
        headers=host.auth,
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "url_refused"
    assert static_http.requests == []


async def test_common_free_time_leaves_out_outside_busy_times(
    client: httpx.AsyncClient, sign_up: Any, static_http: StaticHTTP
) -> None:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "09:00", "15:00")
    await open_hours(client, guest, "09:00", "15:00")
    static_http.put("/f.ics", SERIES)
    await connect(client, host, kind="ics", name="Work", url=static_http.url("/f.ics"))
    answer = await client.get(
        "/v1/availability/common",
        params={"users": f"{host.id},{guest.id}", "from": "2026-11-25", "to": "2026-11-25",
                "tz": "UTC"},
        headers=guest.auth,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    windows = [(w["start"][11:16], w["end"][11:16]) for w in answer.json()["days"]["2026-11-25"]]
    assert windows == [("09:00", "10:00"), ("11:00", "15:00")]


async def test_a_feed_that_is_not_a_calendar_is_not_connected(
    client: httpx.AsyncClient, sign_up: Any, static_http: StaticHTTP
) -> None:
    host = await sign_up("Hana")
    static_http.put("/login", b"<html>Sign in to see this calendar</html>", "text/html")
    answer = await client.post(
        f"/v1/users/{host.id}/outside-calendars",
        json={"kind": "ics", "name": "Work", "url": static_http.url("/login")},
        headers=host.auth,
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "calendar_unreachable"
    listed = await client.get(f"/v1/users/{host.id}/outside-calendars", headers=host.auth)
    assert listed.json()["items"] == []
