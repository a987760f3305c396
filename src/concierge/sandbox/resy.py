"""A stand-in Resy: a small stateful ASGI app speaking the shapes of EXTERNAL-APIS.md.

It keeps users with passwords and expiring JWTs, venues, slots per day, book tokens that
expire, and reservations that cancel, and serves a login web page whose script calls the
stand-in's own ``/3/auth/password`` (what the browser login fallback drives). Faults are
switched on through ``POST /__sandbox/faults``; ``GET /__sandbox/stats`` counts requests per
endpoint. Run it with ``concierge sandbox resy --port N``.

Like Resy it is strict: no browser User-Agent -> 500; a wrong application key -> 401; a book
sent as JSON -> "invalid book token"; details by query string -> "invalid configuration ID".
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
import zlib
from collections import Counter, deque
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from concierge import jwt
from concierge.clock import Clock, SystemClock
from concierge.config import RESY_WEB_APP_KEY
from concierge.sandbox.resy_data import USERS, VENUES, DemoUser, DemoVenue, TableKind

ADMIN_PREFIX = "/__sandbox"
LostBook = Literal["502", "drop", "502-unbooked"]


@dataclass
class Faults:
    """What to break. Counters count down as they fire; flags stay until cleared."""

    require_user_agent: bool = True  # Resy answers 500 without a browser User-Agent
    api_login_blocked: bool = False  # /3/auth/password refuses anything but the web page
    legacy_shapes: bool = False  # older wire: details by GET, old reservations, top-level hits
    rate_limit: int = 0  # the next N API calls answer 429
    rate_limit_path: str | None = None  # ... only those whose path starts with this
    retry_after: float | None = None  # Retry-After sent with those 429s
    server_errors: int = 0  # the next N API calls answer server_error_status
    server_error_status: int = 500
    server_error_path: str | None = None
    slow: int = 0  # the next N API calls answer only after slow_seconds
    slow_seconds: float = 1.0
    slow_path: str | None = None
    slot_taken_after_details: bool = False  # the next details: someone else then takes the table
    lost_book_response: LostBook | None = None  # the next book: the answer is lost


@dataclass
class Card:
    id: int
    type: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass
class Account:
    id: int
    email: str
    password: str
    first_name: str
    last_name: str
    cards: list[Card]
    generation: int = 0  # bumped to revoke every token issued so far


@dataclass
class BookToken:
    value: str
    user_id: int
    venue_id: int
    day: date
    at: time
    kind: str
    party_size: int
    expires_at: datetime


@dataclass
class Booked:
    reservation_id: int
    resy_token: str
    user_id: int
    venue_id: int
    day: date
    at: time
    kind: str
    party_size: int
    booked_at: datetime
    status: str = "confirmed"
    special_request: str | None = None


class ResyWorld:
    """All the stand-in's state. Tests may read it directly; they change it over HTTP."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        api_key: str = RESY_WEB_APP_KEY,
        token_ttl: timedelta = timedelta(days=45),
        book_token_ttl: timedelta = timedelta(minutes=5),
        horizon_days: int = 30,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.api_key = api_key
        self.token_ttl = token_ttl
        self.book_token_ttl = book_token_ttl
        self.horizon_days = horizon_days
        self.reset()

    def reset(self) -> None:
        self.secret = secrets.token_bytes(32)
        self.challenge = secrets.token_urlsafe(16)
        self.faults = Faults()
        self.accounts: dict[int, Account] = {u.id: _account(u) for u in USERS}
        self.venues: dict[int, DemoVenue] = {v.id: v for v in VENUES}
        self.book_tokens: dict[str, BookToken] = {}
        self.reservations: list[Booked] = []
        self.taken_by_others: Counter[tuple[int, date, time, str]] = Counter()
        self.stats: Counter[str] = Counter()
        self.requests: deque[dict[str, Any]] = deque(maxlen=500)
        self._next_reservation = 700_000_000

    # --- accounts and tokens

    def account_by_email(self, email: str) -> Account | None:
        wanted = email.strip().lower()
        return next((a for a in self.accounts.values() if a.email.lower() == wanted), None)

    def issue_token(self, account: Account) -> str:
        now = self.clock.now()
        claims = {
            "sub": account.id,
            "gen": account.generation,
            "iat": int(now.timestamp()),
            "exp": int((now + self.token_ttl).timestamp()),
            "jti": secrets.token_hex(8),
        }
        return jwt.encode_hs256(claims, self.secret)

    def account_for_token(self, token: str) -> Account | None:
        try:
            claims = jwt.decode_hs256(token, self.secret, now=self.clock.now())
        except jwt.InvalidToken:
            return None
        account = self.accounts.get(int(claims.get("sub", -1)))
        if account is None or claims.get("gen") != account.generation:
            return None
        return account

    def expire_tokens(self) -> None:
        for account in self.accounts.values():
            account.generation += 1

    # --- inventory

    def today(self, venue: DemoVenue) -> date:
        return self.clock.now().astimezone(ZoneInfo(venue.time_zone)).date()

    def open_times(self, venue: DemoVenue, day: date) -> list[time]:
        today = self.today(venue)
        if day < today or day > today + timedelta(days=self.horizon_days):
            return []
        if day.weekday() in venue.closed_weekdays:
            return []
        start = datetime.combine(day, time.fromisoformat(venue.opens))
        end = datetime.combine(day, time.fromisoformat(venue.closes))
        local_now = self.clock.now().astimezone(ZoneInfo(venue.time_zone)).replace(tzinfo=None)
        times = []
        while start <= end:
            if start > local_now:
                times.append(start.time())
            start += timedelta(minutes=venue.step_minutes)
        return times

    def free(self, venue: DemoVenue, day: date, at: time, kind: TableKind, party: int) -> int:
        """Tables of ``kind`` left at this time for this party (0 when none)."""
        if not kind.min_size <= party <= kind.max_size or at not in self.open_times(venue, day):
            return 0
        # A quarter of the tables are gone before anyone looks, as on the real site.
        seed = hashlib.sha256(f"{venue.id}/{day}/{at}/{kind.type}".encode()).digest()
        presold = 1 if seed[0] % 4 == 0 else 0
        booked = sum(
            1
            for r in self.reservations
            if r.status == "confirmed"
            and (r.venue_id, r.day, r.at, r.kind) == (venue.id, day, at, kind.type)
        )
        taken = presold + booked + self.taken_by_others[(venue.id, day, at, kind.type)]
        return max(0, kind.count - taken)

    def book(self, token: BookToken, account: Account, special_request: str | None) -> Booked:
        self._next_reservation += 1
        booked = Booked(
            reservation_id=self._next_reservation,
            resy_token="rr://" + secrets.token_urlsafe(24),
            user_id=account.id,
            venue_id=token.venue_id,
            day=token.day,
            at=token.at,
            kind=token.kind,
            party_size=token.party_size,
            booked_at=self.clock.now(),
            special_request=special_request,
        )
        self.reservations.append(booked)
        del self.book_tokens[token.value]
        return booked

    def apply_faults(self, changes: dict[str, Any]) -> None:
        known = {f.name for f in fields(Faults)}
        if changes.pop("expire_tokens", False):
            self.expire_tokens()
        if "token_ttl_seconds" in changes:
            self.token_ttl = timedelta(seconds=float(changes.pop("token_ttl_seconds")))
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        for name, value in changes.items():
            setattr(self.faults, name, value)


