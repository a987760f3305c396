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
