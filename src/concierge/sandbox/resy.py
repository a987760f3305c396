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
import json
import re
import secrets
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from concierge.sandbox import resy_lists
from concierge.sandbox.resy_data import DemoVenue
from concierge.sandbox.resy_inventory import inventory_routes
from concierge.sandbox.resy_wire import (
    config_id,
    config_token,
    error,
    hit_json,
    login_page,
    parse_config_token,
    reservation_json,
    stamp,
    user_json,
    venue_json,
    venue_ref,
)
from concierge.sandbox.resy_world import (
    Account,
    BookToken,
    Faults,
    ResyWorld,
    ahead,
)

__all__ = ["ADMIN_PREFIX", "Faults", "ResyWorld", "create_app"]

ADMIN_PREFIX = "/__sandbox"
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
            response = error(401, "Unauthorized: missing or unknown api key")
        elif is_api and faults.rate_limit > 0 and _matches(path, faults.rate_limit_path):
            faults.rate_limit -= 1
            response = error(429, "Too Many Requests")
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
        "at": world.clock.now().isoformat(),
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
            return error(401, "Unauthorized")
        account = world.account_for_token(token)
        if account is None:
            return error(419, "Unauthorized: token expired")
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
            return error(403, "Request blocked. Please verify you are human on resy.com.")
        account = world.account_by_email(str(data.get("email", "")))
        if account is None or not secrets.compare_digest(
            account.password.encode(), str(data.get("password", "")).encode()
        ):
            return error(419, "Unauthorized")
        token = world.issue_token(account)
        return JSONResponse(
            {
                **user_json(account),
                "token": token,
                "refresh_token": secrets.token_urlsafe(32),
                "legacy_token": secrets.token_hex(16),
            }
        )

    async def user(request: Request) -> Response:
        account = require_caller(request)
        if isinstance(account, Response):
            return account
        return JSONResponse(user_json(account))

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
            return error(400, "day and party_size are required")
        if venue is None:
            return JSONResponse({"results": {"venues": []}, "query": {"day": day.isoformat()}})
        slots = venue_slots(venue, day, party)
        if world.faults.malformed_rows:
            slots.insert(0, {"config": {"id": 1, "type": "Dining Room"}})  # no token
        entries: list[dict[str, Any]] = [{"venue": venue_ref(venue), "slots": slots}]
        if world.faults.related_venue_first:
            # Resy may list a related venue (same group, nearby) ahead of the one asked for.
            other = next(v for v in world.venues.values() if v.id != venue.id)
            entries.insert(0, {"venue": venue_ref(other), "slots": venue_slots(other, day, party)})
        return JSONResponse(
            {
                "results": {"venues": entries},
                "query": {"day": day.isoformat(), "party_size": party},
            }
        )

    def venue_slots(venue: DemoVenue, day: date, party: int) -> list[dict[str, Any]]:
        slots: list[dict[str, Any]] = []
        for at in world.open_times(venue, day):
            for kind in venue.tables:
                free = world.free(venue, day, at, kind, party, known_open=True)
                if not free:
                    continue
                start = datetime.combine(day, at)
                slot = {
                    "config": {
                        "id": config_id(venue, kind.type),
                        "type": kind.type,
                        "token": config_token(venue, day, at, kind.type, party),
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
        return slots

    async def details(request: Request) -> Response:
        if request.method == "GET":
            if not world.faults.legacy_shapes:
                return error(400, "Invalid configuration ID")
            data: dict[str, Any] = dict(request.query_params)
        else:
            if world.faults.legacy_shapes:
                return error(405, "Method Not Allowed")
            data = await body_fields(request)
        account = require_caller(request)
        if isinstance(account, Response):
            return account
        parsed = parse_config_token(str(data.get("config_id", "")))
        if parsed is None:
            return error(400, "Invalid configuration ID")
        venue_id, day, at, _, kind_name = parsed
        venue = world.venues.get(venue_id)
        kind = next((k for k in venue.tables if k.type == kind_name), None) if venue else None
        try:
            party = int(data.get("party_size", 0))
            asked_day = date.fromisoformat(str(data.get("day")))
        except ValueError:
            return error(400, "day and party_size are required")
        if venue is None or kind is None or asked_day != day:
            return error(400, "Invalid configuration ID")
        if not world.free(venue, day, at, kind, party):
            return error(410, "Sorry, this reservation is no longer available.")
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
                "book_token": {"value": token.value, "date_expires": stamp(token.expires_at)},
                "user": {"payment_methods": user_json(account)["payment_methods"]},
                "cancellation": {
                    "fee": {"amount": fee, "display": {"amount": f"${fee:.0f}"}} if fee else None,
                    "refund": {"date_cut_off": stamp(starts - timedelta(days=1))},
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
            return error(400, "Invalid book token")
        data = await body_fields(request)
        token = world.book_tokens.get(str(data.get("book_token", "")))
        if token is None or token.user_id != account.id:
            return error(400, "Invalid book token")
        if token.expires_at <= world.clock.now():
            del world.book_tokens[token.value]
            return error(400, "Invalid book token: it has expired")
        venue = world.venues[token.venue_id]
        if venue.feature_recaptcha and not data.get("g-recaptcha-response"):
            return error(403, "Please complete the reCAPTCHA to book", recaptcha=True)
        card_id = None
        if "struct_payment_method" in data:
            try:
                card_id = json.loads(data["struct_payment_method"])["id"]
            except (ValueError, KeyError, TypeError):
                return error(400, "Invalid payment method")
            if not isinstance(card_id, int) or card_id not in {c.id for c in account.cards}:
                return error(400, "Invalid payment method")
        if venue.cancellation_fee and card_id is None:
            return error(402, "A payment method is required to book this reservation")
        kind = next(k for k in venue.tables if k.type == token.kind)
        if not world.free(venue, token.day, token.at, kind, token.party_size):
            del world.book_tokens[token.value]
            return error(410, "Sorry, this reservation is no longer available.")
        lost = world.faults.lost_book_response
        world.faults.lost_book_response = None
        if lost == "502-unbooked":
            return Response("<html><body>502 Bad Gateway</body></html>", 502)
        booked = world.book(token, account, data.get("special_request"), card_id)
        if lost in {"500", "502"}:
            return Response(f"<html><body>{lost} Server Error</body></html>", int(lost))
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
            return error(404, "Reservation not found")
        if booked.status == "cancelled":
            return error(400, "This reservation has already been cancelled")
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
            mine = [r for r in mine if r.status == "confirmed" and ahead(world, r)]
        mine.sort(key=lambda r: (r.day, r.at))
        offset = int(params.get("offset", 0))
        limit = int(params.get("limit", 20))
        page = mine[offset : offset + limit]
        legacy = world.faults.legacy_shapes
        rows = [reservation_json(world, r, legacy) for r in page]
        if world.faults.malformed_rows and rows:
            rows.insert(0, {k: v for k, v in rows[0].items() if k != "resy_token"})
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
        if world.faults.legacy_shapes and request.headers.get("content-type", "").startswith(
            "application/json"
        ):
            return error(400, "struct_data is required")
        data = await body_fields(request)
        if "struct_data" in data:
            try:
                data = json.loads(data["struct_data"])
            except ValueError:
                return error(400, "struct_data is not JSON")
        if "location" in data:
            return error(400, "Invalid parameter: location")
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
        hits = [hit_json(row[3]) for row in scored[:per_page]]
        if world.faults.malformed_rows and hits:
            hits.insert(0, {"name": "A hit without an id"})
        if world.faults.legacy_shapes:
            return JSONResponse({"hits": hits, "nbHits": len(scored)})
        return JSONResponse({"search": {"hits": hits, "nbHits": len(scored)}, "meta": {}})

    async def venue(request: Request) -> Response:
        found = venue_or_none(request.query_params.get("id"))
        if found is None:
            return error(404, "Venue not found")
        return JSONResponse(venue_json(found))

    async def calendar(request: Request) -> Response:
        params = request.query_params
        found = venue_or_none(params.get("venue_id"))
        if found is None:
            return error(404, "Venue not found")
        try:
            seats = int(params["num_seats"])
            start = date.fromisoformat(params["start_date"])
            end = date.fromisoformat(params["end_date"])
        except (KeyError, ValueError):
            return error(400, "venue_id, num_seats, start_date and end_date are required")
        last = world.last_open_day(found)
        scheduled = []
        day = start
        while day <= min(end, last):
            times = world.open_times(found, day)
            if not times and (day.weekday() in found.closed_weekdays or day < world.today(found)):
                state = "closed"
            elif any(
                world.free(found, day, at, k, seats, known_open=True)
                for at in times
                for k in found.tables
            ):
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
        return HTMLResponse(login_page(world))

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
                return error(400, str(exc))
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
        *inventory_routes(world, ADMIN_PREFIX),
    ]
    routes += resy_lists.routes(world, require_caller)
    app = Starlette(routes=routes)
    app.state.world = world
    app.add_middleware(_Guard, world=world)
    return app


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower().replace("ô", "o")))
