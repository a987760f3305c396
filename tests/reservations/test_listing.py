"""GET /v1/reservations: the caller's reservations by start, filtered and paged."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from concierge.clock import FrozenClock
from tests.fixtures.app import Person
from tests.fixtures.reservations import WEDNESDAY, Reserve, at

pytestmark = pytest.mark.anyio


async def listed(
    client: httpx.AsyncClient, who: Person, **params: Any
) -> tuple[list[dict[str, Any]], str | None]:
    response = await client.get("/v1/reservations", params=params, headers=who.auth)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["items"], body["next_cursor"]


async def test_roles_and_statuses_narrow_the_list(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    sign_up,
    clock: FrozenClock,
) -> None:
    other_host = await sign_up("Otto Host", "UTC")
    # The guest books Hana twice and Otto once; Otto also books Hana.
    late = (await reserve(guest, host, at(16), confirm=True)).json()
    early = (await reserve(guest, host, at(13))).json()
    with_otto = (await reserve(guest, other_host, at(14))).json()
    otto_books_hana = (await reserve(other_host, host, at(15))).json()
    cancelled = (await reserve(guest, host, at(16, 30))).json()
    await client.post(f"/v1/reservations/{cancelled['id']}/cancel", headers=guest.auth)

    everything, _ = await listed(client, guest)
    assert [r["id"] for r in everything] == [
        early["id"],
        with_otto["id"],
        late["id"],
        cancelled["id"],
    ]
    as_host, _ = await listed(client, host, role="host")
    assert [r["id"] for r in as_host] == [
        early["id"],
        otto_books_hana["id"],
        late["id"],
        cancelled["id"],
    ]
    as_guest, _ = await listed(client, host, role="guest")
    assert as_guest == []
    otto_both, _ = await listed(client, other_host)
    assert [r["id"] for r in otto_both] == [with_otto["id"], otto_books_hana["id"]]

    active, _ = await listed(client, guest, status="held,confirmed")
    assert [r["id"] for r in active] == [early["id"], with_otto["id"], late["id"]]
    clock.advance(minutes=30)  # the holds lapse; nobody has swept them
    held, _ = await listed(client, guest, status="held")
    assert held == []
    expired, _ = await listed(client, guest, status="expired")
    assert [r["id"] for r in expired] == [early["id"], with_otto["id"]]
    assert {r["status"] for r in expired} == {"expired"}


async def test_from_and_to_keep_what_overlaps_the_range(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    one = (await reserve(guest, host, at(13), duration=60)).json()
    two = (await reserve(guest, host, at(15))).json()
    three = (await reserve(guest, host, at(13, day=WEDNESDAY))).json()
    window, _ = await listed(client, guest, **{"from": at(13, 30), "to": at(15, 15)})
    assert [r["id"] for r in window] == [one["id"], two["id"]]
    after, _ = await listed(client, guest, **{"from": "2026-11-24T10:05:00-05:00"})
    assert [r["id"] for r in after] == [two["id"], three["id"]]


async def test_pages_follow_the_cursor_in_start_order(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    made = []
    for hour, minute in ((16, 45), (12, 0), (14, 30), (13, 15), (15, 0)):
        made.append((await reserve(guest, host, at(hour, minute))).json())
    expected = [r["id"] for r in sorted(made, key=lambda r: r["start"])]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        items, cursor = await listed(client, guest, **params)
        seen += [r["id"] for r in items]
        pages += 1
        if cursor is None:
            break
    assert seen == expected
    assert pages == 3


async def test_changing_availability_keeps_bookings_and_lists_those_outside_it(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    morning = (await reserve(guest, host, at(9, day=WEDNESDAY), confirm=True)).json()
    afternoon = (await reserve(guest, host, at(15, day=WEDNESDAY))).json()
    evening = (await reserve(guest, host, at(16, 30))).json()
    # Wednesday becomes afternoons only: the morning booking no longer fits, but stays.
    changed = await client.put(
        f"/v1/users/{host.id}/availability",
        json={"dates": {"2026-11-25": [{"start": "13:00", "end": "17:00"}]}},
        headers=host.auth,
    )
    assert changed.status_code == 200
    outside, _ = await listed(client, host, outside_availability="true")
    assert [r["id"] for r in outside] == [morning["id"]]
    assert outside[0]["status"] == "confirmed"
    everything, _ = await listed(client, host)
    assert {r["id"] for r in everything} == {morning["id"], afternoon["id"], evening["id"]}


async def test_outside_availability_pages_like_any_list(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    made = [(await reserve(guest, host, at(13, 15 * n))).json() for n in range(3)]
    await client.put(
        f"/v1/users/{host.id}/availability",
        json={"dates": {"2026-11-24": []}},
        headers=host.auth,
    )
    first, cursor = await listed(client, guest, outside_availability="true", limit=2)
    assert cursor is not None
    second, end = await listed(client, guest, outside_availability="true", cursor=cursor)
    assert [r["id"] for r in first + second] == [r["id"] for r in made]
    assert end is None


@pytest.mark.parametrize(
    "params",
    [{"status": "pending"}, {"role": "owner"}, {"from": "2026-11-24T10:00:00"}, {"cursor": "!"}],
    ids=["unknown-status", "unknown-role", "instant-without-offset", "foreign-cursor"],
)
async def test_bad_list_queries_are_refused(
    client: httpx.AsyncClient, guest: Person, params: dict[str, str]
) -> None:
    response = await client.get("/v1/reservations", params=params, headers=guest.auth)
    assert response.status_code == 422
    expected = "invalid_cursor" if "cursor" in params else "invalid_request"
    assert response.json()["code"] == expected
