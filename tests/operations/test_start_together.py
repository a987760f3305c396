"""Servers that start together on an empty database all come up: one migrates under a lock,
the others wait and find the database at head. ``--no-migrate`` leaves migrating to a step of
its own."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from concierge import migrate
from tests.fixtures.database import fresh_postgres
from tests.fixtures.server import ServerPool

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no table at all, as on the first deployment."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh' / 'concierge.db'}"
        return
    with fresh_postgres("fresh", migrated=False) as url:
        yield url


def test_four_servers_started_at_once_on_an_empty_database_all_serve(
    live_servers: ServerPool, empty_database: str
) -> None:
    servers = live_servers.start(empty_database, count=4)

    assert migrate.pending(empty_database) == []
    for n, server in enumerate(servers):
        body = {"name": f"Person {n}", "email": f"p{n}@example.com", "timezone": "UTC"}
        signed_up = httpx.post(f"{server.url}/v1/users", json=body, timeout=10)
        assert signed_up.status_code == 201, (server.number, signed_up.text, server.log())
        token = signed_up.json()["token"]
        me = httpx.get(
            f"{server.url}/v1/users", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert len(me.json()["items"]) == n + 1  # one database: each sees those before
    assert all(server.alive for server in servers)


def test_upgrades_run_together_leave_one_schema_at_head(empty_database: str) -> None:
    failures: list[BaseException] = []

    def upgrade() -> None:
        try:
            migrate.upgrade(empty_database)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=upgrade) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert migrate.pending(empty_database) == []


def test_no_migrate_serves_without_touching_the_schema(
    live_servers: ServerPool, empty_database: str
) -> None:
    (server,) = live_servers.start(empty_database, args=["--no-migrate"])

    assert migrate.pending(empty_database) != []
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
