"""ResyAuthManager against the stand-in: stored logins, lapsed tokens, refused tokens, and the
browser fallback when Resy blocks a program's login."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest

from concierge import jwt
from concierge.config import Settings
from concierge.credentials import CredentialStore
from concierge.integrations.resy.auth import ResyAuthManager
from concierge.integrations.resy.errors import AuthExpired, BadCredentials
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, ResySandbox

pytestmark = pytest.mark.anyio

LOGIN = "POST /3/auth/password"


class NoBrowser:
    """For tests where the browser must not be used: fails loudly if it is."""

    async def login(self, email: str, password: str) -> str:
        raise AssertionError("the browser fallback should not have been used")


@pytest.fixture
def store(resy_settings: Settings) -> CredentialStore:
    return CredentialStore.for_owner(resy_settings, 42)


@pytest.fixture
def manager(
    resy_http: httpx.AsyncClient,
    resy_settings: Settings,
    store: CredentialStore,
    resy_sandbox: ResySandbox,
) -> ResyAuthManager:
    return ResyAuthManager(
        resy_http,
        resy_settings,
        store,
        clock=resy_sandbox.clock,
        browser=NoBrowser(),
        backoff=0.01,
        backoff_max=0.05,
    )


async def test_login_stores_the_token_card_and_expiry(
    manager: ResyAuthManager, store: CredentialStore, resy_sandbox: ResySandbox
) -> None:
    login = await manager.login(DEMO_EMAIL, DEMO_PASSWORD)

    saved = store.get("resy")
    assert saved is not None
    assert saved.auth_token is not None
    assert saved.auth_token.get_secret_value() == login.token.get_secret_value()
    assert saved.password.get_secret_value() == DEMO_PASSWORD
    assert saved.payment_method_id == 11223344
    assert saved.payment_method_label == "Visa ending in 1234"
    assert saved.token_expires_at == jwt.expires_at(login.token.get_secret_value())
    assert saved.token_expires_at.date() == date(2027, 1, 7)  # 45 days after the stand-in's now


async def test_wrong_password_is_reported_and_nothing_is_stored(
    manager: ResyAuthManager, store: CredentialStore
) -> None:
    with pytest.raises(BadCredentials):
        await manager.login(DEMO_EMAIL, "wrong")
    assert not store.has("resy")


async def test_a_valid_stored_token_is_used_without_logging_in(
    manager: ResyAuthManager, resy_sandbox: ResySandbox
) -> None:
    await manager.login(DEMO_EMAIL, DEMO_PASSWORD)
    client = manager.client()

    await client.current_user()
    await client.my_reservations()

    assert resy_sandbox.count(LOGIN) == 1


async def test_a_lapsed_token_is_renewed_before_the_call(
    manager: ResyAuthManager, store: CredentialStore, resy_sandbox: ResySandbox
) -> None:
    first = (await manager.login(DEMO_EMAIL, DEMO_PASSWORD)).token.get_secret_value()
    resy_sandbox.clock.advance(days=46)  # past the JWT's exp, on both sides

    me = await manager.client().current_user()

    assert me.email == DEMO_EMAIL
    assert resy_sandbox.count(LOGIN) == 2
    assert resy_sandbox.count("GET /2/user") == 1  # renewed before, not after a refusal
    saved = store.get("resy")
    assert saved is not None
    assert saved.auth_token is not None
    assert saved.auth_token.get_secret_value() != first


async def test_a_token_refused_mid_session_is_renewed_once_and_the_call_retried(
    manager: ResyAuthManager, resy_sandbox: ResySandbox
) -> None:
    await manager.login(DEMO_EMAIL, DEMO_PASSWORD)
    client = manager.client()
    await client.current_user()
    resy_sandbox.faults(expire_tokens=True)

    page = await client.my_reservations()

    assert page.reservations == []
    assert resy_sandbox.count(LOGIN) == 2
    assert resy_sandbox.count("GET /3/user/reservations") == 2


async def test_many_calls_refused_at_once_share_one_new_login(
    manager: ResyAuthManager, resy_sandbox: ResySandbox
) -> None:
    await manager.login(DEMO_EMAIL, DEMO_PASSWORD)
    client = manager.client()
    resy_sandbox.faults(expire_tokens=True)

    await asyncio.gather(*(client.current_user() for _ in range(4)))

    assert resy_sandbox.count(LOGIN) == 2
    assert resy_sandbox.count("GET /2/user") == 8


async def test_a_password_changed_at_resy_stops_after_one_attempt(
    manager: ResyAuthManager, resy_sandbox: ResySandbox
) -> None:
    await manager.login(DEMO_EMAIL, DEMO_PASSWORD)
    resy_sandbox.world.account_by_email(DEMO_EMAIL).password = "changed"  # type: ignore[union-attr]
    resy_sandbox.faults(expire_tokens=True)

    with pytest.raises(BadCredentials, match="concierge resy login"):
        await manager.client().current_user()
    assert resy_sandbox.count(LOGIN) == 2


async def test_without_a_stored_login_the_client_says_how_to_log_in(
    manager: ResyAuthManager, resy_sandbox: ResySandbox
) -> None:
    client = manager.client()
    with pytest.raises(AuthExpired, match="concierge resy login"):
        await client.current_user()
    # searching needs no login: Resy answers with the application key alone
    assert [h.name for h in await client.venue_search("lilia")] == ["Lilia"]


async def test_logout_forgets_the_login(manager: ResyAuthManager, store: CredentialStore) -> None:
    await manager.login(DEMO_EMAIL, DEMO_PASSWORD)

    assert manager.logout() is True
    assert not store.has("resy")
    assert manager.logout() is False


@pytest.mark.browser
async def test_when_api_login_is_blocked_chromium_logs_in_on_the_web_page(
    resy_http: httpx.AsyncClient,
    resy_settings: Settings,
    store: CredentialStore,
    resy_sandbox: ResySandbox,
) -> None:
    resy_sandbox.faults(api_login_blocked=True)
    manager = ResyAuthManager(resy_http, resy_settings, store, clock=resy_sandbox.clock)

    login = await manager.login(DEMO_EMAIL, DEMO_PASSWORD)

    assert login.default_payment_method() is not None
    saved = store.get("resy")
    assert saved is not None
    assert saved.payment_method_label == "Visa ending in 1234"
    assert (await manager.client().current_user()).email == DEMO_EMAIL
    paths = [(r["path"], r["user_agent"]) for r in resy_sandbox.requests()]
    assert paths[0][0] == "/3/auth/password"  # the API try, refused
    assert ("/", paths[1][1]) == paths[1]  # then the web page, in a browser
    assert "HeadlessChrome" in paths[1][1]
    assert resy_sandbox.count(LOGIN) == 2


@pytest.mark.browser
async def test_the_browser_reports_a_wrong_password_as_such(
    resy_http: httpx.AsyncClient,
    resy_settings: Settings,
    store: CredentialStore,
    resy_sandbox: ResySandbox,
) -> None:
    resy_sandbox.faults(api_login_blocked=True)
    manager = ResyAuthManager(resy_http, resy_settings, store, clock=resy_sandbox.clock)

    with pytest.raises(BadCredentials):
        await manager.login(DEMO_EMAIL, "wrong")
    assert not store.has("resy")
