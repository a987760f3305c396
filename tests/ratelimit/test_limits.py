"""Rate limits: per address on sign-up, per token on everything, shared through Redis, with a
429 problem that says when to come back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import ValidationError

from concierge.app import create_app
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.errors import RateLimited
from concierge.ratelimit import RateLimiter
from concierge.ratelimit.deps import check_account, limit_by_account
from tests.fixtures.logs import CapturedLogs

pytestmark = pytest.mark.anyio

AppFactory = Callable[..., FastAPI]


@pytest.fixture
def make_app(settings: Settings, db: Database, clock: FrozenClock) -> AppFactory:
    def make(**changes: Any) -> FastAPI:
        return create_app(settings.model_copy(update=changes), db=db, clock=clock)

    return make


@asynccontextmanager
async def from_address(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://concierge.test") as c:
        yield c


def person(n: int) -> dict[str, str]:
    return {"name": f"Person {n}", "email": f"p{n}@example.com", "timezone": "UTC"}


def assert_rate_limited(response: httpx.Response, at_most: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= at_most


async def test_a_sign_up_flood_from_one_address_is_refused_while_others_sign_up(
    make_app: AppFactory,
) -> None:
    app = make_app(rate_limit_signup="3/minute")
    async with from_address(app, "203.0.113.7") as flood, from_address(app, "198.51.100.2") as ok:
        statuses = [(await flood.post("/v1/users", json=person(n))).status_code for n in range(6)]
        assert statuses == [201, 201, 201, 429, 429, 429]
        assert_rate_limited(await flood.post("/v1/users", json=person(99)), at_most=60)
        assert (await ok.post("/v1/users", json=person(100))).status_code == 201


async def test_booking_pages_are_limited_per_address(
    make_app: AppFactory, client: httpx.AsyncClient, sign_up: Any
) -> None:
    ada = await sign_up("Ada")
    slug = (await client.get("/v1/users/me", headers=ada.auth)).json()["slug"]
    app = make_app(rate_limit_booking_pages="3/minute")
    async with from_address(app, "203.0.113.7") as crawler, from_address(app, "198.51.100.2") as c:
        statuses = [(await crawler.get(f"/book/{slug}")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert_rate_limited(await crawler.get(f"/book/{slug}"), at_most=60)
        assert (await c.get(f"/book/{slug}")).status_code == 200


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    make_app: AppFactory,
) -> None:
    untrusting = make_app(rate_limit_signup="2/minute")
    async with from_address(untrusting, "203.0.113.7") as c:
        statuses = [
            (
                await c.post(
                    "/v1/users", json=person(n), headers={"X-Forwarded-For": f"192.0.2.{n}"}
                )
            ).status_code
            for n in range(4)
        ]
    assert statuses == [201, 201, 429, 429]

    behind_proxy = make_app(rate_limit_signup="2/minute", trusted_proxies="10.0.0.0/8")
    async with from_address(behind_proxy, "10.1.2.3") as proxy:
        statuses = [
            (
                await proxy.post(
                    "/v1/users",
                    json=person(10 + n),
                    headers={"X-Forwarded-For": f"192.0.2.{n % 2}"},  # two real clients
                )
            ).status_code
            for n in range(6)
        ]
    assert statuses == [201, 201, 201, 201, 429, 429]


async def test_the_default_limit_counts_per_token_and_spares_health_probes(
    make_app: AppFactory, sign_up: Any
) -> None:
    ada, grace = await sign_up("Ada"), await sign_up("Grace")
    app = make_app(rate_limit_default="3/minute")
    async with from_address(app, "203.0.113.7") as c:
        statuses = [(await c.get("/v1/users/me", headers=ada.auth)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert (await c.get("/v1/users/me", headers=grace.auth)).status_code == 200
        assert [(await c.get("/healthz")).status_code for _ in range(5)] == [200] * 5


async def test_limits_can_be_turned_off(make_app: AppFactory) -> None:
    app = make_app(rate_limits_enabled=False, rate_limit_signup="1/minute")
    async with from_address(app, "203.0.113.7") as c:
        assert [(await c.post("/v1/users", json=person(n))).status_code for n in range(3)] == [
            201
        ] * 3


async def test_per_account_limit_as_a_dependency_and_for_tool_calls(
    make_app: AppFactory, sign_up: Any
) -> None:
    ada = await sign_up("Ada")
    app = make_app(rate_limit_reservations="2/minute", rate_limit_mcp_booking="1/minute")

    @app.post("/_test/book", dependencies=[Depends(limit_by_account("reservations"))])
    async def book() -> dict[str, str]:
        return {}

    async with from_address(app, "203.0.113.7") as c:
        statuses = [(await c.post("/_test/book", headers=ada.auth)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]

    limiter: RateLimiter = app.state.rate_limiter
    await check_account(limiter, "mcp_booking", ada.id)
    with pytest.raises(RateLimited) as refused:
        await check_account(limiter, "mcp_booking", ada.id)
    assert refused.value.extra["retry_after"] >= 1
    assert "booking tool calls" in refused.value.detail


def test_a_mistyped_limit_fails_at_start_up() -> None:
    with pytest.raises(ValidationError, match="rate_limit_signup"):
        Settings(rate_limit_signup="5 a fortnight", _env_file=None)  # type: ignore[call-arg]


async def test_processes_sharing_redis_share_the_counts(
    settings: Settings, redis_url: str, redis_prefix: str
) -> None:
    shared = settings.model_copy(
        update={
            "redis_url": redis_url,
            "rate_limit_key_prefix": redis_prefix,
            "rate_limit_signup": "3/minute",
        }
    )
    first, second = RateLimiter(shared), RateLimiter(shared)
    try:
        await first.hit("signup", "ip:203.0.113.7")
        await second.hit("signup", "ip:203.0.113.7")
        await first.hit("signup", "ip:203.0.113.7")
        with pytest.raises(RateLimited):
            await second.hit("signup", "ip:203.0.113.7")
        await second.hit("signup", "ip:198.51.100.2")
    finally:
        await first.close()
        await second.close()


async def test_an_unreachable_redis_lets_requests_through_and_says_so(
    settings: Settings, captured_logs: CapturedLogs
) -> None:
    broken = settings.model_copy(
        update={"redis_url": "redis://127.0.0.1:1/0", "rate_limit_signup": "1/minute"}
    )
    limiter = RateLimiter(broken)
    try:
        await limiter.hit("signup", "ip:203.0.113.7")
        await limiter.hit("signup", "ip:203.0.113.7")
    finally:
        await limiter.close()
    assert any("rate-limit storage unavailable" in x["msg"] for x in captured_logs.lines())
