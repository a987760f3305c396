"""The ResyOS stand-in keeps its promises: a deterministic book, tokens that lapse, counted
requests, changes on demand and faults."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from concierge.clock import FrozenClock
from concierge.sandbox.resyos import LONG_LIVED_TOKEN, VENUE_ID, ResyOSStandIn

pytestmark = pytest.mark.anyio

API_HEADERS = {"X-ResyOS-Host": "resyos.ios.mobile", "Accept": "application/json"}
WINDOW = {"start_datetime": "2000-01-01 00:00:00", "end_datetime": "2100-01-01 00:00:00"}


@pytest.fixture
async def open_book(clock: FrozenClock) -> AsyncIterator[Any]:
    clients: list[httpx.AsyncClient] = []

    async def make(**options: Any) -> tuple[ResyOSStandIn, httpx.AsyncClient]:
        book = ResyOSStandIn(clock=clock, **options)
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=book.app), base_url="http://resyos.test"
        )
        clients.append(http)
        return book, http

    yield make
    for http in clients:
        await http.aclose()


async def token(http: httpx.AsyncClient) -> dict[str, str]:
    answer = await http.post(
        "/1/auth/venue",
        data={"venue_id": VENUE_ID},
        headers={"X-Resy-Universal-Auth": LONG_LIVED_TOKEN},
    )
    assert answer.status_code == 200
    return {**API_HEADERS, "X-Resy-Universal-Auth": answer.json()["token"]}


async def test_the_same_seed_makes_the_same_book(open_book) -> None:
    one, _ = await open_book(reservations=200, seed=3)
    two, _ = await open_book(reservations=200, seed=3)
    other, _ = await open_book(reservations=200, seed=4)
    assert one.book == two.book
    assert one.users == two.users
    assert one.book != other.book
    assert len(one.book) == 200
    assert {r["user_id"] for r in one.book.values()} == set(one.users)


async def test_api_calls_need_a_venue_token_and_the_ios_host_header(open_book) -> None:
    _, http = await open_book(reservations=10)
    assert (await http.get("/4/os/reservation/ids", params=WINDOW)).status_code == 400
    no_token = await http.get("/4/os/reservation/ids", params=WINDOW, headers=API_HEADERS)
    assert no_token.status_code == 401
    refused = await http.post(
        "/1/auth/venue", data={"venue_id": VENUE_ID}, headers={"X-Resy-Universal-Auth": "guess"}
    )
    assert refused.status_code == 401
    listed = await http.get("/4/os/reservation/ids", params=WINDOW, headers=await token(http))
    assert len(listed.json()) == 10


async def test_tokens_lapse_at_their_exp_and_can_be_revoked(open_book, clock: FrozenClock) -> None:
    book, http = await open_book(reservations=5, token_ttl=60)
    headers = await token(http)
    assert (
        await http.get("/4/os/reservation/ids", params=WINDOW, headers=headers)
    ).status_code == 200
    clock.advance(seconds=61)
    assert (
        await http.get("/4/os/reservation/ids", params=WINDOW, headers=headers)
    ).status_code == 401
    headers = await token(http)
    book.expire_tokens()
    assert (
        await http.get("/4/os/reservation/ids", params=WINDOW, headers=headers)
    ).status_code == 401


async def test_requests_are_counted_per_endpoint(open_book) -> None:
    _, http = await open_book(reservations=5)
    headers = await token(http)
    ids = [
        r["id"]
        for r in (await http.get("/4/os/reservation/ids", params=WINDOW, headers=headers)).json()
    ]
    details = (await http.post("/5/os/reservations", json={"ids": ids[:2]}, headers=headers)).json()
    users = await http.post(
        "/2/os/users", data={"ids": ",".join(d["user_id"] for d in details)}, headers=headers
    )
    assert [d["reservation_id"] for d in details] == ids[:2]
    assert {str(u["user_id"]) for u in users.json()} == {d["user_id"] for d in details}
    counts = await http.get("/__sandbox/requests")
    assert counts.json() == {"auth": 1, "ids": 1, "reservations": 1, "users": 1, "total": 4}
    await http.delete("/__sandbox/requests")
    assert (await http.get("/__sandbox/requests")).json()["total"] == 0


async def test_the_ids_window_is_inclusive_venue_local_text(open_book) -> None:
    book, http = await open_book(reservations=300)
    day = sorted(r["specs"]["booked_datetime"] for r in book.book.values())[150][:10]
    listed = await http.get(
        "/4/os/reservation/ids",
        params={"start_datetime": f"{day} 00:00:00", "end_datetime": f"{day} 23:59:59"},
        headers=await token(http),
    )
    expected = {
        rid for rid, r in book.book.items() if r["specs"]["booked_datetime"].startswith(day)
    }
    assert expected
    assert {r["id"] for r in listed.json()} == expected


async def test_changes_on_demand_touch_exactly_what_was_asked(
    open_book, clock: FrozenClock
) -> None:
    book, http = await open_book(reservations=100)
    before = {rid: r["last_updated"] for rid, r in book.book.items()}
    users_before = set(book.users)
    touched = (
        await http.post(
            "/__sandbox/change",
            json={"changed": 3, "cancelled": 2, "added": 1, "new_guests": 2, "removed": 1},
        )
    ).json()
    assert {k: len(v) for k, v in touched.items()} == {
        "changed": 3, "cancelled": 2, "added": 1, "new_guests": 2, "removed": 1,
    }  # fmt: skip
    after = {rid: r["last_updated"] for rid, r in book.book.items()}
    bumped = {rid for rid in after if before.get(rid) != after[rid]}
    assert bumped == set(
        touched["changed"] + touched["cancelled"] + touched["added"] + touched["new_guests"]
    )
    assert touched["removed"][0] not in book.book
    assert all(book.book[rid]["specs"]["is_cancelled"] for rid in touched["cancelled"])
    assert book.book[touched["added"][0]]["user_id"] in users_before
    assert {book.book[rid]["user_id"] for rid in touched["new_guests"]} == set(
        book.users
    ) - users_before
    # Even under a frozen clock, every change is a new, later last_updated.
    assert len({after[rid] for rid in bumped}) == len(bumped)


async def test_faults_skip_then_fail_the_next_requests(open_book) -> None:
    _, http = await open_book(reservations=5)
    headers = await token(http)
    await http.post(
        "/__sandbox/faults", json={"endpoint": "ids", "status": 500, "after": 1, "times": 2}
    )
    statuses = [
        (await http.get("/4/os/reservation/ids", params=WINDOW, headers=headers)).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 500, 500, 200]
    other = await http.post("/5/os/reservations", json={"ids": []}, headers=headers)
    assert other.status_code == 200
    assert (await http.get("/__sandbox/requests")).json()["ids"] == 4


async def test_the_state_is_what_the_api_would_send(open_book) -> None:
    book, http = await open_book(reservations=20)
    state = (await http.get("/__sandbox/state")).json()
    headers = await token(http)
    details = await http.post("/5/os/reservations", json={"ids": list(book.book)}, headers=headers)
    assert state["reservations"] == details.json()
    assert (state["venue_id"], state["timezone"]) == (VENUE_ID, "America/New_York")
