"""Buffers and limits over REST: set with the other booking settings (``PATCH /v1/users/{id}``),
shown in the user's whole record, bounded, and honoured by slots, common time and booking.

The clock reads Monday 2026-11-23 12:00 UTC; people work 09:00-17:00 UTC on weekdays, with a
day's notice, so Wednesday 2026-11-25 is bookable all day.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from concierge.config import Settings
from tests.fixtures.app import Person
from tests.fixtures.reservations import WEDNESDAY, Reserve, at

pytestmark = pytest.mark.anyio

DAY = "2026-11-25"
THURSDAY = WEDNESDAY.replace(day=26)


def wednesday(hour: int, minute: int = 0) -> str:
    return at(hour, minute, day=WEDNESDAY)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Cached answers on, for an hour: a change of rules that failed to drop them would show.
    return settings.model_copy(update={"slots_cache_seconds": 3600})


async def patch(client: httpx.AsyncClient, person: Person, **body: Any) -> httpx.Response:
    return await client.patch(f"/v1/users/{person.id}", json=body, headers=person.auth)


async def slots(
    client: httpx.AsyncClient, host: Person, viewer: Person, duration: int = 30
) -> list[str]:
    response = await client.get(
        f"/v1/users/{host.id}/slots",
        params={"from": DAY, "to": DAY, "duration": duration},
        headers=viewer.auth,
    )
    assert response.status_code == 200, response.text
    starts: list[str] = response.json()["days"][DAY]
    return starts


async def test_a_new_person_has_no_buffers_and_no_limits(
    client: httpx.AsyncClient, host: Person
) -> None:
    me = (await client.get("/v1/users/me", headers=host.auth)).json()
    assert (
        me["buffer_before_minutes"],
        me["buffer_after_minutes"],
        me["max_per_day"],
        me["max_per_week"],
    ) == (0, 0, None, None)


async def test_rules_are_set_shown_and_a_limit_lifted_with_null(
    client: httpx.AsyncClient, host: Person
) -> None:
    rules = {
        "buffer_before_minutes": 10,
        "buffer_after_minutes": 5,
        "max_per_day": 3,
        "max_per_week": 12,
    }
    patched = await patch(client, host, **rules)
    assert patched.status_code == 200, patched.text
    assert {k: patched.json()[k] for k in rules} == rules
    lifted = await patch(client, host, max_per_day=None)
    assert lifted.json()["max_per_day"] is None
    assert lifted.json()["max_per_week"] == 12  # fields left out keep their value
    me = (await client.get("/v1/users/me", headers=host.auth)).json()
    assert {k: me[k] for k in rules} == {**rules, "max_per_day": None}


@pytest.mark.parametrize(
    "body",
    [
        {"buffer_before_minutes": -1},
        {"buffer_after_minutes": 241},
        {"buffer_before_minutes": None},
        {"buffer_after_minutes": "ten"},
        {"max_per_day": 0},
        {"max_per_day": 97},
        {"max_per_week": 501},
        {"max_per_week": 2.5},
    ],
    ids=lambda body: "-".join(f"{k}={v}" for k, v in body.items()),
)
async def test_rules_out_of_bounds_are_refused_and_change_nothing(
    client: httpx.AsyncClient, host: Person, body: dict[str, Any]
) -> None:
    before = (await client.get("/v1/users/me", headers=host.auth)).json()
    refused = await patch(client, host, **body)
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_request"
    assert (await client.get("/v1/users/me", headers=host.auth)).json() == before


async def test_slots_and_booking_keep_the_buffers_around_every_meeting(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, sign_up: Any
) -> None:
    other = await sign_up("Otto Other", "UTC")
    # Host of one meeting 12:00-13:00 and guest of another 14:00-14:30.
    assert (await reserve(guest, host, wednesday(12), duration=60, confirm=True)).status_code == 201
    assert (await reserve(host, other, wednesday(14), duration=30, confirm=True)).status_code == 201
    plain = await slots(client, host, guest)
    assert wednesday(11, 30) in plain
    assert wednesday(13) in plain
    await patch(client, host, buffer_before_minutes=15, buffer_after_minutes=15)
    buffered = await slots(client, host, guest)
    # Thirty minutes between meetings: 11:00-11:30 ends 30 before 12:00, 13:30 starts 30 after.
    assert wednesday(11) in buffered
    assert wednesday(11, 15) not in buffered
    assert wednesday(13) not in buffered
    assert wednesday(13, 15) not in buffered
    assert wednesday(15) in buffered
    assert wednesday(14, 45) not in buffered
    close = await reserve(guest, host, wednesday(13, 15), duration=30)
    assert close.status_code == 409
    assert close.json()["code"] == "slot_unavailable"
    assert "15 minutes free before and 15 after" in close.json()["detail"]
    assert (await reserve(guest, host, wednesday(11), duration=30)).status_code == 201


async def test_a_daily_limit_closes_the_day_once_reached_in_either_role(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, sign_up: Any
) -> None:
    other = await sign_up("Otto Other", "UTC")
    await patch(client, host, max_per_day=2)
    assert (await reserve(guest, host, wednesday(9), confirm=True)).status_code == 201
    assert len(await slots(client, host, guest)) > 0
    assert (await reserve(host, other, wednesday(10))).status_code == 201  # a hold, as guest
    assert await slots(client, host, guest) == []
    refused = await reserve(guest, host, wednesday(15), duration=30)
    assert refused.status_code == 409
    assert refused.json()["code"] == "limit_reached"
    assert "2 meetings on 2026-11-25" in refused.json()["detail"]
    # The guest's own limit counts too: they may not join a fourth meeting that day.
    await patch(client, guest, max_per_day=1)
    third = await sign_up("Thea Third", "UTC")
    own = await reserve(guest, third, wednesday(16))
    assert own.status_code == 409
    assert own.json()["code"] == "limit_reached"
    assert own.json()["detail"].startswith("You already have 1 meeting on 2026-11-25")
    # Thursday is another day.
    assert (await reserve(guest, host, at(15, day=THURSDAY))).status_code == 201


async def test_a_weekly_limit_counts_monday_to_sunday(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    await patch(client, host, max_per_week=1)
    assert (await reserve(guest, host, at(15, day=THURSDAY), confirm=True)).status_code == 201
    refused = await reserve(guest, host, wednesday(15))
    assert refused.status_code == 409
    assert refused.json()["code"] == "limit_reached"
    assert "Monday to Sunday" in refused.json()["detail"]
    assert await slots(client, host, guest) == []
    lifted = await patch(client, host, max_per_week=None)
    assert lifted.status_code == 200
    assert await slots(client, host, guest)


async def test_common_time_honours_everyone_s_buffers_and_limits(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, sign_up: Any
) -> None:
    other = await sign_up("Otto Other", "UTC")
    assert (await reserve(other, host, wednesday(12), duration=60, confirm=True)).status_code == 201

    async def common() -> list[dict[str, str]]:
        response = await client.get(
            "/v1/availability/common",
            params={"users": f"{host.id},{guest.id}", "from": DAY, "to": DAY},
            headers=guest.auth,
        )
        assert response.status_code == 200, response.text
        found: list[dict[str, str]] = response.json()["days"][DAY]
        return found

    # The guest works 09:00-17:00 London time: the same as UTC in November.
    assert [w["start"] for w in await common()] == [wednesday(9), wednesday(13)]
    await patch(client, host, buffer_after_minutes=30)
    assert [(w["start"], w["end"]) for w in await common()] == [
        (wednesday(9), wednesday(11, 30)),
        (wednesday(13, 30), wednesday(17)),
    ]
    await patch(client, host, max_per_day=1)
    assert await common() == []
