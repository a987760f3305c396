"""GET /v1/venue/reservations: the mirrored book for admins, paged, with guest names."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from concierge.sandbox.resyos import VENUE_ID
from tests.fixtures.resyos import ZONE, booked_instant

pytestmark = pytest.mark.anyio


@pytest.fixture
def venue(settings):
    """The app's settings name the stand-in's venue and zone."""
    settings.resyos_venue_id = VENUE_ID
    settings.resyos_timezone = str(ZONE)
    return settings


@pytest.fixture
async def mirrored(resyos, syncer, venue):
    """A synced book of 300."""
    stand_in = await resyos(reservations=300)
    await (await syncer(stand_in)).cycle()
    return stand_in


async def test_an_admin_pages_through_a_week_in_booked_order_with_guest_names(
    client: httpx.AsyncClient, make_admin, mirrored
) -> None:
    admin = await make_admin()
    seen: list[dict] = []
    cursor = None
    while True:
        params = {"from": "2026-11-23", "to": "2026-11-29", "limit": 7}
        if cursor:
            params["cursor"] = cursor
        page = await client.get("/v1/venue/reservations", params=params, headers=admin.auth)
        assert page.status_code == 200, page.text
        body = page.json()
        seen.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    book = mirrored.book
    week = {
        rid
        for rid, r in book.book.items()
        if "2026-11-23" <= r["specs"]["booked_datetime"][:10] <= "2026-11-29"
    }
    assert len(seen) > 7
    assert {item["id"] for item in seen} == week
    assert len(seen) == len(week)
    assert [item["booked_at"] for item in seen] == sorted(item["booked_at"] for item in seen)
    for item in seen:
        want = book.book[item["id"]]
        guest = book.users[want["user_id"]]
        assert item["guest"]["name"] == f"{guest['first_name']} {guest['last_name']}"
        assert item["booked_local"] == want["specs"]["booked_datetime"]
        assert item["booked_at"] == booked_instant(want["specs"]["booked_datetime"]).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        assert item["seats"] == want["specs"]["num_seats"]
        assert item["state"] == ("cancelled" if want["specs"]["is_cancelled"] else "booked")


async def test_dates_default_to_the_venues_week_and_tz_renders_offsets(
    client: httpx.AsyncClient, make_admin, mirrored
) -> None:
    admin = await make_admin()
    answer = await client.get(
        "/v1/venue/reservations",
        params={"tz": "America/New_York", "limit": 500},
        headers=admin.auth,
    )
    items = answer.json()["items"]
    days = {datetime.fromisoformat(i["booked_at"]).date().isoformat() for i in items}
    assert days
    assert min(days) >= "2026-11-23"
    assert max(days) <= "2026-11-29"
    assert all(i["booked_at"].endswith(("-05:00", "-04:00")) for i in items)


async def test_the_state_filter_lists_only_those(
    client: httpx.AsyncClient, make_admin, mirrored
) -> None:
    admin = await make_admin()
    params = {"from": "2026-10-25", "to": "2026-12-20", "state": "cancelled", "limit": 500}
    answer = await client.get("/v1/venue/reservations", params=params, headers=admin.auth)
    items = answer.json()["items"]
    assert items
    assert {i["state"] for i in items} == {"cancelled"}
    assert all(i["is_cancelled"] for i in items)


async def test_only_admins_read_the_book(client: httpx.AsyncClient, sign_up, venue) -> None:
    person = await sign_up("Ada")
    answer = await client.get("/v1/venue/reservations", headers=person.auth)
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"
    assert (await client.get("/v1/venue/reservations")).status_code == 401


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-12-10", "to": "2026-12-01"}, "invalid_request"),
        ({"from": "2026-12-01", "to": "2027-03-01"}, "range_too_long"),
        ({"from": "December"}, "invalid_request"),
        ({"state": "seated"}, "invalid_request"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, "invalid_cursor"),
        ({"tz": "Mars/Olympus"}, "invalid_request"),
    ],
    ids=["to-before-from", "too-long", "not-a-date", "unknown-state", "foreign-cursor", "bad-zone"],
)
async def test_bad_queries_are_422_with_a_code(
    client: httpx.AsyncClient, make_admin, venue, params: dict, code: str
) -> None:
    admin = await make_admin()
    answer = await client.get("/v1/venue/reservations", params=params, headers=admin.auth)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == code


async def test_the_route_documents_its_errors(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    responses = schema["paths"]["/v1/venue/reservations"]["get"]["responses"]
    assert {"200", "401", "403", "422"} <= set(responses)
    assert "range_too_long" in responses["422"]["description"]


def test_week_bounds_are_local_midnights() -> None:
    from datetime import date

    from concierge.venue_sync.plan import day_range

    start, end = day_range(date(2026, 11, 23), date(2026, 11, 29), ZONE)
    assert (start.isoformat(), end - start) == ("2026-11-23T05:00:00+00:00", timedelta(days=7))


async def test_without_a_venue_the_answer_says_what_to_set(
    client: httpx.AsyncClient, make_admin
) -> None:
    admin = await make_admin()
    answer = await client.get("/v1/venue/reservations", headers=admin.auth)
    assert answer.status_code == 422
    assert "CONCIERGE_RESYOS_VENUE_ID" in answer.json()["detail"]
