"""Strange input is refused politely: oversized bodies get 413, lists are capped, and a typo in a
field name is an error instead of a silently ignored field."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from concierge.api.pagination import encode_cursor
from concierge.app import create_app
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database

pytestmark = pytest.mark.anyio


@pytest.fixture
def small_app(settings: Settings, db: Database, clock: FrozenClock) -> FastAPI:
    return create_app(settings.model_copy(update={"max_body_bytes": 2048}), db=db, clock=clock)


@pytest.fixture
async def small(small_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=small_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://concierge.test") as c:
        yield c


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"
    assert "X-Request-ID" in response.headers


async def test_a_declared_oversized_body_is_refused_before_it_is_read(
    small: httpx.AsyncClient,
) -> None:
    body = {"name": "x" * 4000, "email": "big@example.com", "timezone": "UTC"}
    assert_too_large(await small.post("/v1/users", json=body))


async def test_a_streamed_body_is_refused_when_it_passes_the_limit(
    small: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(10):
            yield b"y" * 512
        yield b'", "email": "s@example.com", "timezone": "UTC"}'

    response = await small.post(
        "/v1/users", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_too_large(response)


async def test_a_body_under_the_limit_goes_through(small: httpx.AsyncClient) -> None:
    body = {"name": "Ada", "email": "ada@example.com", "timezone": "UTC"}
    assert (await small.post("/v1/users", json=body)).status_code == 201


async def test_lists_are_capped(client: httpx.AsyncClient, sign_up: Any) -> None:
    ada = await sign_up("Ada")
    too_many_windows = [{"start": f"{h:02d}:00", "end": f"{h:02d}:15"} for h in range(24)] * 3
    response = await client.put(
        f"/v1/users/{ada.id}/weekly-hours",
        json={"days": {"monday": too_many_windows}},
        headers=ada.auth,
    )
    assert response.status_code == 422
    assert (await client.get("/v1/users?limit=501", headers=ada.auth)).status_code == 422
    many = ",".join(str(n) for n in range(1, 30))
    common = await client.get(f"/v1/availability/common?users={many}", headers=ada.auth)
    assert common.status_code == 422


async def test_a_misspelt_field_is_refused_not_ignored(
    client: httpx.AsyncClient, sign_up: Any
) -> None:
    ada = await sign_up("Ada")
    response = await client.patch(
        f"/v1/users/{ada.id}", json={"min_notice_minute": 0}, headers=ada.auth
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.min_notice_minute"


async def test_ids_too_large_for_the_database_are_refused_not_crashed_on(
    client: httpx.AsyncClient, sign_up: Any
) -> None:
    ada = await sign_up("Ada")
    huge = "68146091157457886773248"  # found by the fuzzer: SQLite cannot even bind it
    for path in (
        f"/v1/users/{huge}",
        f"/v1/users/{2**31}",
        f"/v1/users/{huge}/slots",
        f"/v1/availability/common?users={ada.id},{huge}",
        f"/v1/users?cursor={encode_cursor([2**70])}",
    ):
        response = await client.get(path, headers=ada.auth)
        assert response.status_code == 422, (path, response.text)
    assert (await client.delete(f"/v1/users/{huge}", headers=ada.auth)).status_code == 422


async def test_null_is_refused_where_the_database_has_no_nothing_to_store(
    client: httpx.AsyncClient, sign_up: Any
) -> None:
    ada = await sign_up("Ada")
    for field in ("name", "timezone", "min_notice_minutes", "horizon_days"):
        response = await client.patch(
            f"/v1/users/{ada.id}", json={field: None}, headers=ada.auth
        )  # found by the fuzzer: was a 500 (NOT NULL constraint failed)
        assert response.status_code == 422, (field, response.text)
    cleared = await client.patch(f"/v1/users/{ada.id}", json={"phone": None}, headers=ada.auth)
    assert cleared.status_code == 200
    assert cleared.json()["phone"] is None


async def test_a_body_that_is_not_text_is_an_invalid_request(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/users", content=b"\xff\xfe\x00{", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def _objects(schema: Any, components: dict[str, Any], seen: set[str]) -> Iterator[tuple[str, Any]]:
    """Every object schema with named properties reachable from ``schema``."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                yield name, components[name]
                yield from _objects(components[name], components, seen)
            return
        for value in schema.values():
            yield from _objects(value, components, seen)
    elif isinstance(schema, list):
        for value in schema:
            yield from _objects(value, components, seen)


def test_every_request_body_forbids_unknown_fields(tmp_path: Path) -> None:
    """Re-run as the API grows: any new body model must say extra="forbid"."""
    settings = Settings(database_url=f"sqlite:///{tmp_path}/schema.db", _env_file=None)  # type: ignore[call-arg]
    openapi = create_app(settings).openapi()
    components = openapi["components"]["schemas"]
    checked = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if not body:
                continue
            for name, model in _objects(body, components, set()):
                if "properties" in model:
                    checked.append(name)
                    assert model.get("additionalProperties") is False, (
                        f"{method.upper()} {path}: {name} accepts unknown fields; "
                        'give it model_config = ConfigDict(extra="forbid")'
                    )
    assert {"UserCreate", "UserUpdate", "WeeklyHours", "WallWindow"} <= set(checked)
