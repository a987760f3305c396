"""A booking whose host's outside calendar does not answer: refused with a clear error, or
booked on the last busy times known and said so, as OUTSIDE_UNREADABLE chooses; either way
within OUTSIDE_BOOKING_TIMEOUT. Both databases."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from concierge.config import Settings
from tests.fixtures.static_http import StaticHTTP
from tests.outside.helpers import calendar, connect, event, open_hours

pytestmark = pytest.mark.anyio

BOOKING = {"start": "2026-11-25T10:00:00Z", "duration": 30, "confirm": True}


async def _host_with_a_feed_that_stops_answering(
    client: httpx.AsyncClient, sign_up: Any, static_http: StaticHTTP
) -> tuple[Any, Any]:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "09:00", "15:00")
    static_http.put("/work.ics", calendar())  # answers at once while connecting...
    await connect(client, host, kind="ics", name="Work", url=static_http.url("/work.ics"))
    static_http.delays["/work.ics"] = 5.0  # ...then hangs
    return host, guest


async def test_refused_within_the_timeout_when_the_setting_says_refuse(
    client: httpx.AsyncClient, sign_up: Any, static_http: StaticHTTP, settings: Settings
) -> None:
    host, guest = await _host_with_a_feed_that_stops_answering(client, sign_up, static_http)
    started = time.monotonic()
    answer = await client.post(
        "/v1/reservations", json={"host_id": host.id, **BOOKING}, headers=guest.auth
    )
    assert time.monotonic() - started < settings.outside_booking_timeout + 1.5
    assert answer.status_code == 503
    body = answer.json()
    assert body["code"] == "calendar_unreadable"
    assert "'Work'" in body["detail"]


async def test_booked_and_said_so_when_the_setting_says_proceed(
    client: httpx.AsyncClient, sign_up: Any, static_http: StaticHTTP, settings: Settings
) -> None:
    settings.outside_unreadable = "proceed"
    host, guest = await _host_with_a_feed_that_stops_answering(client, sign_up, static_http)
    started = time.monotonic()
    answer = await client.post(
        "/v1/reservations", json={"host_id": host.id, **BOOKING}, headers=guest.auth
    )
    assert time.monotonic() - started < settings.outside_booking_timeout + 1.5
    assert answer.status_code == 201, answer.text
    assert "1 outside calendar(s)" in answer.headers["Warning"]


async def test_an_assistant_is_told_too_when_the_setting_says_proceed(
    client: httpx.AsyncClient,
    sign_up: Any,
    static_http: StaticHTTP,
    settings: Settings,
    connect_memory: Any,
) -> None:
    settings.outside_unreadable = "proceed"
    host, guest = await _host_with_a_feed_that_stops_answering(client, sign_up, static_http)
    async with connect_memory(guest) as assistant:
        booked = await assistant.call_tool(
            "book_appointment",
            {"person": str(host.id), "start": "2026-11-25T10:00Z", "confirm": True},
        )
    assert not booked.is_error, booked.content
    assert "did not answer in time" in booked.content[0].text  # type: ignore[union-attr]


async def test_a_changed_feed_too_big_to_read_in_time_counts_as_unreadable(
    client: httpx.AsyncClient, sign_up: Any, static_http: StaticHTTP, settings: Settings
) -> None:
    host, guest = await sign_up("Hana"), await sign_up("Gus")
    await open_hours(client, host, "09:00", "15:00")
    static_http.put("/work.ics", calendar())
    await connect(client, host, kind="ics", name="Work", url=static_http.url("/work.ics"))
    many = [
        event(f"e{n}@example.com", f":2026{12 + n % 2 - 1:02d}0{1 + n % 9}T0{n % 8}0000Z",
              f":2026{12 + n % 2 - 1:02d}0{1 + n % 9}T0{n % 8}3000Z")
        for n in range(6000)
    ]  # fmt: skip
    static_http.put("/work.ics", calendar(*many))
    # Reading it takes about a second on a fast machine: a limit well under that must end it.
    settings.outside_booking_timeout = 0.3
    started = time.monotonic()
    answer = await client.post(
        "/v1/reservations", json={"host_id": host.id, **BOOKING}, headers=guest.auth
    )
    waited = time.monotonic() - started
    # It was the time limit that ended the wait (not a quick failure), and it held.
    assert settings.outside_booking_timeout * 0.9 <= waited < settings.outside_booking_timeout + 1.5
    assert answer.status_code == 503
    assert answer.json()["code"] == "calendar_unreadable"