def _account(user: DemoUser) -> Account:
    cards = [Card(c.id, c.type, c.last4, c.exp_month, c.exp_year) for c in user.cards]
    return Account(user.id, user.email, user.password, user.first_name, user.last_name, cards)


# --- wire shapes


def _card_json(card: Card, default: bool) -> dict[str, Any]:
    return {
        "id": card.id,
        "is_default": default,
        "display": card.last4,
        "type": card.type,
        "exp_month": card.exp_month,
        "exp_year": card.exp_year,
        "provider_name": "stripe",
    }


def _user_json(account: Account) -> dict[str, Any]:
    default = account.cards[0].id if account.cards else None
    return {
        "id": account.id,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "em_address": account.email,
        "em_is_verified": 1,
        "mobile_number": "+12125550100",
        "payment_method_id": default,
        "payment_methods": [_card_json(c, c.id == default) for c in account.cards],
        "is_active": 1,
    }


def _config_token(venue: DemoVenue, day: date, at: time, kind: str, party: int) -> str:
    template = _config_id(venue, kind)
    return (
        f"rgs://resy/{venue.id}/{template}/{party}/{day.isoformat()}/{day.isoformat()}/"
        f"{at.strftime('%H:%M:%S')}/{party}/{kind}"
    )


def _config_id(venue: DemoVenue, kind: str) -> int:
    return 1_000_000 + zlib.crc32(f"{venue.id}/{kind}".encode()) % 9_000_000


