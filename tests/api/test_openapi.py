"""The published contract: every route under /v1 documents the problems it can answer with."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
METHODS = {"get", "put", "post", "patch", "delete"}
# Routes without a bearer token: sign-up, per the API contract, and the calendar feed, whose
# secret key in the address is its credential (calendar apps cannot send headers).
OPEN = {("post", "/v1/users"), ("get", "/v1/users/{user_id}/calendar.ics")}


async def operations(client: httpx.AsyncClient) -> list[tuple[str, str, dict[str, Any]]]:
    spec = (await client.get("/openapi.json")).json()
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        if path.startswith("/v1/")
        for method, operation in item.items()
        if method in METHODS
    ]


async def test_the_schema_and_the_docs_answer(client: httpx.AsyncClient) -> None:
    spec = await client.get("/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["openapi"].startswith("3.")
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text
    assert "/openapi.json" in docs.text


async def test_the_problem_schema_is_published(client: httpx.AsyncClient) -> None:
    problem = (await client.get("/openapi.json")).json()["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])


async def test_every_v1_route_lists_its_problems(client: httpx.AsyncClient) -> None:
    found = await operations(client)
    assert len(found) >= 13
    for method, path, operation in found:
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        authenticated = bool(operation.get("security"))
        assert authenticated != ((method, path) in OPEN), f"{where}: auth differs from the contract"
        if authenticated:
            assert "401" in responses, f"{where} does not list 401"
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in responses, f"{where} takes input but does not list 422"
        if "{" in path:
            assert "404" in responses, f"{where} names a resource but does not list 404"
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                content = response.get("content", {})
                assert list(content) == ["application/problem+json"], f"{where} {status}"
                assert content["application/problem+json"]["schema"] == PROBLEM_REF
                assert "`" in response["description"], f"{where} {status} names no code"


async def test_writes_on_someone_elses_account_list_403(client: httpx.AsyncClient) -> None:
    for method, path, operation in await operations(client):
        if path.startswith("/v1/users/{user_id}") and method in {"put", "patch", "delete"}:
            assert "403" in operation["responses"], f"{method.upper()} {path}"


async def test_every_route_that_lists_401_answers_401_without_a_token(
    client: httpx.AsyncClient,
) -> None:
    for method, path, operation in await operations(client):
        if not operation.get("security"):
            continue
        response = await client.request(method.upper(), path.replace("{user_id}", "1"))
        assert response.status_code == 401, f"{method.upper()} {path}: {response.status_code}"
        assert response.headers["content-type"] == "application/problem+json"
