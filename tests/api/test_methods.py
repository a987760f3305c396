"""A method a path does not serve is 405 with an ``Allow`` header naming every method it does
serve (all of its routes, not the first one found)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/v1/users/me", "GET"),
        ("DELETE", "/v1/users/me", "GET"),
        ("PUT", "/v1/users", "GET, POST"),
        ("PUT", "/v1/users/1", "DELETE, GET, PATCH"),
        ("DELETE", "/v1/reservations", "GET, POST"),
        ("POST", "/v1/users/1/availability", "DELETE, GET, PUT"),
    ],
)
async def test_a_method_not_served_is_405_with_every_allowed_method(
    client: httpx.AsyncClient, sign_up: Any, method: str, path: str, allow: str
) -> None:
    ada = await sign_up("Ada")
    response = await client.request(method, path, headers=ada.auth)
    assert response.status_code == 405, response.text
    assert response.headers["Allow"] == allow
    assert response.json()["code"] == "method_not_allowed"


async def test_me_is_a_path_of_its_own_and_any_other_word_is_not_an_id(
    client: httpx.AsyncClient, sign_up: Any
) -> None:
    ada = await sign_up("Ada")
    assert (await client.get("/v1/users/me", headers=ada.auth)).status_code == 200
    assert (await client.get("/v1/users/ada", headers=ada.auth)).status_code == 422
    assert (await client.patch("/v1/users/mee", json={}, headers=ada.auth)).status_code == 422
