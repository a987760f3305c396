"""``ResyClient``: every call Concierge makes to Resy's consumer API, over an injected httpx client.

Resilience lives here so every caller gets it:

- the headers of EXTERNAL-APIS.md on every call (Resy answers 500 without a browser User-Agent);
- a random pause between calls (``resy_min_delay``..``resy_max_delay``), because steady machine
  pacing is what gets accounts deactivated;
- retries with exponential backoff and jitter on 429, 5xx and network failures, for every call
  except ``book`` and ``cancel``, whose unclear outcomes are settled by looking at the user's
  reservations instead, so one request never becomes two tables;
- a 401/419 in the middle of a call: one new login (through the ``TokenSource``) and one retry.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any, Literal, NoReturn, Protocol, TypeVar

import httpx
from pydantic import BaseModel
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from concierge.config import Settings
from concierge.integrations.resy.errors import (
    ApiKeyRejected,
    AuthExpired,
    BadCredentials,
    BlockedOrCaptcha,
    NotFound,
    PaymentRequired,
    RateLimited,
    ResyError,
    SlotTaken,
    Unavailable,
    UnrecognisedResponse,
)
from concierge.integrations.resy.lists_schemas import Favorite, NotifyRequest
from concierge.integrations.resy.schemas import (
    Availability,
    Booking,
    BookingDetails,
    Calendar,
    Login,
    NoUsableRows,
    Reservation,
    ReservationsPage,
    SearchHits,
    Slot,
    User,
    Venue,
    VenueHit,
    deep_link,
)
from concierge.observability import metrics

log = logging.getLogger("concierge.resy")

# A current desktop Chrome: Resy answers 500 to requests without a browser User-Agent.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"
)
WEB_ORIGIN = "https://resy.com"

# Words Resy uses, in any status, when the table has gone between find and book.
# Lower-cased words of a refusal that means the slot is gone; the upper-case ones are Resy's
# ``specific_code`` values, read from the JSON text of the body.
_SLOT_GONE = (
    "no longer available",
    "invalid book token",
    "invalid configuration id",
    "slot_not_available",
    "book_token_expired",
)

Sleep = Callable[[float], Awaitable[None]]
# "optional": Resy answers with the application key alone, but a logged-in user may see more.
Auth = Literal["required", "optional", "none"]
M = TypeVar("M", bound=BaseModel)


class TokenSource(Protocol):
    """Where an authenticated client gets its user token, and a new one when Resy refuses it."""

    async def current_token(self) -> str:
        """A token believed valid (logging in first when the stored one has lapsed)."""
        ...

    async def renew_token(self, rejected: str) -> str:
        """A new token after Resy refused ``rejected``: log in again, once."""
        ...


class ResyClient:
    """Typed calls to Resy. Give it a ``token`` (a plain session) or a ``tokens`` source (the
    ``ResyAuthManager``, which logs in again when the token lapses)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: Settings,
        *,
        token: str | None = None,
        tokens: TokenSource | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        backoff: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        self._http = http
        self._base = settings.resy_base_url.rstrip("/")
        self._api_key = settings.resy_api_key
        self._timeout = settings.resy_timeout
        self._attempts = max(1, settings.resy_retries + 1)
        self._min_delay = max(0.0, settings.resy_min_delay)
        self._max_delay = max(self._min_delay, settings.resy_max_delay)
        self._token = token
        self._tokens = tokens
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._backoff = backoff
        self._backoff_max = backoff_max
        self._pace_lock = asyncio.Lock()
        self._last_call: float | None = None

    # --- accounts

    async def login(self, email: str, password: str) -> Login:
        """Password login. 419 means the email or password is wrong (``BadCredentials``), unless
        Resy refuses the application key itself (``ApiKeyRejected``, checked anonymously).
        A plain client (no token source) keeps the new token for its next calls."""
        try:
            body = await self._call(
                "POST",
                "/3/auth/password",
                data={"email": email, "password": password},
                auth="none",
            )
        except BadCredentials:
            await self._check_api_key()
            raise
        login = self._parse(Login, body, "login")
        if self._tokens is None:
            self._token = login.token.get_secret_value()
        return login

    async def _check_api_key(self) -> None:
        """Resy answers 419 at login for a wrong password and for a rejected key alike; a call
        with the key alone tells them apart. Anything but a refusal leaves the password blamed."""
        try:
            await self._call("GET", "/2/config", auth="none", retry=False)
        except ApiKeyRejected:
            raise
        except ResyError:
            return

    async def current_user(self) -> User:
        """Who the token belongs to, with payment methods: the cheapest token check."""
        return self._parse(User, await self._call("GET", "/2/user"), "user")

    # --- availability and booking

    async def find(self, venue_id: int, day: date, party_size: int) -> Availability:
        """Open tables at one venue on one day, de-duplicated by token, earliest first."""
        fields = {"lat": 0, "long": 0, "day": day.isoformat(), "party_size": party_size}
        fields["venue_id"] = venue_id
        try:
            body = await self._call("GET", "/4/find", params=fields, auth="optional")
        except (UnrecognisedResponse, NotFound) as exc:
            if exc.status not in {404, 405}:
                raise
            body = await self._call("POST", "/4/find", json=fields, auth="optional")
        try:
            availability = Availability.from_find(body, venue_id)
        except ValueError as exc:
            raise _unreadable(exc) from exc
        _log_skipped("find", availability.skipped)
        return availability

    async def details(self, slot: Slot, party_size: int) -> BookingDetails:
        """The book token and terms for one slot: JSON POST (2026), else the older GET."""
        fields = {"config_id": slot.token, "day": slot.day.isoformat(), "party_size": party_size}
        link = self._deep_link(slot, party_size)
        try:
            # "commit": 1 is what makes the 2026 endpoint issue a book token; 0 previews terms.
            body = await self._call(
                "POST", "/3/details", json={**fields, "commit": 1}, deep_link=link
            )
        except (UnrecognisedResponse, NotFound) as exc:
            if exc.status not in {404, 405, 415}:
                raise
            body = await self._call("GET", "/3/details", params=fields, deep_link=link)
        if not isinstance(body, dict) or "book_token" not in body:
            self._raise_unexpected(body, "details")
        return self._parse(
            BookingDetails, {**body, "slot": slot, "party_size": party_size}, "details"
        )

    async def book(
        self, details: BookingDetails, *, payment_method_id: int | None = None
    ) -> Booking:
        """Book the table ``details`` describes: one POST, never repeated, whatever Resy
        answered. When the outcome is unclear (timeout, 5xx, connection lost), the user's
        reservations settle it: the table found there is the answer; none found means none
        was booked."""
        form = {"book_token": details.book_token, "source_id": "resy.com-venue-details"}
        if payment_method_id is not None:
            form["struct_payment_method"] = json.dumps(
                {"id": int(payment_method_id)}, separators=(",", ":")
            )
        link = self._deep_link(details.slot, details.party_size) if details.slot else None
        try:
            body = await self._call("POST", "/3/book", data=form, retry=False, deep_link=link)
            if isinstance(body, dict) and body.get("resy_token"):
                return Booking(
                    resy_token=str(body["resy_token"]), reservation_id=body.get("reservation_id")
                )
            self._raise_unexpected(body, "book")
        except (Unavailable, UnrecognisedResponse) as exc:
            if isinstance(exc, Unavailable) and not exc.reached:
                raise
            log.warning("resy book outcome unclear (%s); reading reservations", type(exc).__name__)
            found = await self._find_booked(details)
            if found is not None:
                return found
            venue = details.slot.venue if details.slot else None
            if link and _refused(exc) and venue is not None and venue.feature_recaptcha:
                raise BlockedOrCaptcha(status=exc.status, deep_link=link) from exc
            raise Unavailable(
                "Resy did not confirm the booking, and it is not among your reservations, so "
                "no table was booked. Check availability and try again.",
                status=exc.status,
            ) from exc

    async def cancel(self, resy_token: str) -> bool | None:
        """Cancel a reservation. Returns whether Resy refunded a charge (None: it did not say).
        An unclear outcome is settled by reading the reservation back, not by cancelling again."""
        try:
            body = await self._call(
                "POST", "/3/cancel", data={"resy_token": resy_token}, retry=False
            )
        except Unavailable as exc:
            if not exc.reached:
                raise
            current = await self.reservation(resy_token)
            if current is None or current.cancelled:
                return None
            raise
        if _cancel_refused(body):
            self._raise_unexpected(body, "cancel")
        refund = _dig(body, "payment", "transaction", "refund")
        return None if refund is None else bool(refund)

    async def my_reservations(
        self, *, upcoming: bool = True, limit: int = 50, offset: int = 0
    ) -> ReservationsPage:
        """The user's reservations (old and new response shapes)."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if upcoming:
            params["type"] = "upcoming"
        body = await self._call("GET", "/3/user/reservations", params=params)
        return self._parse_reservations(body)

    async def reservation(self, resy_token: str) -> Reservation | None:
        """One reservation by its ``resy_token``, or None when Resy no longer lists it."""
        try:
            body = await self._call(
                "GET", "/3/user/reservations", params={"resy_token": resy_token}
            )
        except NotFound:
            return None
        for row in self._parse_reservations(body).reservations:
            if row.resy_token == resy_token:
                return row
        return None

    # --- venues

    async def venue_search(
        self,
        query: str,
        *,
        latitude: float | None = None,
        longitude: float | None = None,
        day: date | None = None,
        party_size: int | None = None,
        per_page: int = 20,
    ) -> SearchHits:
        """Venues matching a name near a point: the JSON body, else the ``struct_data`` form."""
        payload: dict[str, Any] = {"query": query, "per_page": per_page, "types": ["venue"]}
        if latitude is not None and longitude is not None:
            payload["geo"] = {"latitude": latitude, "longitude": longitude}
        if day is not None and party_size is not None:
            payload["slot_filter"] = {"day": day.isoformat(), "party_size": party_size}
        try:
            body = await self._call("POST", "/3/venuesearch/search", json=payload, auth="optional")
        except UnrecognisedResponse as exc:
            if exc.status not in {400, 415, 422}:
                raise
            body = await self._call(
                "POST",
                "/3/venuesearch/search",
                data={"struct_data": json.dumps(payload, separators=(",", ":"))},
                auth="optional",
            )
        try:
            hits = VenueHit.list_from_search(body)
        except ValueError as exc:
            raise _unreadable(exc) from exc
        _log_skipped("venue search", hits.skipped)
        return hits

    async def venue(self, venue_id: int) -> Venue:
        """A venue's page, with ``google_place_id`` when Resy knows it."""
        body = await self._call("GET", "/3/venue", params={"id": venue_id}, auth="optional")
        return self._parse(Venue, body, "venue")

    async def calendar(self, venue_id: int, party_size: int, start: date, end: date) -> Calendar:
        """Which days between ``start`` and ``end`` have tables for ``party_size``."""
        params = {
            "venue_id": venue_id,
            "num_seats": party_size,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
        }
        body = await self._call("GET", "/4/venue/calendar", params=params, auth="optional")
        try:
            return Calendar.from_wire(body)
        except ValueError as exc:
            raise UnrecognisedResponse(status=200) from exc

    # --- the person's lists: favorites and Priority Notify

    async def favorites(self) -> list[Favorite]:
        return Favorite.list_from_wire(await self._call("GET", "/3/user/favorites"))

    async def set_favorite(self, venue_id: int, favorite: bool) -> None:
        """Add or remove: one POST with a flag (Resy has no DELETE here)."""
        form = {"venue_id": str(venue_id), "favorite": "1" if favorite else "0"}
        await self._call("POST", "/3/user/favorites", data=form)

    async def notify_requests(self) -> list[NotifyRequest]:
        return NotifyRequest.list_from_wire(await self._call("GET", "/3/notify"))

    async def add_notify(
        self, venue_id: int, day: date, party_size: int, start: dt.time, end: dt.time
    ) -> None:
        form = {
            "venue_id": str(venue_id),
            "day": day.isoformat(),
            "party_size": str(party_size),
            "time_preferred_start": start.strftime("%H:%M:%S"),
            "time_preferred_end": end.strftime("%H:%M:%S"),
        }
        await self._call("POST", "/3/notify", data=form, retry=False)

    async def remove_notify(self, notify_id: int) -> None:
        await self._call("DELETE", f"/3/notify/{int(notify_id)}")

    # --- reconciliation

    async def reservations_at(self, venue_id: int, day: date) -> list[Reservation]:
        """The user's upcoming, not cancelled reservations at one venue on one day, read
        through every page of their list."""
        found: list[Reservation] = []
        offset = 0
        for _ in range(10):
            page = await self.my_reservations(upcoming=True, limit=100, offset=offset)
            found += [
                row
                for row in page.reservations
                if not row.cancelled and row.venue_id == venue_id and row.day == day
            ]
            offset += len(page.reservations)
            if not page.reservations or page.total is None or offset >= page.total:
                break
        return found

    async def _find_booked(self, details: BookingDetails) -> Booking | None:
        """The reservation an unclear book may have made, read from the user's list."""
        slot = details.slot
        if slot is None or slot.venue is None or details.party_size is None:
            raise Unavailable(
                "Resy did not confirm the booking and Concierge cannot tell whether it went "
                "through. Check your reservations before booking again.",
            )
        try:
            rows = await self.reservations_at(slot.venue.id, slot.start.date())
        except ResyError as exc:
            raise Unavailable(
                "Resy did not confirm the booking, and its list of your reservations could not "
                "be read, so Concierge cannot tell whether the table was booked. Check your "
                "reservations before booking again.",
                status=exc.status,
            ) from exc
        for row in rows:
            if row.time == slot.start.time() and row.num_seats == details.party_size:
                return Booking(
                    resy_token=row.resy_token, reservation_id=row.reservation_id, reconciled=True
                )
        return None

    # --- the wire

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        auth: Auth = "required",
        retry: bool = True,
        deep_link: str | None = None,
    ) -> Any:
        """One logical call: retries (unless ``retry`` is off) and one re-login on 401/419."""
        token = await self._token_for(auth)
        renewed = False
        while True:
            send = functools.partial(
                self._send,
                method,
                path,
                token,
                params=params,
                json=json,
                data=data,
                deep_link=deep_link,
            )
            try:
                return await (self._retrying(send) if retry else send())
            except AuthExpired:
                if renewed or self._tokens is None or token is None:
                    raise
                renewed = True
                log.info("resy refused the token on %s %s; logging in again", method, path)
                token = await self._tokens.renew_token(token)

    async def _retrying(self, send: Callable[[], Awaitable[Any]]) -> Any:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, RateLimited | Unavailable)),
            sleep=self._sleep,
            reraise=True,
            before_sleep=_log_retry,
        )
        async for attempt in retrying:
            with attempt:
                return await send()
        raise AssertionError("unreachable")

    def _wait(self, state: RetryCallState) -> float:
        """Exponential backoff plus jitter, never shorter than a 429's Retry-After."""
        exponential = min(self._backoff_max, self._backoff * 2.0 ** (state.attempt_number - 1))
        wait: float = exponential + self._rng.uniform(0, self._backoff)
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimited) and error.retry_after:
            wait = max(wait, min(error.retry_after, self._backoff_max))
        return wait

    async def _token_for(self, auth: Auth) -> str | None:
        if auth == "none":
            return None
        if auth == "required":
            return await self._current_token()
        try:
            return await self._current_token()
        except ResyError:
            return None

    async def _current_token(self) -> str:
        if self._tokens is not None:
            return await self._tokens.current_token()
        if self._token is None:
            raise AuthExpired(
                "Concierge is not logged in to Resy. Run `concierge resy login` first."
            )
        return self._token

    async def _pace(self) -> None:
        """Keep a random gap between consecutive calls, as a person clicking would."""
        if self._max_delay <= 0:
            return
        async with self._pace_lock:
            if self._last_call is not None:
                gap = self._rng.uniform(self._min_delay, self._max_delay)
                wait = self._last_call + gap - time.monotonic()
                if wait > 0:
                    await self._sleep(wait)
            self._last_call = time.monotonic()

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {
            "Authorization": f'ResyAPI api_key="{self._api_key}"',
            "Origin": WEB_ORIGIN,
            "Referer": f"{WEB_ORIGIN}/",
            "User-Agent": BROWSER_USER_AGENT,
            "Accept": "application/json, text/plain, */*",
        }
        if token:
            headers["X-Resy-Auth-Token"] = token
            headers["X-Resy-Universal-Auth"] = token
        return headers

    async def _send(
        self,
        method: str,
        path: str,
        token: str | None,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Mapping[str, Any] | None,
        deep_link: str | None,
    ) -> Any:
        await self._pace()
        started = time.monotonic()
        try:
            body = await self._exchange(method, path, token, params, json, data, deep_link)
        except ResyError as exc:
            metrics.resy_call(path, _outcome(exc), time.monotonic() - started)
            raise
        metrics.resy_call(path, "ok", time.monotonic() - started)
        return body

    async def _exchange(
        self,
        method: str,
        path: str,
        token: str | None,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Mapping[str, Any] | None,
        deep_link: str | None,
    ) -> Any:
        started = time.monotonic()
        try:
            response = await self._http.request(
                method,
                self._base + path,
                params=params,
                json=json,
                data=data,
                headers=self._headers(token),
                timeout=self._timeout,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            log.debug("resy %s %s: not reached (%s)", method, path, type(exc).__name__)
            raise Unavailable(reached=False) from exc
        except httpx.TimeoutException as exc:
            log.debug("resy %s %s: timed out", method, path)
            raise Unavailable(
                f"Resy did not answer within {self._timeout:g} s. Try again in a few minutes.",
                reached=True,
            ) from exc
        except httpx.TransportError as exc:
            log.debug("resy %s %s: connection lost (%s)", method, path, type(exc).__name__)
            raise Unavailable(
                "The connection to Resy was lost before it answered. Try again in a few minutes.",
                reached=True,
            ) from exc
        log.debug(
            "resy %s %s -> %s in %.0f ms",
            method,
            path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return self._read(response, path, deep_link, anonymous=token is None)

    def _read(
        self, response: httpx.Response, path: str, deep_link: str | None, *, anonymous: bool
    ) -> Any:
        status = response.status_code
        if 300 <= status < 400:
            raise _redirected(response)
        try:
            body = response.json()
        except ValueError as exc:
            page = _page_kind(response.text)
            if page == "blocked":
                raise BlockedOrCaptcha.blocked(status=status, deep_link=deep_link) from exc
            if page == "login":
                raise AuthExpired(status=status) from exc
            if status < 300:
                raise UnrecognisedResponse(status=status) from exc
        else:
            if status < 300:
                return body
        text = _message(response)
        lowered = text.lower()
        if any(words in lowered for words in _SLOT_GONE) or status == 410:
            raise SlotTaken(status=status)
        if "rate_limited" in lowered:
            raise RateLimited(status=status, retry_after=_retry_after(response))
        if "auth_required" in lowered:
            raise AuthExpired(status=status)
        if status == 419 and path == "/3/auth/password":
            raise BadCredentials(status=status)
        if status in {401, 419} and anonymous:
            raise ApiKeyRejected(status=status)
        if status in {401, 419}:
            raise AuthExpired(status=status)
        if status == 402:
            raise PaymentRequired(status=status)
        if status == 403 and "payment" in lowered:
            raise PaymentRequired(
                "This venue does not take a card through Resy's app flow. "
                + (f"Book it on resy.com: {deep_link}" if deep_link else "Book it on resy.com."),
                status=status,
            )
        if status in {403, 412}:
            raise BlockedOrCaptcha(status=status, deep_link=deep_link)
        if status == 404:
            raise NotFound(status=status)
        if status == 409:
            raise BlockedOrCaptcha(
                "Resy says this account is deactivated. Contact Resy support before booking "
                "again; Concierge will not retry.",
                status=status,
            )
        if status == 429:
            raise RateLimited(status=status, retry_after=_retry_after(response))
        if status >= 500:
            raise Unavailable(
                f"Resy answered with a server error ({status}). Nothing is lost; try again in "
                "a few minutes.",
                status=status,
                reached=True,
            )
        raise UnrecognisedResponse(
            f"Resy refused the request ({status}: {text[:120] or 'no reason given'}). "
            "Check the venue, date and party size and try again.",
            status=status,
        )

    # --- helpers

    def _parse(self, model: type[M], body: Any, what: str) -> M:
        try:
            return model.model_validate(body)
        except ValueError as exc:
            log.debug("resy %s answer not understood: %s", what, type(exc).__name__)
            raise UnrecognisedResponse(status=200) from exc

    def _parse_reservations(self, body: Any) -> ReservationsPage:
        try:
            page = ReservationsPage.from_wire(body)
        except (ValueError, KeyError, TypeError) as exc:
            raise _unreadable(exc) from exc
        _log_skipped("reservations", page.skipped)
        return page

    @staticmethod
    def _raise_unexpected(body: Any, what: str) -> NoReturn:
        text = json_text(body).lower()
        if any(words in text for words in _SLOT_GONE):
            raise SlotTaken(status=200)
        log.debug("resy %s answer lacks the expected fields", what)
        raise UnrecognisedResponse(status=200)

    @staticmethod
    def _deep_link(slot: Slot | None, party_size: int | None) -> str | None:
        venue = slot.venue if slot else None
        if slot is None or venue is None or not venue.location_code or not venue.url_slug:
            return None
        return deep_link(venue.location_code, venue.url_slug, slot.day, party_size or 2)


def json_text(body: Any) -> str:
    try:
        return json.dumps(body)
    except (TypeError, ValueError):
        return str(body)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        for key in ("message", "error", "msg", "detail"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return json_text(body)[:300]


# Words of the pages Resy's edge serves instead of an answer, lower-cased.
_BLOCK_PAGE = (
    "request blocked",
    "access denied",
    "captcha",
    "just a moment",
    "attention required",
    "datadome",
    "perimeterx",
)
_LOGIN_PAGE = ('type="password"', "type='password'", "type=password", "<title>log in")


def _page_kind(text: str) -> Literal["blocked", "login"] | None:
    """What an HTML page in place of JSON means: a block at the edge, or the login page an
    expired session is sent to."""
    lowered = text[:20_000].lower()
    if any(words in lowered for words in _BLOCK_PAGE):
        return "blocked"
    if any(words in lowered for words in _LOGIN_PAGE):
        return "login"
    return None


def _redirected(response: httpx.Response) -> ResyError:
    """The API answers JSON; a redirect means the session went to the login page (expired)."""
    location = response.headers.get("Location", "").lower()
    if any(words in location for words in ("login", "signin", "sign-in", "auth")):
        return AuthExpired(status=response.status_code)
    return UnrecognisedResponse(status=response.status_code)


def _unreadable(error: Exception) -> UnrecognisedResponse:
    if isinstance(error, NoUsableRows):
        return UnrecognisedResponse(
            f"Resy answered with {error.what}, none of which Concierge could read "
            f"({error.count} skipped; its API may have changed). Try again later; if it "
            "persists, report it.",
            status=200,
        )
    return UnrecognisedResponse(status=200)


def _cancel_refused(body: Any) -> bool:
    """A 2xx cancel answer that says no: an ``error``, ``ok: false`` or a failed ``status``."""
    if not isinstance(body, dict):
        return False
    status = body.get("status")
    failed = isinstance(status, str) and status.lower() in {"failed", "failure", "error"}
    return bool(body.get("error")) or body.get("ok") is False or failed


def _refused(error: ResyError) -> bool:
    """A 4xx Concierge has no reading for: Resy said no, without saying why."""
    return isinstance(error, UnrecognisedResponse) and 400 <= (error.status or 0) < 500


def _log_skipped(what: str, skipped: int) -> None:
    if skipped:
        log.warning("resy %s: skipped %d malformed row(s); the rest stand", what, skipped)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _dig(body: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


def _outcome(error: ResyError) -> str:
    """The metrics label for a failed call: the error's kind, in snake case (a fixed set)."""
    if isinstance(error, Unavailable) and not error.reached:
        return "unreachable"
    name = type(error).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    status = error.status if isinstance(error, ResyError) else None
    log.info(
        "resy call failed (%s, status %s); retry %d after %.2f s",
        type(error).__name__,
        status,
        state.attempt_number,
        state.upcoming_sleep,
    )
