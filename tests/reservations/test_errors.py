"""Every error of the Reservations section: the right status and code, and nothing changed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from concierge.clock import FrozenClock
from tests.fixtures.app import Person
from tests.fixtures.reservations import WEDNESDAY, Reserve, Snapshot, at

pytestmark = pytest.mark.anyio


@pytest.fixture
def unchanged(tables: Snapshot) -> Callable[[], Any]:
    """``async with unchanged(): ...``: the tables are the same after the block as before."""

    @asynccontextmanager
    async def check() -> AsyncIterator[None]:
        before = await tables()
        yield
        assert await tables() == before

    return check


def refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["detail"]


@pytest.mark.parametrize(
    ("start", "duration", "code"),
    [
        (at(14, 5), 15, "misaligned"),
        (at(14, 0), 20, "misaligned"),
        (at(11, 45), 15, "too_soon"),
        ("2027-01-22T12:00:00Z", 15, "too_far"),  # exactly the 60-day horizon
        (at(8, 45, day=WEDNESDAY), 15, "outside_availability"),
        (at(16, 45), 30, "outside_availability"),  # runs past 17:00
        ("2026-11-28T12:00:00Z", 15, "outside_availability"),  # a Saturday
    ],
    ids=[
        "start-off-grid",
        "duration-not-a-multiple",
        "inside-the-notice",
        "at-the-horizon",
        "before-hours",
        "past-hours",
        "day-off",
    ],
)
async def test_a_time_that_breaks_a_rule_is_refused(
    reserve: Reserve,
    host: Person,
    guest: Person,
    unchanged: Any,
    start: str,
    duration: int,
    code: str,
) -> None:
    async with unchanged():
        refused(await reserve(guest, host, start, duration=duration), 422, code)


async def test_a_refused_time_names_the_route_of_the_hosts_free_slots(
    reserve: Reserve, host: Person, guest: Person
) -> None:
    for start in (at(14, 5), at(8, 45, day=WEDNESDAY)):
        detail = (await reserve(guest, host, start)).json()["detail"]
        assert detail.endswith(f"Pick a start from GET /v1/users/{host.id}/slots.")


async def test_the_last_quarter_before_the_horizon_is_bookable(
    reserve: Reserve, host: Person, guest: Person
) -> None:
    assert (await reserve(guest, host, "2027-01-22T11:45:00Z")).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"start": "2026-11-24T14:00:00"},
        {"duration": 0},
        {"duration": 495},
        {"host_id": "someone"},
        {"confirm": "maybe"},
        {"status": "confirmed"},
    ],
    ids=["no-offset", "zero-minutes", "over-eight-hours", "bad-host", "bad-confirm", "extra-field"],
)
async def test_a_malformed_body_is_invalid_request(
    client: httpx.AsyncClient, host: Person, guest: Person, unchanged: Any, body: dict[str, Any]
) -> None:
    request = {"host_id": host.id, "start": at(14), "duration": 15, **body}
    async with unchanged():
        response = await client.post("/v1/reservations", json=request, headers=guest.auth)
        refused(response, 422, "invalid_request")


async def test_booking_yourself_is_refused(reserve: Reserve, host: Person, unchanged: Any) -> None:
    async with unchanged():
        refused(await reserve(host, host, at(14)), 422, "self_booking")


async def test_an_unknown_or_deleted_host_is_not_found(
    client: httpx.AsyncClient, reserve: Reserve, guest: Person, sign_up, unchanged: Any
) -> None:
    gone = await sign_up("Gone Host", "UTC")
    await client.delete(f"/v1/users/{gone.id}", headers=gone.auth)
    async with unchanged():
        refused(await reserve(guest, 999_999, at(14)), 404, "not_found")
        refused(await reserve(guest, gone, at(14)), 404, "not_found")


async def test_without_a_token_nothing_happens(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, unchanged: Any
) -> None:
    held = (await reserve(guest, host, at(14))).json()
    anonymous = {"host_id": host.id, "start": at(15), "duration": 15}
    async with unchanged():
        refused(await client.post("/v1/reservations", json=anonymous), 401, "unauthenticated")
        for path in (f"/{held['id']}/confirm", f"/{held['id']}/cancel"):
            refused(await client.post(f"/v1/reservations{path}"), 401, "unauthenticated")
        refused(await client.get(f"/v1/reservations/{held['id']}"), 401, "unauthenticated")
        refused(await client.get("/v1/reservations"), 401, "unauthenticated")
        refused(await client.post("/v1/admin/expire-holds"), 401, "unauthenticated")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((14, 0, 30, True), (14, 15, 15)),  # inside a confirmed booking
        ((14, 0, 30, False), (13, 45, 30)),  # straddles the start of a live hold
        ((14, 0, 15, False), (13, 0, 120)),  # swallows a live hold whole
    ],
    ids=["inside-confirmed", "straddles-hold", "covers-hold"],
)
async def test_overlapping_a_booking_is_slot_unavailable(
    reserve: Reserve,
    host: Person,
    guest: Person,
    sign_up,
    unchanged: Any,
    first: tuple[int, int, int, bool],
    second: tuple[int, int, int],
) -> None:
    hour, minute, duration, confirm = first
    assert (
        await reserve(guest, host, at(hour, minute), duration=duration, confirm=confirm)
    ).status_code == 201
    other = await sign_up("Olga Other")
    hour, minute, duration = second
    async with unchanged():
        refused(
            await reserve(other, host, at(hour, minute), duration=duration), 409, "slot_unavailable"
        )


async def test_touching_bookings_do_not_overlap(
    reserve: Reserve, host: Person, guest: Person
) -> None:
    assert (await reserve(guest, host, at(14), duration=30)).status_code == 201
    assert (await reserve(guest, host, at(14, 30))).status_code == 201
    assert (await reserve(guest, host, at(13, 45))).status_code == 201


async def test_confirming_a_lapsed_hold_is_hold_expired(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    unchanged: Any,
    make_admin,
) -> None:
    held = (await reserve(guest, host, at(14))).json()
    clock.advance(minutes=45)
    async with unchanged():
        response = await client.post(f"/v1/reservations/{held['id']}/confirm", headers=guest.auth)
        refused(response, 409, "hold_expired")
    admin = await make_admin()
    await client.post("/v1/admin/expire-holds", headers=admin.auth)
    async with unchanged():  # swept or not, the answer is the same
        response = await client.post(f"/v1/reservations/{held['id']}/confirm", headers=guest.auth)
        refused(response, 409, "hold_expired")


async def test_confirming_a_cancelled_reservation_is_not_confirmable(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, unchanged: Any
) -> None:
    held = (await reserve(guest, host, at(14))).json()
    await client.post(f"/v1/reservations/{held['id']}/cancel", headers=guest.auth)
    async with unchanged():
        response = await client.post(f"/v1/reservations/{held['id']}/confirm", headers=guest.auth)
        refused(response, 409, "not_confirmable")


async def test_only_its_guest_or_an_admin_confirms_a_hold(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, unchanged: Any
) -> None:
    held = (await reserve(guest, host, at(14))).json()
    async with unchanged():
        response = await client.post(f"/v1/reservations/{held['id']}/confirm", headers=host.auth)
        refused(response, 403, "forbidden")


async def test_strangers_learn_nothing_of_a_reservation(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    sign_up,
    unchanged: Any,
) -> None:
    held = (await reserve(guest, host, at(14))).json()
    stranger = await sign_up("Stan Stranger")
    async with unchanged():
        for reservation_id in (held["id"], 999_999):
            base = f"/v1/reservations/{reservation_id}"
            refused(await client.get(base, headers=stranger.auth), 404, "not_found")
            for action in ("confirm", "cancel"):
                response = await client.post(f"{base}/{action}", headers=stranger.auth)
                refused(response, 404, "not_found")


@pytest.mark.parametrize("how", ["cancelled", "lapsed", "swept"])
async def test_cancelling_what_is_over_is_not_cancellable(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    make_admin,
    unchanged: Any,
    how: str,
) -> None:
    held = (await reserve(guest, host, at(14))).json()
    cancel = f"/v1/reservations/{held['id']}/cancel"
    if how == "cancelled":
        assert (await client.post(cancel, headers=guest.auth)).status_code == 200
    else:
        clock.advance(minutes=30)
    if how == "swept":
        admin = await make_admin()
        await client.post("/v1/admin/expire-holds", headers=admin.auth)
    async with unchanged():
        refused(await client.post(cancel, headers=host.auth), 409, "not_cancellable")


async def test_only_an_admin_expires_holds(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    unchanged: Any,
) -> None:
    await reserve(guest, host, at(14))
    clock.advance(hours=1)
    async with unchanged():
        refused(await client.post("/v1/admin/expire-holds", headers=guest.auth), 403, "forbidden")


async def test_every_error_of_each_route_is_in_the_openapi_schema(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    def codes(path: str, method: str = "post") -> dict[str, str]:
        responses = paths[path][method]["responses"]
        return {status: r["description"] for status, r in responses.items()}

    create = codes("/v1/reservations")
    assert "201" in create
    for code in ("slot_unavailable",):
        assert code in create["409"]
    for code in (
        "invalid_request",
        "misaligned",
        "too_soon",
        "too_far",
        "outside_availability",
        "self_booking",
        "idempotency_key_reused",
    ):
        assert code in create["422"]
    assert {"401", "404"} <= create.keys()
    confirm = codes("/v1/reservations/{reservation_id}/confirm")
    assert "hold_expired" in confirm["409"]
    assert "forbidden" in confirm["403"]
    assert "not_cancellable" in codes("/v1/reservations/{reservation_id}/cancel")["409"]
    leave = codes("/v1/reservations/{reservation_id}/leave")
    assert "not_leavable" in leave["409"]
    assert "forbidden" in leave["403"]
    assert "not_found" in leave["404"]
    assert "not_found" in codes("/v1/reservations/{reservation_id}", "get")["404"]
    assert "forbidden" in codes("/v1/admin/expire-holds")["403"]