def _parse_config_token(token: str) -> tuple[int, date, time, int, str] | None:
    match = re.fullmatch(
        r"rgs://resy/(\d+)/\d+/(\d+)/(\d{4}-\d\d-\d\d)/\d{4}-\d\d-\d\d/(\d\d:\d\d:\d\d)/\d+/(.+)",
        token,
    )
    if not match:
        return None
    venue_id, party, day, at, kind = match.groups()
    return int(venue_id), date.fromisoformat(day), time.fromisoformat(at), int(party), kind


def _venue_ref(venue: DemoVenue) -> dict[str, Any]:
    return {
        "id": {"resy": venue.id},
        "name": venue.name,
        "url_slug": venue.url_slug,
        "price_range": venue.price_range,
        "location": {"time_zone": venue.time_zone, "code": venue.city_code},
        "type": venue.cuisine[0],
    }


def _venue_json(venue: DemoVenue) -> dict[str, Any]:
    return {
        "id": {"resy": venue.id, "google": venue.google_place_id},
        "name": venue.name,
        "url_slug": venue.url_slug,
        "type": venue.cuisine[0],
        "price_range_id": venue.price_range,
        "location": {
            "address_1": venue.address_1,
            "address_2": None,
            "locality": venue.locality,
            "region": venue.region,
            "postal_code": venue.postal_code,
            "country": "United States",
            "latitude": venue.latitude,
            "longitude": venue.longitude,
            "neighborhood": venue.neighborhood,
            "code": venue.city_code,
            "time_zone": venue.time_zone,
        },
        "min_party_size": venue.min_party_size,
        "max_party_size": venue.max_party_size,
        "feature_recaptcha": venue.feature_recaptcha,
        "currency_symbol": "$",
    }


def _hit_json(venue: DemoVenue) -> dict[str, Any]:
    return {
        "id": {"resy": venue.id},
        "objectID": str(venue.id),
        "name": venue.name,
        "url_slug": venue.url_slug,
        "locality": venue.locality,
        "region": venue.region,
        "neighborhood": venue.neighborhood,
        "cuisine": list(venue.cuisine),
        "price_range_id": venue.price_range,
        "_geoloc": {"lat": venue.latitude, "lng": venue.longitude},
        "location": {"code": venue.city_code, "name": venue.city_name},
    }


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"status": status, "message": message, **extra}, status_code=status)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


# --- the app


class _Guard:
    """Counts, records and checks every API request, and fires the switchable faults."""

    def __init__(self, app: ASGIApp, world: ResyWorld) -> None:
        self.app = app
        self.world = world

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        world, faults, path = self.world, self.world.faults, scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        world.stats[f"{scope['method']} {path}"] += 1
        world.requests.append(_describe(scope["method"], path, headers, world))
        response: Response | None = None
        is_api = path not in {"/", "/login"} and not path.startswith("/static")
        agent = headers.get("user-agent", "")
        if is_api and faults.require_user_agent and "Mozilla/" not in agent:
            response = Response("Internal Server Error", status_code=500)
        elif is_api and headers.get("authorization") != f'ResyAPI api_key="{world.api_key}"':
            response = _error(401, "Unauthorized: missing or unknown api key")
        elif is_api and faults.rate_limit > 0 and _matches(path, faults.rate_limit_path):
            faults.rate_limit -= 1
            response = _error(429, "Too Many Requests")
            if faults.retry_after is not None:
                response.headers["Retry-After"] = f"{faults.retry_after:g}"
        elif is_api and faults.server_errors > 0 and _matches(path, faults.server_error_path):
            faults.server_errors -= 1
            status = faults.server_error_status
            response = Response(f"<html><body>{status} Server Error</body></html>", status)
        if response is not None:
            await response(scope, receive, send)
            return
        if is_api and faults.slow > 0 and _matches(path, faults.slow_path):
            faults.slow -= 1
            await asyncio.sleep(faults.slow_seconds)
        await self.app(scope, receive, send)


