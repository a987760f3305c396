"""Two real server processes sharing Redis refuse a sign-up flood together."""

from __future__ import annotations

from itertools import cycle
from pathlib import Path

import httpx
import pytest

from concierge import migrate
from tests.fixtures.server import ServerPool

pytestmark = pytest.mark.slow


def person(n: int) -> dict[str, str]:
    return {"name": f"Flood {n}", "email": f"flood{n}@example.com", "timezone": "UTC"}


def test_a_sign_up_flood_is_refused_across_two_processes_sharing_redis(
    live_servers: ServerPool, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path}/shared.db"
    migrate.upgrade(database_url)
    first, second = live_servers.start(
        database_url,
        count=2,
        env={
            "CONCIERGE_REDIS_URL": redis_url,
            "CONCIERGE_RATE_LIMIT_KEY_PREFIX": redis_prefix,
            "CONCIERGE_RATE_LIMIT_SIGNUP": "4/minute",
        },
    )
    # Loopback is 127.0.0.0/8: a client bound to 127.0.0.2 is, to the servers, another address.
    other_address = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(timeout=10) as flood, httpx.Client(transport=other_address) as other:
        answers = [
            flood.post(f"{server.url}/v1/users", json=person(n))
            for n, server in zip(range(10), cycle([first, second]), strict=False)
        ]
        statuses = [a.status_code for a in answers]
        assert statuses == [201] * 4 + [429] * 6, statuses
        refused = answers[-1]
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60

        for n, server in enumerate((first, second)):
            answer = other.post(f"{server.url}/v1/users", json=person(100 + n))
            assert answer.status_code == 201, answer.text
