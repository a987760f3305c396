"""Token guessing: unrecognised tokens count per address and per token prefix, across
processes through Redis; past the allowance a guess is refused (429) before it is looked up."""

from __future__ import annotations

import secrets

import pytest
from fastapi import FastAPI

from concierge.app import create_app
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from tests.ratelimit.test_limits import from_address, person

pytestmark = pytest.mark.anyio

GUESSES = 5


@pytest.fixture
def guarded(settings: Settings) -> Settings:
    return settings.model_copy(update={"rate_limit_auth_failures": f"{GUESSES}/minute"})


@pytest.fixture
def app(guarded: Settings, db: Database, clock: FrozenClock) -> FastAPI:
    return create_app(guarded, db=db, clock=clock)


def guess(prefix: str = "cnc_") -> dict[str, str]:
    return {"Authorization": f"Bearer {prefix}{secrets.token_urlsafe(32)}"}


async def test_random_tokens_from_one_address_are_refused_past_the_allowance(
    app: FastAPI,
) -> None:
    async with from_address(app, "198.51.100.7") as guesser:
        answers = [
            (await guesser.get("/v1/users/me", headers=guess())).status_code for _ in range(12)
        ]
    assert answers == [401] * GUESSES + [429] * (12 - GUESSES), answers


async def test_a_known_token_still_works_from_a_guessing_address(app: FastAPI) -> None:
    async with from_address(app, "198.51.100.8") as client:
        token = (await client.post("/v1/users", json=person(1))).json()["token"]
        mine = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/v1/users/me", headers=mine)).status_code == 200
        for _ in range(GUESSES + 2):
            await client.get("/v1/users/me", headers=guess())
        # Known (cached) tokens are not guesses; a new guess is refused, right or wrong.
        assert (await client.get("/v1/users/me", headers=mine)).status_code == 200
        assert (await client.get("/v1/users/me", headers=guess())).status_code == 429


async def test_guesses_sharing_a_prefix_are_limited_across_addresses(
    app: FastAPI,
) -> None:
    prefix = "cnc_" + secrets.token_urlsafe(6)[:8]
    answers = []
    for n in range(GUESSES + 3):
        async with from_address(app, f"203.0.113.{n + 1}") as guesser:
            answers.append((await guesser.get("/v1/users/me", headers=guess(prefix))).status_code)
    assert answers == [401] * GUESSES + [429] * 3, answers


async def test_guesses_count_across_processes_sharing_redis(
    guarded: Settings, db: Database, clock: FrozenClock, redis_url: str, redis_prefix: str
) -> None:
    shared = guarded.model_copy(
        update={"redis_url": redis_url, "rate_limit_key_prefix": redis_prefix}
    )
    first, second = create_app(shared, db=db, clock=clock), create_app(shared, db=db, clock=clock)
    answers = []
    for n in range(GUESSES + 3):
        async with from_address(first if n % 2 else second, "192.0.2.9") as guesser:
            answers.append((await guesser.get("/v1/users/me", headers=guess())).status_code)
    assert answers == [401] * GUESSES + [429] * 3, answers


async def test_the_mcp_endpoint_counts_guesses_with_the_api(app: FastAPI) -> None:
    async with from_address(app, "198.51.100.9") as guesser:
        for _ in range(GUESSES - 1):
            assert (await guesser.get("/v1/users/me", headers=guess())).status_code == 401
        rpc = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        answers = [
            (await guesser.post("/mcp", json=rpc, headers=guess())).status_code for _ in range(3)
        ]
    assert answers == [401, 429, 429], answers
