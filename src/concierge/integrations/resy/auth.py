"""``ResyAuthManager``: one owner's Resy login, kept valid.

- Logging in tries Resy's API first. When that fails for any reason but a wrong email or
  password (blocked, captcha, server errors, an unknown answer), it logs in through a real
  browser on the resy.com login page and takes the token from the page's own API requests.
- ``ensure_valid_token()`` reads the stored token's JWT ``exp`` and logs in again when it has
  lapsed (or is about to); it runs before every authenticated call of the clients it hands out.
- When Resy refuses a token mid-call (401/419), the client asks ``renew_token`` once: one new
  login, shared by every call that was refused at the same time, then one retry.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx

from concierge import jwt
from concierge.clock import Clock, SystemClock
from concierge.config import Settings
from concierge.credentials import CredentialStore, StoredCredentials
from concierge.integrations.resy.browser import PlaywrightLogin
from concierge.integrations.resy.client import ResyClient
from concierge.integrations.resy.errors import AuthExpired, BadCredentials, ResyError
from concierge.integrations.resy.schemas import Login

log = logging.getLogger("concierge.resy.auth")

PLATFORM = "resy"
# Log in again a little before the token lapses, so a call never starts with a dying token.
EXPIRY_MARGIN = timedelta(minutes=5)


class BrowserLogin(Protocol):
    async def login(self, email: str, password: str) -> str:
        """Log in on the web page; return the user token the page itself used."""
        ...


class ResyAuthManager:
    """Logs in, stores the result in the owner's ``CredentialStore`` and keeps it valid."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: Settings,
        store: CredentialStore,
        *,
        clock: Clock | None = None,
        browser: BrowserLogin | None = None,
        **client_options: Any,
    ) -> None:
        self._http = http
        self._settings = settings
        self._store = store
        self._clock = clock or SystemClock()
        self._browser = browser or PlaywrightLogin(settings)
        self._client_options = client_options
        self._lock = asyncio.Lock()

    def client(self) -> ResyClient:
        """A client whose calls use (and renew) this owner's token."""
        return ResyClient(self._http, self._settings, tokens=self, **self._client_options)

    # --- logging in

    async def login(self, email: str, password: str) -> Login:
        """Log in (API first, then the browser), save the login encrypted, return it."""
        async with self._lock:
            return await self._login(email, password)

    async def _login(self, email: str, password: str) -> Login:
        api = ResyClient(self._http, self._settings, **self._client_options)
        try:
            login = await api.login(email, password)
            via = "API"
        except BadCredentials:
            raise
        except ResyError as exc:
            log.warning(
                "Resy API login failed (%s, status %s); logging in through the browser",
                type(exc).__name__,
                exc.status,
            )
            token = await self._browser.login(email, password)
            user = await ResyClient(
                self._http, self._settings, token=token, **self._client_options
            ).current_user()
            login = Login.model_validate({**user.model_dump(), "token": token})
            via = "browser"
        self._save(email, password, login)
        log.info("logged in to Resy through the %s", via)
        return login

    def _save(self, email: str, password: str, login: Login) -> None:
        token = login.token.get_secret_value()
        card = login.default_payment_method()
        self._store.save(
            PLATFORM,
            StoredCredentials(
                email=email,
                password=password,
                auth_token=token,
                token_expires_at=_expiry(token),
                payment_method_id=card.id if card else None,
                payment_method_label=card.label if card else None,
            ),
        )

    def logout(self) -> bool:
        """Forget the stored login; False when there was none."""
        return self._store.delete(PLATFORM)

    def stored(self) -> StoredCredentials | None:
        return self._store.get(PLATFORM)

    def signing_key(self, purpose: str) -> bytes:
        """A key to sign this owner's confirmation tokens with (see dining/confirmation.py)."""
        return self._store.derived_key(purpose)

    async def set_default_card(self, card_id: int, label: str) -> None:
        """Book with this card from now on, unless a booking names another."""
        async with self._lock:
            saved = self._require()
            update = {"payment_method_id": card_id, "payment_method_label": label}
            self._store.save(PLATFORM, saved.model_copy(update=update))

    # --- the TokenSource the clients use

    async def ensure_valid_token(self) -> str:
        """The stored token, after logging in again if its ``exp`` has passed (or nearly)."""
        async with self._lock:
            saved = self._require()
            if saved.auth_token is not None and not self._lapsed(saved):
                return saved.auth_token.get_secret_value()
            log.info("the stored Resy token has lapsed; logging in again")
            login = await self._login(saved.email, saved.password.get_secret_value())
            return login.token.get_secret_value()

    async def current_token(self) -> str:
        return await self.ensure_valid_token()

    async def renew_token(self, rejected: str) -> str:
        """A new token after Resy refused ``rejected``. If another call already renewed it,
        that token is the answer: many refused calls make one login, not many."""
        async with self._lock:
            saved = self._require()
            if saved.auth_token is not None and saved.auth_token.get_secret_value() != rejected:
                return saved.auth_token.get_secret_value()
            login = await self._login(saved.email, saved.password.get_secret_value())
            return login.token.get_secret_value()

    def _require(self) -> StoredCredentials:
        saved = self._store.get(PLATFORM)
        if saved is None:
            raise AuthExpired(
                "Concierge has no Resy login for this account. Run `concierge resy login` "
                "(or store_resy_credentials from your assistant) first."
            )
        return saved

    def _lapsed(self, saved: StoredCredentials) -> bool:
        assert saved.auth_token is not None
        expires = _expiry(saved.auth_token.get_secret_value()) or saved.token_expires_at
        if expires is None:
            return False  # no expiry known: Resy will say 401/419 when it lapses
        return expires - EXPIRY_MARGIN <= self._clock.now()


def _expiry(token: str) -> datetime | None:
    try:
        return jwt.expires_at(token)
    except jwt.InvalidToken:
        return None
