"""The token cache: a checked token is trusted for AUTH_CACHE_SECONDS (30) without asking the
database, except that whatever changes its owner's account through this process takes effect
at once; through another process, within the TTL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import inspect

from concierge.accounts import service as accounts
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from tests.fixtures.app import Person
from tests.fixtures.caches import selects

pytestmark = pytest.mark.anyio


async def me(client: httpx.AsyncClient, person: Person) -> httpx.Response:
    return await client.get("/v1/users/me", headers=person.auth)


async def delete_elsewhere(other: Database, person: Person, clock: FrozenClock) -> None:
    """Delete ``person`` as the CLI or another server process would."""
    async with other.unit_of_work() as session:
        user = await accounts.get_user(session, person.id)
        await accounts.delete_user(session, user, person.id, clock.now())


async def test_a_checked_token_is_trusted_again_without_a_query(
    client: httpx.AsyncClient, sign_up: Any, sql_log: list[str]
) -> None:
    ada = await sign_up("Ada")
    assert (await me(client, ada)).status_code == 200
    selects(sql_log)
    again = await me(client, ada)
    assert again.status_code == 200
    assert again.json()["name"] == "Ada"
    assert selects(sql_log) == []


async def test_a_change_to_the_user_shows_in_the_next_request(
    client: httpx.AsyncClient, sign_up: Any
) -> None:
    ada = await sign_up("Ada")
    await me(client, ada)
    changes = {"name": "Ada King", "timezone": "Europe/London"}
    changed = await client.patch(f"/v1/users/{ada.id}", json=changes, headers=ada.auth)
    assert changed.status_code == 200
    body = (await me(client, ada)).json()
    assert (body["name"], body["timezone"]) == ("Ada King", "Europe/London")


async def test_deleting_the_user_stops_every_token_of_theirs_at_once(
    client: httpx.AsyncClient, sign_up: Any, db: Database, clock: FrozenClock
) -> None:
    ada = await sign_up("Ada")
    async with db.unit_of_work() as session:
        user = await accounts.get_user(session, ada.id)
        token = await accounts.issue_token(session, user, clock.now(), label="phone")
    second = Person(ada.id, ada.name, token, ada.timezone)
    for token in (ada, second):
        assert (await me(client, token)).status_code == 200
    deleted = await client.delete(f"/v1/users/{ada.id}", headers=ada.auth)
    assert deleted.status_code == 204
    for token in (ada, second):
        refused = await me(client, token)
        assert refused.status_code == 401
        assert refused.json()["code"] == "unauthenticated"


async def test_a_revocation_by_another_process_takes_effect_within_the_ttl(
    client: httpx.AsyncClient, sign_up: Any, elsewhere: Database, clock: FrozenClock
) -> None:
    ada = await sign_up("Ada")
    assert (await me(client, ada)).status_code == 200
    await delete_elsewhere(elsewhere, ada, clock)
    clock.advance(seconds=29)
    assert (await me(client, ada)).status_code == 200  # this process has not heard of it
    clock.advance(seconds=1)
    assert (await me(client, ada)).status_code == 401


async def test_unknown_tokens_are_never_remembered(
    client: httpx.AsyncClient, sql_log: list[str]
) -> None:
    stranger = Person(0, "Nobody", "cnc_not-a-token", "UTC")
    for _ in range(2):
        assert (await me(client, stranger)).status_code == 401
        assert selects(sql_log), "each unknown token is looked up"


async def test_with_the_cache_off_every_request_asks_the_database(
    client_for: Any,
    sign_up: Any,
    elsewhere: Database,
    clock: FrozenClock,
    sql_log: list[str],
) -> None:
    uncached = await client_for(auth_cache_seconds=0)
    ada = await sign_up("Ada")
    for _ in range(2):
        assert (await me(uncached, ada)).status_code == 200
        assert selects(sql_log)
    await delete_elsewhere(elsewhere, ada, clock)
    assert (await me(uncached, ada)).status_code == 401


async def test_every_caller_gets_a_detached_copy_of_their_own(
    db: Database, sign_up: Any, clock: FrozenClock, settings: Settings
) -> None:
    ada = await sign_up("Ada")
    cache = accounts.token_cache(db.changes, settings)  # 30 seconds
    digest = accounts.presented_token(ada.token)
    async with db.unit_of_work(write=False) as session:
        read = await accounts.load_caller(session, digest, cache, clock.now())
    first = accounts.cached_caller(cache, digest, clock.now())
    second = accounts.cached_caller(cache, digest, clock.now())
    assert first is not None
    assert second is not None
    for caller in (read, first, second):
        assert inspect(caller).detached
        assert caller.id == ada.id
    first.booking_durations.append(480)
    assert second.booking_durations == [15, 30, 60]
    assert accounts.cached_caller(cache, digest, clock.now() + timedelta(seconds=30)) is None
