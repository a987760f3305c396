"""A ResyOS client over an injected ``httpx.AsyncClient``.

Every api.resyos.com call carries a short-lived *venue JWT*, obtained from auth.resy.com with the
venue's long-lived token. The client keeps the JWT until its ``exp`` (less a margin) and asks again
then; a 401 or 419 anyway (the JWT was revoked early) costs one refresh and one retry, never more.
5xx, 429, timeouts and connection failures are retried with exponential backoff and jitter.

``requests`` counts every HTTP request sent, retries and token requests included: it is what a
sync cycle reports as its cost.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import orjson
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from concierge.clock import Clock, SystemClock
from concierge.integrations.resyos.errors import (
    ResyOSAuthError,
    ResyOSError,
    ResyOSProtocolError,
    ResyOSUnavailable,
)
from concierge.integrations.resyos.schemas import (
    LOCAL_FORMAT,
    Guest,
    ReservationDetail,
    ReservationStamp,
)

log = logging.getLogger(__name__)

USER_AGENT = "ResyOS/4.12.0 (com.resy.ResyOS; build:4120; iOS 18.1.0) Alamofire/5.9.1"
RESYOS_HOST = "resyos.ios.mobile"
VENUE_TOKEN_PATH = "/1/auth/venue"  # noqa: S105 (a path, not a secret)
IDS_PATH = "/4/os/reservation/ids"
DETAILS_PATH = "/5/os/reservations"
USERS_PATH = "/2/os/users"

_EXPIRED = frozenset({401, 419})
P = TypeVar("P")
Sleep = Callable[[float], Awaitable[None]]


class _Transient(Exception):
    """A failure worth another try (5xx, 429, timeout, connection)."""


def token_expiry(token: str) -> datetime | None:
    """The ``exp`` of a JWT, read without verifying it (we hold no key, and need none: the
    server is the judge; this only spares a request that would certainly fail)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(float(claims["exp"]), UTC)
    except (IndexError, ValueError, KeyError, TypeError, binascii.Error, OverflowError):
        return None


class ResyOSClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_url: str,
        auth_url: str,
        venue_id: str,
        token: str,
        clock: Clock | None = None,
        retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        timeout: float | None = None,
        refresh_margin: timedelta = timedelta(seconds=30),
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not token:
            raise ValueError("a long-lived ResyOS token is required")
        self._http = http
        self._api_url = api_url.rstrip("/")
        self._auth_url = auth_url.rstrip("/")
        self.venue_id = venue_id
        self._long_lived = token
        self._clock = clock or SystemClock()
        self._retries = max(1, retries)
        self._backoff = backoff
        self._max_backoff = max_backoff
        # None leaves the injected client's own timeout in force.
        self._timeout = timeout
        self._margin = refresh_margin
        self._sleep = sleep
        self._jwt: str | None = None
        self._jwt_expires: datetime | None = None
        self._token_lock = asyncio.Lock()
        self.requests = 0

    # ------------------------------------------------------------------ the four calls

    async def reservation_ids(self, start: datetime, end: datetime) -> list[ReservationStamp]:
        """Ids and ``last_updated`` of every reservation booked from ``start`` to ``end``
        (venue-local wall times, naive)."""
        body = await self._api(
            "GET",
            IDS_PATH,
            "the reservation ids",
            params={
                "start_datetime": start.strftime(LOCAL_FORMAT),
                "end_datetime": end.strftime(LOCAL_FORMAT),
            },
        )
        return _parse_list(ReservationStamp.from_raw, body, "reservation ids", ())

    async def reservations(self, ids: Sequence[str]) -> list[ReservationDetail]:
        """Details of the reservations ``ids``, in one request (callers batch)."""
        if not ids:
            return []
        body = await self._api("POST", DETAILS_PATH, "reservation details", json={"ids": list(ids)})
        return _parse_list(
            ReservationDetail.from_raw, body, "reservation details", ("reservations",)
        )

    async def guests(self, user_ids: Sequence[str]) -> list[Guest]:
        """The guests (ResyOS users) ``user_ids``, in one request (callers batch)."""
        if not user_ids:
            return []
        body = await self._api("POST", USERS_PATH, "guests", data={"ids": ",".join(user_ids)})
        return _parse_list(Guest.from_raw, body, "guests", ("users",))

    async def venue_token(self) -> str:
        """The current venue JWT, asking auth.resy.com for a new one when it lapsed."""
        if self._fresh():
            assert self._jwt is not None
            return self._jwt
        async with self._token_lock:
            # Another task may have refreshed while this one waited.
            if self._fresh():
                assert self._jwt is not None
                return self._jwt
            response = await self._send(
                "POST",
                self._auth_url + VENUE_TOKEN_PATH,
                "the venue token",
                data={"venue_id": self.venue_id},
                headers={
                    "X-Resy-Universal-Auth": self._long_lived,
                    "Accept": "application/json",
                    "User-Agent": USER_AGENT,
                },
            )
            if response.status_code in (*_EXPIRED, 403):
                raise ResyOSAuthError(
                    f"ResyOS refused the long-lived token for venue {self.venue_id} "
                    f"(HTTP {response.status_code}): set CONCIERGE_RESYOS_TOKEN to a current "
                    "token from the ResyOS app, and check CONCIERGE_RESYOS_VENUE_ID."
                )
            token = _json(response, "the venue token")
            if not isinstance(token, dict) or not isinstance(token.get("token"), str):
                raise ResyOSProtocolError("ResyOS answered the venue token call without a token")
            jwt: str = token["token"]
            self._jwt = jwt
            self._jwt_expires = token_expiry(jwt)
            return jwt

    # ------------------------------------------------------------------ plumbing

    def _fresh(self) -> bool:
        if self._jwt is None:
            return False
        return self._jwt_expires is None or self._clock.now() < self._jwt_expires - self._margin

    def _forget(self, token: str) -> None:
        if self._jwt == token:
            self._jwt = None
            self._jwt_expires = None

    async def _api(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        response: httpx.Response | None = None
        for attempt in range(2):
            token = await self.venue_token()
            response = await self._send(
                method,
                self._api_url + path,
                what,
                headers={
                    "X-Resy-Universal-Auth": token,
                    "Accept": "application/json",
                    "User-Agent": USER_AGENT,
                    "X-ResyOS-Host": RESYOS_HOST,
                },
                **kwargs,
            )
            if response.status_code not in _EXPIRED:
                break
            log.info("ResyOS refused the venue token (HTTP %s); refreshing", response.status_code)
            self._forget(token)
            if attempt == 1:
                raise ResyOSAuthError(
                    f"ResyOS refused a freshly issued venue token for {what} "
                    f"(HTTP {response.status_code}): check CONCIERGE_RESYOS_VENUE_ID."
                )
        assert response is not None
        if response.is_error:
            raise ResyOSError(
                f"ResyOS answered HTTP {response.status_code} to {what}: {response.text[:200]}"
            )
        return _json(response, what)

    async def _send(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._retries),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._once(method, url, **kwargs)
        except _Transient as exc:
            raise ResyOSUnavailable(
                f"ResyOS did not answer {what} after {self._retries} tries (last: {exc})",
                attempts=self._retries,
            ) from exc
        raise AssertionError("tenacity neither returned nor raised")  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        """backoff, 2 x backoff, 4 x backoff ... each plus up to half a backoff of jitter (so
        that many clients do not retry in step), never over max_backoff."""
        exponential: float = self._backoff * 2.0 ** (state.attempt_number - 1)
        return min(self._max_backoff, exponential + random.uniform(0, self._backoff / 2))

    async def _once(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.requests += 1
        try:
            if self._timeout is not None:
                kwargs = {**kwargs, "timeout": self._timeout}
            response = await self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            log.warning("ResyOS %s %s timed out; will retry", method, url)
            raise _Transient("timed out") from exc
        except httpx.TransportError as exc:
            log.warning("ResyOS %s %s failed (%s); will retry", method, url, type(exc).__name__)
            raise _Transient(f"connection failed: {type(exc).__name__}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            log.warning("ResyOS %s %s answered %s; will retry", method, url, response.status_code)
            raise _Transient(f"HTTP {response.status_code}")
        return response


def _json(response: httpx.Response, what: str) -> Any:
    try:
        # orjson: the ids answer for a long window is a megabyte, parsed every cycle.
        return orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise ResyOSProtocolError(f"ResyOS answered {what} with something not JSON") from exc


def _parse_list(
    parse: Callable[[Any], P], body: Any, what: str, wrappers: tuple[str, ...]
) -> list[P]:
    """Parse a list of payloads; one unreadable entry fails the whole answer, so the sync never
    acts on a partial picture (a skipped id would look like a vanished reservation)."""
    if isinstance(body, dict):
        body = next((body[key] for key in wrappers if isinstance(body.get(key), list)), body)
    if not isinstance(body, list):
        raise ResyOSProtocolError(f"ResyOS answered {what} with {type(body).__name__}, not a list")
    try:
        return [parse(item) for item in body]
    except ValueError as exc:
        raise ResyOSProtocolError(f"ResyOS sent unreadable {what}: {exc}") from exc
