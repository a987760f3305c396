"""Users over HTTP: sign-up, the directory, who sees what, changes and deletion."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_sign_up_returns_the_user_and_a_token_that_works(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/users",
        json={"name": "Ada Lovelace", "email": "Ada@Example.com", "timezone": "Europe/London"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["min_notice_minutes"] == 1440
    assert body["user"]["horizon_days"] == 60
    assert body["user"]["slug"] == "ada-lovelace"
    me = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == body["user"]["id"]


async def test_an_email_signs_up_once(client: httpx.AsyncClient, sign_up) -> None:
    await sign_up("Ada", email="ada@example.com")
    again = await client.post(
        "/v1/users", json={"name": "Other", "email": "ADA@example.com", "timezone": "UTC"}
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "email_taken"
    listed = await client.get("/v1/users", headers=(await sign_up("Bob")).auth)
    assert [u["name"] for u in listed.json()["items"]] == ["Ada", "Bob"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "X", "email": "x@example.com", "timezone": "Mars/Olympus_Mons"},
        {"name": "X", "email": "not-an-email", "timezone": "UTC"},
        {"name": "", "email": "x@example.com", "timezone": "UTC"},
        {"name": "X", "email": "x@example.com", "timezone": "UTC", "is_admin": True},
    ],
    ids=["unknown-zone", "bad-email", "empty-name", "admin-through-the-api"],
)
async def test_bad_sign_ups_are_refused_and_create_nothing(
    client: httpx.AsyncClient, sign_up, body: dict[str, object]
) -> None:
    response = await client.post("/v1/users", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    viewer = await sign_up("Viewer")
    listed = await client.get("/v1/users", headers=viewer.auth)
    assert [u["name"] for u in listed.json()["items"]] == ["Viewer"]


async def test_no_token_is_401_and_an_unknown_one_too(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer cnc_nope"}):
        response = await client.get("/v1/users/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
        assert response.headers["www-authenticate"] == "Bearer"


async def test_others_see_name_and_zone_only(
    client: httpx.AsyncClient, sign_up, make_admin
) -> None:
    ada, bob = await sign_up("Ada"), await sign_up("Bob")
    admin = await make_admin()
    as_bob = (await client.get(f"/v1/users/{ada.id}", headers=bob.auth)).json()
    assert as_bob == {"id": ada.id, "name": "Ada", "timezone": "UTC"}
    as_admin = (await client.get(f"/v1/users/{ada.id}", headers=admin.auth)).json()
    assert as_admin["email"] == "ada@example.com"
    directory = (await client.get("/v1/users", headers=admin.auth)).json()["items"]
    assert all("email" in u for u in directory)


async def test_only_self_or_admin_may_change_or_delete(
    client: httpx.AsyncClient, sign_up, make_admin
) -> None:
    ada, bob = await sign_up("Ada"), await sign_up("Bob")
    refused = await client.patch(f"/v1/users/{ada.id}", json={"name": "Eve"}, headers=bob.auth)
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert (await client.delete(f"/v1/users/{ada.id}", headers=bob.auth)).status_code == 403
    changed = await client.patch(
        f"/v1/users/{ada.id}",
        json={"timezone": "Asia/Tokyo", "min_notice_minutes": 60},
        headers=ada.auth,
    )
    assert changed.status_code == 200
    assert changed.json()["timezone"] == "Asia/Tokyo"
    admin = await make_admin()
    assert (await client.delete(f"/v1/users/{ada.id}", headers=admin.auth)).status_code == 204
    assert (await client.get("/v1/users/me", headers=ada.auth)).status_code == 401
    assert (await client.get(f"/v1/users/{ada.id}", headers=bob.auth)).status_code == 404


async def test_unknown_user_is_404_problem(client: httpx.AsyncClient, sign_up) -> None:
    bob = await sign_up("Bob")
    response = await client.get("/v1/users/999", headers=bob.auth)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_typo_in_an_update_is_rejected_not_ignored(
    client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up("Ada")
    response = await client.patch(f"/v1/users/{ada.id}", json={"timzone": "UTC"}, headers=ada.auth)
    assert response.status_code == 422


# ------------------------------------------------------------------ refusals change nothing


async def whole(client: httpx.AsyncClient, person) -> dict[str, object]:
    response = await client.get("/v1/users/me", headers=person.auth)
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


@pytest.mark.parametrize(
    "change",
    [
        {"timezone": "Mars/Olympus_Mons"},
        {"timezone": "america/new york"},
        {"timezone": None},
        {"name": None},
        {"name": "   "},
        {"min_notice_minutes": -1},
        {"min_notice_minutes": None},
        {"horizon_days": 0},
        {"horizon_days": "soon"},
        {"email": "new@example.com"},
        {"is_admin": True},
    ],
    ids=[
        "unknown-zone",
        "malformed-zone",
        "null-zone",
        "null-name",
        "blank-name",
        "negative-notice",
        "null-notice",
        "zero-horizon",
        "word-horizon",
        "email-is-fixed",
        "admin-through-the-api",
    ],
)
async def test_bad_changes_are_refused_and_change_nothing(
    client: httpx.AsyncClient, sign_up, change: dict[str, object]
) -> None:
    ada = await sign_up("Ada", "Europe/London")
    before = await whole(client, ada)
    response = await client.patch(f"/v1/users/{ada.id}", json=change, headers=ada.auth)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_request"
    assert await whole(client, ada) == before


async def test_a_phone_can_be_cleared_and_other_fields_stay(
    client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up("Ada")
    await client.patch(f"/v1/users/{ada.id}", json={"phone": "+44 20 7946 0000"}, headers=ada.auth)
    cleared = await client.patch(f"/v1/users/{ada.id}", json={"phone": None}, headers=ada.auth)
    assert cleared.status_code == 200
    assert cleared.json()["phone"] is None
    assert cleared.json()["name"] == "Ada"


@pytest.mark.parametrize(
    "body",
    [
        {"email": "x@example.com", "timezone": "UTC"},
        {"name": "X", "timezone": "UTC"},
        {"name": "X", "email": "x@example.com"},
        {"name": "X", "email": "x@example.com", "timezone": ""},
        {"name": "X" * 201, "email": "x@example.com", "timezone": "UTC"},
    ],
    ids=["no-name", "no-email", "no-zone", "empty-zone", "name-too-long"],
)
async def test_incomplete_sign_ups_are_refused(
    client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    response = await client.post("/v1/users", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert response.json()["errors"]


async def test_an_unknown_user_is_404_for_admins_and_403_for_others_on_writes(
    client: httpx.AsyncClient, sign_up, make_admin
) -> None:
    bob, admin = await sign_up("Bob"), await make_admin()
    for method, extra in (("PATCH", {"json": {"name": "Z"}}), ("DELETE", {})):
        as_admin = await client.request(method, "/v1/users/999", headers=admin.auth, **extra)
        assert as_admin.status_code == 404
        assert as_admin.json()["code"] == "not_found"
        as_bob = await client.request(method, "/v1/users/999", headers=bob.auth, **extra)
        assert as_bob.status_code == 403
        assert as_bob.json()["code"] == "forbidden"


async def test_a_user_id_is_a_number(client: httpx.AsyncClient, sign_up) -> None:
    bob = await sign_up("Bob")
    response = await client.get("/v1/users/bob", headers=bob.auth)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


async def test_every_users_route_wants_a_token(client: httpx.AsyncClient, sign_up) -> None:
    ada = await sign_up("Ada")
    before = await whole(client, ada)
    for method, path, extra in (
        ("GET", "/v1/users", {}),
        ("GET", "/v1/users/me", {}),
        ("GET", f"/v1/users/{ada.id}", {}),
        ("PATCH", f"/v1/users/{ada.id}", {"json": {"name": "Eve"}}),
        ("DELETE", f"/v1/users/{ada.id}", {}),
    ):
        response = await client.request(method, path, **extra)
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "unauthenticated"
    assert await whole(client, ada) == before


async def test_the_directory_pages_with_a_cursor(client: httpx.AsyncClient, sign_up) -> None:
    people = [await sign_up(f"Person {n}") for n in range(5)]
    viewer = people[0]
    first = await client.get("/v1/users", params={"limit": 2}, headers=viewer.auth)
    assert [u["name"] for u in first.json()["items"]] == ["Person 0", "Person 1"]
    cursor = first.json()["next_cursor"]
    second = await client.get(
        "/v1/users", params={"limit": 2, "cursor": cursor}, headers=viewer.auth
    )
    assert [u["name"] for u in second.json()["items"]] == ["Person 2", "Person 3"]
    last = await client.get(
        "/v1/users",
        params={"limit": 2, "cursor": second.json()["next_cursor"]},
        headers=viewer.auth,
    )
    assert [u["name"] for u in last.json()["items"]] == ["Person 4"]
    assert last.json()["next_cursor"] is None
    for params, code in (
        ({"limit": 0}, "invalid_request"),
        ({"limit": 501}, "invalid_request"),
        ({"cursor": "not*a*cursor"}, "invalid_cursor"),
    ):
        refused = await client.get("/v1/users", params=params, headers=viewer.auth)
        assert refused.status_code == 422, params
        assert refused.json()["code"] == code


async def test_deleting_a_user_cancels_their_future_reservations_only(
    client: httpx.AsyncClient, sign_up, db, clock
) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from concierge.models import Reservation, ReservationStatus

    ada, bob = await sign_up("Ada"), await sign_up("Bob")
    now = clock.now()
    rows = [
        (ada.id, bob.id, now - timedelta(days=2), ReservationStatus.CONFIRMED),  # past: kept
        (ada.id, bob.id, now + timedelta(days=2), ReservationStatus.CONFIRMED),
        (bob.id, ada.id, now + timedelta(days=3), ReservationStatus.HELD),
    ]
    async with db.unit_of_work() as session:
        for host, guest, start, status in rows:
            session.add(
                Reservation(
                    host_id=host,
                    guest_id=guest,
                    start_at=start,
                    end_at=start + timedelta(minutes=30),
                    status=status,
                    hold_expires_at=now + timedelta(minutes=30),
                    created_at=now,
                )
            )
    assert (await client.delete(f"/v1/users/{ada.id}", headers=ada.auth)).status_code == 204
    async with db.unit_of_work(write=False) as session:
        statuses = list(
            await session.scalars(select(Reservation.status).order_by(Reservation.start_at))
        )
    assert statuses == ["confirmed", "cancelled", "cancelled"]
