"""The CalDAV client against a real Radicale on loopback: discovery from the server's root,
change markers (one request when nothing changed), time-range reads, and put/delete."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from concierge import outbound
from concierge.outside import caldav
from concierge.outside.caldav import CalDAVError
from concierge.scheduling.engine import Interval
from tests.fixtures.radicale import PASSWORD, USER, Radicale

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

POLICY = outbound.Policy(allow_private=True, timeout=5.0)
AUTH = (USER, PASSWORD)

EVENT = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20261101T000000Z\r
DTSTART:{start}\r
DTEND:{end}\r
SUMMARY:Busy\r
END:VEVENT\r
END:VCALENDAR\r
"""


async def test_discovery_from_the_root_finds_the_users_calendars(radicale: Radicale) -> None:
    radicale.make_calendar("work")
    radicale.make_calendar("home")
    async with outbound.client(POLICY) as http:
        found = await caldav.discover(http, POLICY, radicale.url, AUTH)
    assert sorted(c.name for c in found) == ["home", "work"]
    assert all(c.events and c.marker for c in found)
    assert {c.href for c in found} == {radicale.calendar_url("work"), radicale.calendar_url("home")}


async def test_a_wrong_password_is_refused_with_a_clear_message(radicale: Radicale) -> None:
    async with outbound.client(POLICY) as http:
        with pytest.raises(CalDAVError, match="refused the login"):
            await caldav.discover(http, POLICY, radicale.url, (USER, "wrong"))


async def test_the_marker_changes_with_the_calendar_and_events_are_read_by_range(
    radicale: Radicale,
) -> None:
    href = radicale.make_calendar("work")
    async with outbound.client(POLICY) as http:
        before = await caldav.markers(http, POLICY, href, AUTH)
        radicale.put("work", "a", EVENT.format(uid="a", start="20261207T150000Z",
                                               end="20261207T160000Z"))  # fmt: skip
        after = await caldav.markers(http, POLICY, href, AUTH)
        assert before != after
        assert after == await caldav.markers(http, POLICY, href, AUTH)
        window = Interval(datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC))
        texts = await caldav.events_between(http, POLICY, href, AUTH, window)
        elsewhere = Interval(datetime(2026, 12, 9, tzinfo=UTC), datetime(2026, 12, 10, tzinfo=UTC))
        assert await caldav.events_between(http, POLICY, href, AUTH, elsewhere) == []
    assert len(texts) == 1
    assert "UID:a" in texts[0]


async def test_put_then_delete_an_event(radicale: Radicale) -> None:
    href = radicale.make_calendar("work")
    body = EVENT.format(uid="reservation-9@concierge", start="20261207T150000Z",
                        end="20261207T160000Z").encode()  # fmt: skip
    async with outbound.client(POLICY) as http:
        await caldav.put_event(http, POLICY, href, "reservation-9@concierge", body, AUTH)
        assert "reservation-9@concierge" in (
            radicale.get("work", "reservation-9%40concierge.ics") or ""
        )
        await caldav.delete_event(http, POLICY, href, "reservation-9@concierge", AUTH)
        await caldav.delete_event(http, POLICY, href, "reservation-9@concierge", AUTH)  # gone: ok
    assert radicale.get("work", "reservation-9%40concierge.ics") is None
