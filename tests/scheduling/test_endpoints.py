"""Availability, slots and common free time over HTTP: the flows of seed 003."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio

# The frozen clock reads Monday 2026-11-23 12:00 UTC; the default notice is 24 hours.


async def test_set_several_dates_with_several_ranges_and_show_them(
    client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up("Ada", "America/New_York")
    put = await client.put(
        f"/v1/users/{ada.id}/availability",
        json={
            "timezone": "America/New_York",
            "dates": {
                "2026-12-01": [
                    {"start": "09:00", "end": "11:00"},
                    {"start": "13:00", "end": "15:30"},
                ],
                "2026-12-02": [],
            },
        },
        headers=ada.auth,
    )
    assert put.status_code == 200, put.text
    shown = await client.get(
        f"/v1/users/{ada.id}/availability",
        params={"from": "2026-12-01", "to": "2026-12-03"},
        headers=ada.auth,
    )
    assert shown.status_code == 200
    days = shown.json()["days"]
    assert days["2026-12-01"] == [
        {"start": "2026-12-01T14:00:00Z", "end": "2026-12-01T16:00:00Z"},
        {"start": "2026-12-01T18:00:00Z", "end": "2026-12-01T20:30:00Z"},
    ]
    assert days["2026-12-02"] == []
    # 2026-12-03 is a Thursday: the default weekly hours, 09:00-17:00 New York.
    assert days["2026-12-03"] == [{"start": "2026-12-03T14:00:00Z", "end": "2026-12-03T22:00:00Z"}]


async def test_slots_are_rendered_in_the_asked_zone(client: httpx.AsyncClient, sign_up) -> None:
    ada = await sign_up("Ada", "Europe/London")
    await client.put(
        f"/v1/users/{ada.id}/availability",
        # Monday's London afternoon is already Tuesday in Tokyo: make it a day off.
        json={"dates": {"2026-11-30": [], "2026-12-01": [{"start": "09:00", "end": "10:00"}]}},
        headers=ada.auth,
    )
    response = await client.get(
        f"/v1/users/{ada.id}/slots",
        params={"from": "2026-12-01", "to": "2026-12-01", "duration": 30, "tz": "Asia/Tokyo"},
        headers=ada.auth,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "Asia/Tokyo"
    # 09:00 London is 18:00 in Tokyo, the same local date there.
    assert body["days"]["2026-12-01"] == [
        "2026-12-01T18:00:00+09:00",
        "2026-12-01T18:15:00+09:00",
        "2026-12-01T18:30:00+09:00",
    ]


async def test_overlap_of_two_users(client: httpx.AsyncClient, sign_up) -> None:
    ada, bob = await sign_up("Ada", "UTC"), await sign_up("Bob", "America/New_York")
    await client.put(
        f"/v1/users/{ada.id}/availability",
        json={"dates": {"2026-12-01": [{"start": "09:00", "end": "16:00"}]}},
        headers=ada.auth,
    )
    await client.put(
        f"/v1/users/{bob.id}/availability",
        json={
            "dates": {
                "2026-12-01": [
                    {"start": "08:00", "end": "10:00"},
                    {"start": "10:30", "end": "12:00"},
                ]
            }
        },
        headers=bob.auth,
    )
    response = await client.get(
        "/v1/availability/common",
        params={"users": f"{ada.id},{bob.id}", "from": "2026-12-01", "to": "2026-12-01"},
        headers=ada.auth,
    )
    assert response.status_code == 200, response.text
    assert response.json()["days"]["2026-12-01"] == [
        {"start": "2026-12-01T13:00:00Z", "end": "2026-12-01T15:00:00Z"},
        {"start": "2026-12-01T15:30:00Z", "end": "2026-12-01T16:00:00Z"},
    ]
