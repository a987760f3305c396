"""Small steps the outside-calendar tests share: weekly hours, slots, an ICS text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from tests.fixtures.app import Person

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


async def open_hours(
    client: httpx.AsyncClient, who: Person, start: str, end: str, tz: str = "UTC"
) -> None:
    days = {day: [{"start": start, "end": end}] for day in WEEKDAYS}
    answer = await client.put(
        f"/v1/users/{who.id}/weekly-hours", json={"timezone": tz, "days": days}, headers=who.auth
    )
    assert answer.status_code == 200, answer.text


async def slots(
    client: httpx.AsyncClient, viewer: Person, host: Person, first: str, last: str
) -> dict[str, list[str]]:
    answer = await client.get(
        f"/v1/users/{host.id}/slots",
        params={"from": first, "to": last, "duration": 15, "tz": "UTC"},
        headers=viewer.auth,
    )
    assert answer.status_code == 200, answer.text
    days: dict[str, list[str]] = answer.json()["days"]
    return days


def hhmm(starts: Iterable[str]) -> set[str]:
    return {s[11:16] for s in starts}


async def connect(client: httpx.AsyncClient, who: Person, **body: Any) -> dict[str, Any]:
    answer = await client.post(f"/v1/users/{who.id}/outside-calendars", json=body, headers=who.auth)
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def calendar(*events: str, extra: str = "") -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        + extra
        + "".join(events)
        + "END:VCALENDAR\r\n"
    ).encode()


def event(uid: str, start: str, end: str, *lines: str) -> str:
    body = "".join(f"{line}\r\n" for line in lines)
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART{start}\r\nDTEND{end}\r\n{body}END:VEVENT\r\n"
    )