def _matches(path: str, prefix: str | None) -> bool:
    return prefix is None or path.startswith(prefix)


def _describe(method: str, path: str, headers: dict[str, str], world: ResyWorld) -> dict[str, Any]:
    """A request as tests may inspect it: which headers came, never their secret values."""
    token = headers.get("x-resy-auth-token")
    return {
        "method": method,
        "path": path,
        "user_agent": headers.get("user-agent"),
        "origin": headers.get("origin"),
        "referer": headers.get("referer"),
        "accept": headers.get("accept"),
        "api_key_ok": headers.get("authorization") == f'ResyAPI api_key="{world.api_key}"',
        "auth_token": token is not None,
        "universal_auth_matches": token is not None
        and headers.get("x-resy-universal-auth") == token,
    }


class _DroppedResponse(Response):
    """Starts an answer and hangs up halfway: the connection drops after Resy acted."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"400")],
            }
        )
        await send(
            {"type": "http.response.body", "body": b'{"resy_token": "rr://', "more_body": True}
        )
        raise ConnectionAbortedError("stand-in Resy: connection dropped on purpose")


def create_app(world: ResyWorld | None = None) -> Starlette:
    """The stand-in as an ASGI app. ``app.state.world`` is its state."""
    world = world or ResyWorld()

    def venue_or_none(raw: Any) -> DemoVenue | None:
        try:
            return world.venues.get(int(raw))
        except (TypeError, ValueError):
            return None

    def caller(request: Request) -> Account | None:
        token = request.headers.get("x-resy-auth-token")
        return world.account_for_token(token) if token else None

    def require_caller(request: Request) -> Account | Response:
        token = request.headers.get("x-resy-auth-token")
        if not token:
            return _error(401, "Unauthorized")
        account = world.account_for_token(token)
        if account is None:
            return _error(419, "Unauthorized: token expired")
        return account

    def optional_caller(request: Request) -> Account | Response | None:
        if not request.headers.get("x-resy-auth-token"):
            return None
        return require_caller(request)

    async def body_fields(request: Request) -> dict[str, Any]:
        kind = request.headers.get("content-type", "")
        if kind.startswith("application/json"):
            try:
                data = await request.json()
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {}
        return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}

    # --- accounts

    async def login(request: Request) -> Response:
        data = await body_fields(request)
        if world.faults.api_login_blocked and request.cookies.get("rsy_challenge") != (
            world.challenge
        ):
            return _error(403, "Request blocked. Please verify you are human on resy.com.")
        account = world.account_by_email(str(data.get("email", "")))
        if account is None or not secrets.compare_digest(
            account.password.encode(), str(data.get("password", "")).encode()
        ):
            return _error(419, "Unauthorized")
        token = world.issue_token(account)
        return JSONResponse(
            {
                **_user_json(account),
                "token": token,
                "refresh_token": secrets.token_urlsafe(32),
                "legacy_token": secrets.token_hex(16),
            }
        )

    async def user(request: Request) -> Response:
        account = require_caller(request)
        if isinstance(account, Response):
            return account
        return JSONResponse(_user_json(account))

    # --- availability

    async def find(request: Request) -> Response:
        who = optional_caller(request)
        if isinstance(who, Response):
            return who
        data = dict(request.query_params) if request.method == "GET" else await body_fields(request)
        venue = venue_or_none(data.get("venue_id"))
        try:
            day = date.fromisoformat(str(data.get("day")))
            party = int(data.get("party_size", 0))
        except ValueError:
            return _error(400, "day and party_size are required")
        if venue is None:
            return JSONResponse({"results": {"venues": []}, "query": {"day": day.isoformat()}})
        slots = []
        for at in world.open_times(venue, day):
            for kind in venue.tables:
                free = world.free(venue, day, at, kind, party)
                if not free:
                    continue
                start = datetime.combine(day, at)
                slot = {
                    "config": {
                        "id": _config_id(venue, kind.type),
                        "type": kind.type,
                        "token": _config_token(venue, day, at, kind.type, party),
                    },
                    "date": {
                        "start": start.strftime("%Y-%m-%d %H:%M:%S"),
                        "end": (start + timedelta(minutes=90)).strftime("%Y-%m-%d %H:%M:%S"),
                    },
                    "size": {"min": kind.min_size, "max": kind.max_size},
                    "quantity": free,
                    "payment": {
                        "is_paid": False,
                        "cancellation_fee": venue.cancellation_fee,
                        "secs_cancel_cut_off": 86400 if venue.cancellation_fee else None,
                    },
                }
                slots.append(slot)
                if kind.type == "Dining Room":
                    # Resy lists some tables twice under two config ids sharing one token.
                    twin = json.loads(json.dumps(slot))
                    twin["config"]["id"] += 1
                    slots.append(twin)
        return JSONResponse(
            {
                "results": {"venues": [{"venue": _venue_ref(venue), "slots": slots}]},
                "query": {"day": day.isoformat(), "party_size": party},
            }
        )

    async def details(request: Request) -> Response:
        if request.method == "GET":
            if not world.faults.legacy_shapes:
                return _error(400, "Invalid configuration ID")
            data: dict[str, Any] = dict(request.query_params)
        else:
            if world.faults.legacy_shapes:
                return _error(405, "Method Not Allowed")
            data = await body_fields(request)
        account = require_caller(request)
        if isinstance(account, Response):
            return account
        parsed = _parse_config_token(str(data.get("config_id", "")))
        if parsed is None:
            return _error(400, "Invalid configuration ID")
        venue_id, day, at, _, kind_name = parsed
        venue = world.venues.get(venue_id)
        kind = next((k for k in venue.tables if k.type == kind_name), None) if venue else None
        try:
            party = int(data.get("party_size", 0))
            asked_day = date.fromisoformat(str(data.get("day")))
        except ValueError:
            return _error(400, "day and party_size are required")
        if venue is None or kind is None or asked_day != day:
            return _error(400, "Invalid configuration ID")
        if not world.free(venue, day, at, kind, party):
            return _error(410, "Sorry, this reservation is no longer available.")
        now = world.clock.now()
        token = BookToken(
            value=secrets.token_urlsafe(48),
            user_id=account.id,
            venue_id=venue.id,
            day=day,
            at=at,
            kind=kind.type,
            party_size=party,
            expires_at=now + world.book_token_ttl,
        )
        world.book_tokens[token.value] = token
        if world.faults.slot_taken_after_details:
            world.faults.slot_taken_after_details = False
            world.taken_by_others[(venue.id, day, at, kind.type)] += kind.count
        starts = datetime.combine(day, at, ZoneInfo(venue.time_zone))
        fee = venue.cancellation_fee
        return JSONResponse(
            {
                "book_token": {"value": token.value, "date_expires": _stamp(token.expires_at)},
                "user": {"payment_methods": _user_json(account)["payment_methods"]},
                "cancellation": {
                    "fee": {"amount": fee, "display": {"amount": f"${fee:.0f}"}} if fee else None,
                    "refund": {"date_cut_off": _stamp(starts - timedelta(days=1))},
                },
                "payment": {"amounts": {"reservation_charge": 0.0, "subtotal": 0.0, "total": 0.0}},
                "venue": {"name": venue.name, "id": {"resy": venue.id}},
                "config": {"type": kind.type},
            }
        )

    async def book(request: Request) -> Response:
        account = require_caller(request)
        if isinstance(account, Response):
            return account
        if request.headers.get("content-type", "").startswith("application/json"):
            return _error(400, "Invalid book token")
        data = await body_fields(request)
        token = world.book_tokens.get(str(data.get("book_token", "")))
        if token is None or token.user_id != account.id:
            return _error(400, "Invalid book token")
        if token.expires_at <= world.clock.now():
            del world.book_tokens[token.value]
            return _error(400, "Invalid book token: it has expired")
        venue = world.venues[token.venue_id]
        if venue.feature_recaptcha and not data.get("g-recaptcha-response"):
            return _error(403, "Please complete the reCAPTCHA to book", recaptcha=True)
        card_id = None
        if "struct_payment_method" in data:
            try:
                card_id = json.loads(data["struct_payment_method"])["id"]
            except (ValueError, KeyError, TypeError):
                return _error(400, "Invalid payment method")
            if not isinstance(card_id, int) or card_id not in {c.id for c in account.cards}:
                return _error(400, "Invalid payment method")
        if venue.cancellation_fee and card_id is None:
            return _error(402, "A payment method is required to book this reservation")
        kind = next(k for k in venue.tables if k.type == token.kind)
        if not world.free(venue, token.day, token.at, kind, token.party_size):
            del world.book_tokens[token.value]
            return _error(410, "Sorry, this reservation is no longer available.")
        lost = world.faults.lost_book_response
        world.faults.lost_book_response = None
        if lost == "502-unbooked":
            return Response("<html><body>502 Bad Gateway</body></html>", 502)
        booked = world.book(token, account, data.get("special_request"))
        if lost == "502":
            return Response("<html><body>502 Bad Gateway</body></html>", 502)
        if lost == "drop":
            return _DroppedResponse()
        return JSONResponse(
            {"resy_token": booked.resy_token, "reservation_id": booked.reservation_id}
        )

    async def cancel(request: Request) -> Response:
        account = require_caller(request)
        if isinstance(account, Response):
            return account
        data = await body_fields(request)
        wanted = str(data.get("resy_token", ""))
        booked = next(
            (r for r in world.reservations if r.resy_token == wanted and r.user_id == account.id),
            None,
        )
        if booked is None:
            return _error(404, "Reservation not found")
        if booked.status == "cancelled":
            return _error(400, "This reservation has already been cancelled")
        booked.status = "cancelled"
        return JSONResponse({"payment": {"transaction": {"refund": 1}}})

    async def reservations(request: Request) -> Response:
        account = require_caller(request)
        if isinstance(account, Response):
            return account
        params = request.query_params
        mine = [r for r in world.reservations if r.user_id == account.id]
        if params.get("resy_token"):
            mine = [r for r in mine if r.resy_token == params["resy_token"]]
        elif params.get("type") == "upcoming":
            mine = [r for r in mine if r.status == "confirmed" and _ahead(world, r)]
        mine.sort(key=lambda r: (r.day, r.at))
        offset = int(params.get("offset", 0))
        limit = int(params.get("limit", 20))
        page = mine[offset : offset + limit]
        legacy = world.faults.legacy_shapes
        rows = [_reservation_json(world, r, legacy) for r in page]
        body: dict[str, Any] = {
            "reservations": rows,
            "metadata": {"total": len(mine), "offset": offset, "limit": limit},
        }
        if not legacy:
            body["venues"] = {
                str(r.venue_id): {
                    "name": world.venues[r.venue_id].name,
                    "location": {"time_zone": world.venues[r.venue_id].time_zone},
                }
                for r in page
            }
        return JSONResponse(body)

    # --- venues

    async def venue_search(request: Request) -> Response:
        who = optional_caller(request)
        if isinstance(who, Response):
            return who
        data = await body_fields(request)
        if "struct_data" in data:
            try:
                data = json.loads(data["struct_data"])
            except ValueError:
                return _error(400, "struct_data is not JSON")
        if "location" in data:
            return _error(400, "Invalid parameter: location")
        query = _words(str(data.get("query", "")))
        geo = data.get("geo") if isinstance(data.get("geo"), dict) else None
        scored = []
        for venue in world.venues.values():
            haystack = _words(" ".join((venue.name, venue.neighborhood, *venue.cuisine)))
            name = _words(venue.name)
            score = sum(2 if w in name else 1 for w in query if w in haystack)
            if query and score == 0:
                continue
            distance = (
                (venue.latitude - float(geo["latitude"])) ** 2
                + (venue.longitude - float(geo["longitude"])) ** 2
                if geo
                else 0.0
            )
            scored.append((-score, distance, venue.id, venue))
        scored.sort(key=lambda row: row[:3])
        per_page = int(data.get("per_page", 20))
        hits = [_hit_json(row[3]) for row in scored[:per_page]]
        if world.faults.legacy_shapes:
            return JSONResponse({"hits": hits, "nbHits": len(scored)})
        return JSONResponse({"search": {"hits": hits, "nbHits": len(scored)}, "meta": {}})

    async def venue(request: Request) -> Response:
        found = venue_or_none(request.query_params.get("id"))
        if found is None:
            return _error(404, "Venue not found")
        return JSONResponse(_venue_json(found))

    async def calendar(request: Request) -> Response:
        params = request.query_params
        found = venue_or_none(params.get("venue_id"))
        if found is None:
            return _error(404, "Venue not found")
        try:
            seats = int(params["num_seats"])
            start = date.fromisoformat(params["start_date"])
            end = date.fromisoformat(params["end_date"])
        except (KeyError, ValueError):
            return _error(400, "venue_id, num_seats, start_date and end_date are required")
        last = world.today(found) + timedelta(days=world.horizon_days)
        scheduled = []
        day = start
        while day <= min(end, last):
            times = world.open_times(found, day)
            if not times and (day.weekday() in found.closed_weekdays or day < world.today(found)):
                state = "closed"
            elif any(world.free(found, day, at, k, seats) for at in times for k in found.tables):
                state = "available"
            else:
                state = "sold-out"
            scheduled.append(
                {"date": day.isoformat(), "inventory": {"reservation": state, "event": "closed"}}
            )
            day += timedelta(days=1)
        return JSONResponse({"last_calendar_day": last.isoformat(), "scheduled": scheduled})

    # --- the web page the browser login fallback drives

    async def page(request: Request) -> Response:
        return HTMLResponse(_login_page(world))

    # --- administration (not part of Resy)

    async def stats(request: Request) -> Response:
        confirmed = sum(1 for r in world.reservations if r.status == "confirmed")
        return JSONResponse(
            {
                "requests": dict(world.stats),
                "reservations": {"confirmed": confirmed, "total": len(world.reservations)},
            }
        )

    async def recent(request: Request) -> Response:
        return JSONResponse(list(world.requests))

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            world.faults = Faults()
        elif request.method == "POST":
            try:
                world.apply_faults(dict(await request.json()))
            except (ValueError, TypeError) as exc:
                return _error(400, str(exc))
        return JSONResponse(asdict(world.faults))

    async def reset(request: Request) -> Response:
        world.reset()
        return JSONResponse({"reset": True})

    async def all_reservations(request: Request) -> Response:
        return JSONResponse(
            [
                {
                    **asdict(r),
                    "day": r.day.isoformat(),
                    "at": r.at.isoformat(),
                    "booked_at": r.booked_at.isoformat(),
                }
                for r in world.reservations
            ]
        )

    routes = [
        Route("/", page),
        Route("/login", page),
        Route("/3/auth/password", login, methods=["POST"]),
        Route("/2/user", user),
        Route("/4/find", find, methods=["GET", "POST"]),
        Route("/3/details", details, methods=["GET", "POST"]),
        Route("/3/book", book, methods=["POST"]),
        Route("/3/cancel", cancel, methods=["POST"]),
        Route("/3/user/reservations", reservations),
        Route("/3/venuesearch/search", venue_search, methods=["POST"]),
        Route("/3/venue", venue),
        Route("/4/venue/calendar", calendar),
        Route(f"{ADMIN_PREFIX}/stats", stats),
        Route(f"{ADMIN_PREFIX}/requests", recent),
        Route(f"{ADMIN_PREFIX}/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{ADMIN_PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/reservations", all_reservations),
    ]
    app = Starlette(routes=routes)
    app.state.world = world
    app.add_middleware(_Guard, world=world)
    return app


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower().replace("ô", "o")))


def _ahead(world: ResyWorld, booked: Booked) -> bool:
    venue = world.venues[booked.venue_id]
    starts = datetime.combine(booked.day, booked.at, ZoneInfo(venue.time_zone))
    return starts >= world.clock.now()


def _reservation_json(world: ResyWorld, r: Booked, legacy: bool) -> dict[str, Any]:
    venue = world.venues[r.venue_id]
    common: dict[str, Any] = {
        "resy_token": r.resy_token,
        "reservation_id": r.reservation_id,
        "num_seats": r.party_size,
        "config": {"type": r.kind},
        "special_request": r.special_request,
        "cancellation": {
            "allowed": r.status == "confirmed",
            "fee": {"amount": venue.cancellation_fee} if venue.cancellation_fee else None,
        },
    }
    start = datetime.combine(r.day, r.at).strftime("%Y-%m-%d %H:%M:%S")
    if legacy:
        return {
            **common,
            "date": {"start": start},
            "venue": {"id": r.venue_id, "name": venue.name},
            "status": {"finished": 0, "no_show": 0, "cancelled": int(r.status == "cancelled")},
        }
    return {
        **common,
        "day": r.day.isoformat(),
        "time_slot": r.at.strftime("%H:%M:%S"),
        "venue": {"id": r.venue_id},
        "status": r.status,
    }


def _login_page(world: ResyWorld) -> str:
    # The page sets the anti-bot cookie a real browser earns by running the site's script;
    # an API client never has it, which is what the "API login blocked" fault checks.
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Resy (stand-in) | Log in</title>
<style>body{{font-family:sans-serif;margin:3rem}} [hidden]{{display:none}}
.modal{{border:1px solid #ccc;padding:1rem;max-width:22rem}}
input{{display:block;margin:.5rem 0}}</style>
</head><body>
<header><strong>resy</strong> <button id="open-login" type="button">Log in</button></header>
<p id="welcome" hidden></p>
<div class="modal" id="modal" role="dialog" aria-label="Log in" hidden>
  <p>Log in to Resy</p>
  <input name="mobile_number" placeholder="Mobile number" aria-label="Mobile number">
  <button id="use-password" type="button">Use Email and Password instead</button>
  <form id="password-form" hidden>
    <input name="email" type="email" placeholder="Email" aria-label="Email" autocomplete="username">
    <input name="password" type="password" placeholder="Password" aria-label="Password"
           autocomplete="current-password">
    <button type="submit">Continue</button>
  </form>
  <p id="error" role="alert"></p>
</div>
<script>
const API_KEY = {json.dumps(world.api_key)};
document.cookie = "rsy_challenge={world.challenge}; path=/; SameSite=Strict";
const $ = (id) => document.getElementById(id);
$("open-login").onclick = () => {{ $("modal").hidden = false; }};
$("use-password").onclick = () => {{ $("password-form").hidden = false; }};
$("password-form").onsubmit = async (event) => {{
  event.preventDefault();
  const form = new FormData(event.target);
  const auth = {{ "Authorization": `ResyAPI api_key="${{API_KEY}}"` }};
  const answer = await fetch("/3/auth/password", {{
    method: "POST", headers: auth, credentials: "same-origin",
    body: new URLSearchParams({{ email: form.get("email"), password: form.get("password") }}),
  }});
  if (!answer.ok) {{
    $("error").textContent = answer.status === 419
      ? "Incorrect email or password." : "Something went wrong. Please try again.";
    return;
  }}
  const login = await answer.json();
  const headers = {{ ...auth, "X-Resy-Auth-Token": login.token,
                     "X-Resy-Universal-Auth": login.token }};
  const me = await (await fetch("/2/user", {{ headers }})).json();
  $("modal").hidden = true;
  $("welcome").hidden = false;
  $("welcome").textContent = `Welcome back, ${{me.first_name}}`;
}};
</script>
</body></html>"""
