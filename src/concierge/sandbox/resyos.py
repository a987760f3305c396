"""A stand-in ResyOS: auth.resy.com's venue token and api.resyos.com's ids, details and guests,
in one ASGI app, speaking the shapes of EXTERNAL-APIS.md.

It holds a venue's book of thousands of reservations generated deterministically from a seed,
and answers admin calls under ``/__sandbox/`` so tests and benchmarks can drive it:

* ``POST /__sandbox/change`` ``{"changed", "cancelled", "added", "new_guests", "removed"}``:
  change that many reservations (``new_guests`` adds reservations by never-seen guests,
  ``removed`` deletes reservations outright, as if ResyOS lost them); answers the ids touched.
* ``GET /__sandbox/requests`` counts per endpoint (``auth``, ``ids``, ``reservations``,
  ``users``, ``total``); ``DELETE`` resets them.
* ``POST /__sandbox/expire-tokens`` revokes every venue token issued so far (the next call
  answers 401); ``POST /__sandbox/config`` ``{"token_ttl", "latency"}``.
* ``POST /__sandbox/faults`` ``{"endpoint", "status", "hang", "times", "after"}``: the next
  ``times`` requests to ``endpoint`` (any when null), after skipping ``after`` of them, answer
  ``status`` or hang ``hang`` seconds first. ``DELETE`` clears them.
* ``GET /__sandbox/state``: every reservation and guest, exactly as the API would send them.

Run it with ``concierge sandbox resyos --port N``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import random
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from concierge.clock import Clock, SystemClock
from concierge.integrations.resyos.client import (
    DETAILS_PATH,
    IDS_PATH,
    RESYOS_HOST,
    USERS_PATH,
    VENUE_TOKEN_PATH,
)

LONG_LIVED_TOKEN = "sandbox-long-lived-token"  # noqa: S105 (a stand-in's well-known value)
VENUE_ID = "9001"
LOCAL = "%Y-%m-%d %H:%M:%S"

FIRST_NAMES = (
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Katherine",
    "Ken", "Radia", "Tim", "Hedy", "Claude", "Margaret", "Dennis", "Sophie", "Niklaus",
)  # fmt: skip
LAST_NAMES = (
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy",
    "Johnson", "Thompson", "Perlman", "Berners-Lee", "Lamarr", "Shannon", "Hamilton",
    "Ritchie", "Wilson", "Wirth",
)  # fmt: skip
TAGS = ("vip", "birthday", "anniversary", "allergy", "regular", "window", "press")
ENDPOINTS = ("auth", "ids", "reservations", "users")


@dataclass
class Fault:
    endpoint: str | None
    status: int | None
    hang: float
    times: int
    after: int

    def matches(self, endpoint: str) -> bool:
        return self.times > 0 and self.endpoint in (None, endpoint)


class ResyOSStandIn:
    def __init__(
        self,
        *,
        reservations: int = 2000,
        seed: int = 0,
        venue_id: str = VENUE_ID,
        timezone: str = "America/New_York",
        long_lived_token: str = LONG_LIVED_TOKEN,
        token_ttl: float = 3600.0,
        latency: float = 0.0,
        days_back: int = 30,
        days_ahead: int = 180,
        clock: Clock | None = None,
    ) -> None:
        self.venue_id = venue_id
        self.zone = ZoneInfo(timezone)
        self.long_lived_token = long_lived_token
        self.token_ttl = token_ttl
        self.latency = latency
        self.clock = clock or SystemClock()
        self.requests: Counter[str] = Counter()
        self.faults: list[Fault] = []
        self._secret = secrets.token_bytes(32)
        self._issued = 0
        self._revoked_up_to = 0
        self._last_stamp = datetime(2000, 1, 1, tzinfo=UTC)
        self._rng = random.Random(seed)
        self._next_reservation = 669_000_000 + self._rng.randrange(1_000_000)
        self._next_user = 1_000_000 + self._rng.randrange(1_000_000)
        self._days = (days_back - 1, days_ahead - 1)
        self._today = self.clock.now().astimezone(self.zone).date()
        self.book: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        regulars = [self._new_user() for _ in range(max(1, reservations * 3 // 5))]
        for _ in range(reservations):
            self._new_reservation(self._rng.choice(regulars), self._past_stamp())
        # Only guests who booked exist for the venue.
        self.users = {uid: self.users[uid] for uid in sorted(self._guests(), key=int)}
        self.app = Starlette(routes=self._routes())

    # ------------------------------------------------------------------ data

    def _stamp(self) -> datetime:
        # Strictly increasing, even under a frozen clock, so every change is visible.
        now = self.clock.now()
        self._last_stamp = max(now, self._last_stamp + timedelta(microseconds=1))
        return self._last_stamp

    def _past_stamp(self) -> datetime:
        back = timedelta(
            seconds=self._rng.randrange(60, 90 * 86400), microseconds=self._rng.randrange(1_000_000)
        )
        return self.clock.now() - back

    def _new_user(self) -> str:
        self._next_user += self._rng.randrange(1, 400)
        uid = self._next_user
        self.users[str(uid)] = {
            "user_id": uid,
            "class_id": 1,
            "first_name": self._rng.choice(FIRST_NAMES),
            "last_name": self._rng.choice(LAST_NAMES),
            "is_vip": self._rng.random() < 0.05,
            "num_visits": self._rng.randrange(0, 40),
            "notes": None,
        }
        return str(uid)

    def _booked(self) -> str:
        back, ahead = self._days
        day = self._today + timedelta(days=self._rng.randint(-back, ahead))
        minutes = 17 * 60 + 15 * self._rng.randrange(0, 23)
        return f"{day.isoformat()} {minutes // 60:02d}:{minutes % 60:02d}:00"

    def _new_reservation(self, user_id: str, stamp: datetime) -> str:
        self._next_reservation += self._rng.randrange(1, 50)
        rid = f"fly_{self._next_reservation}"
        seats = self._rng.randint(1, 8)
        self.book[rid] = {
            "reservation_id": rid,
            "user_id": user_id,
            "contact_user_id": None,
            "flag": 0,
            "last_updated": stamp.isoformat(timespec="microseconds"),
            "specs": {
                "turn_time": 5400 if seats <= 4 else 7200,
                "num_seats": seats,
                "num_arrived": 0,
                "price": 0,
                "class_id": 1,
                "booked_datetime": self._booked(),
                "service_charge_amount": 0,
                "beverage_pairing_amount": 0,
                "tax": 0,
                "is_cancelled": self._rng.random() < 0.04,
                "special_request": None,
            },
            "lock_data": {"locked": False, "table_ids": [self._rng.randint(1, 40)]},
            "annotations": {"tags": self._rng.sample(TAGS, self._rng.randint(0, 2))},
            "status": {"code": 1, "name": "booked", "finished": 0, "seated": 0},
        }
        return rid

    def change(
        self,
        *,
        changed: int = 0,
        cancelled: int = 0,
        added: int = 0,
        new_guests: int = 0,
        removed: int = 0,
    ) -> dict[str, list[str]]:
        """Change the book as a busy evening would; every touched reservation gets a new
        ``last_updated``. Returns the ids touched, per kind."""
        open_ids = sorted(r for r, v in self.book.items() if not v["specs"]["is_cancelled"])
        picked = self._rng.sample(open_ids, changed + cancelled + removed)
        result: dict[str, list[str]] = {
            "changed": picked[:changed],
            "cancelled": picked[changed : changed + cancelled],
            "removed": picked[changed + cancelled :],
            "added": [],
            "new_guests": [],
        }
        for rid in result["changed"]:
            specs = self.book[rid]["specs"]
            specs["num_seats"] = specs["num_seats"] % 8 + 1
            specs["booked_datetime"] = self._booked()
            self.book[rid]["last_updated"] = self._stamp().isoformat(timespec="microseconds")
        for rid in result["cancelled"]:
            self.book[rid]["specs"]["is_cancelled"] = True
            self.book[rid]["status"] = {"code": 4, "name": "cancelled", "finished": 0, "seated": 0}
            self.book[rid]["last_updated"] = self._stamp().isoformat(timespec="microseconds")
        for rid in result["removed"]:
            del self.book[rid]
        known = sorted(self._guests())
        for _ in range(added):
            result["added"].append(self._new_reservation(self._rng.choice(known), self._stamp()))
        for _ in range(new_guests):
            result["new_guests"].append(self._new_reservation(self._new_user(), self._stamp()))
        return result

    def _guests(self) -> set[str]:
        return {r["user_id"] for r in self.book.values() if r["user_id"] is not None}

    # ------------------------------------------------------------------ tokens

    def _issue(self) -> str:
        self._issued += 1
        now = self.clock.now().timestamp()
        claims = {
            "venue_id": self.venue_id,
            "iat": int(now),
            "exp": now + self.token_ttl,
            "jti": self._issued,
        }
        head = _b64({"alg": "HS256", "typ": "JWT"})
        body = _b64(claims)
        signature = hmac.new(self._secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
        return f"{head}.{body}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"

    def _valid(self, token: str | None) -> bool:
        if not token or token.count(".") != 2:
            return False
        head, body, signature = token.split(".")
        expected = hmac.new(self._secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
        given = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        if not hmac.compare_digest(expected, given):
            return False
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return bool(
            claims["jti"] > self._revoked_up_to and claims["exp"] > self.clock.now().timestamp()
        )

    def expire_tokens(self) -> None:
        self._revoked_up_to = self._issued

    # ------------------------------------------------------------------ HTTP

    def _routes(self) -> list[Route]:
        return [
            Route(VENUE_TOKEN_PATH, self._auth, methods=["POST"]),
            Route(IDS_PATH, self._ids, methods=["GET"]),
            Route(DETAILS_PATH, self._details, methods=["POST"]),
            Route(USERS_PATH, self._users, methods=["POST"]),
            Route("/__sandbox/change", self._admin_change, methods=["POST"]),
            Route("/__sandbox/requests", self._admin_requests, methods=["GET", "DELETE"]),
            Route("/__sandbox/expire-tokens", self._admin_expire, methods=["POST"]),
            Route("/__sandbox/config", self._admin_config, methods=["POST"]),
            Route("/__sandbox/faults", self._admin_faults, methods=["POST", "DELETE"]),
            Route("/__sandbox/state", self._admin_state, methods=["GET"]),
        ]

    async def _enter(self, endpoint: str, request: Request) -> Response | None:
        """Count the request, apply latency and faults, check headers and token: a response
        to send instead of the real answer, or None."""
        self.requests[endpoint] += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = next((f for f in self.faults if f.matches(endpoint)), None)
        if fault is not None:
            if fault.after > 0:
                fault.after -= 1
            else:
                fault.times -= 1
                if fault.hang:
                    await asyncio.sleep(fault.hang)
                if fault.status:
                    return JSONResponse({"message": "stand-in fault"}, status_code=fault.status)
        if endpoint == "auth":
            return None
        if request.headers.get("x-resyos-host") != RESYOS_HOST:
            return JSONResponse({"message": "Missing X-ResyOS-Host"}, status_code=400)
        if not self._valid(request.headers.get("x-resy-universal-auth")):
            return JSONResponse({"message": "Unauthorized"}, status_code=401)
        return None

    async def _auth(self, request: Request) -> Response:
        if (refused := await self._enter("auth", request)) is not None:
            return refused
        if request.headers.get("x-resy-universal-auth") != self.long_lived_token:
            return JSONResponse({"message": "Unauthorized"}, status_code=401)
        form = await request.form()
        if form.get("venue_id") != self.venue_id:
            return JSONResponse({"message": "Not a venue of this account"}, status_code=403)
        return JSONResponse({"token": self._issue()})

    async def _ids(self, request: Request) -> Response:
        if (refused := await self._enter("ids", request)) is not None:
            return refused
        try:
            start = datetime.strptime(request.query_params["start_datetime"], LOCAL)
            end = datetime.strptime(request.query_params["end_datetime"], LOCAL)
        except (KeyError, ValueError):
            return JSONResponse(
                {"message": "start_datetime and end_datetime as YYYY-MM-DD HH:MM:SS"},
                status_code=400,
            )
        low, high = start.strftime(LOCAL), end.strftime(LOCAL)
        return JSONResponse(
            [
                {"id": rid, "last_updated": r["last_updated"], "flag": bool(r["flag"])}
                for rid, r in self.book.items()
                if low <= r["specs"]["booked_datetime"] <= high
            ]
        )

    async def _details(self, request: Request) -> Response:
        if (refused := await self._enter("reservations", request)) is not None:
            return refused
        body = await request.json()
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list):
            return JSONResponse({"message": 'JSON {"ids": [...]} expected'}, status_code=400)
        return JSONResponse([self.book[rid] for rid in ids if rid in self.book])

    async def _users(self, request: Request) -> Response:
        if (refused := await self._enter("users", request)) is not None:
            return refused
        form = await request.form()
        ids = str(form.get("ids") or "")
        wanted = [uid.strip() for uid in ids.split(",") if uid.strip()]
        return JSONResponse([self.users[uid] for uid in wanted if uid in self.users])

    async def _admin_change(self, request: Request) -> Response:
        body = await request.json()
        counts = {
            k: int(body.get(k, 0))
            for k in ("changed", "cancelled", "added", "new_guests", "removed")
        }
        return JSONResponse(self.change(**counts))

    async def _admin_requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.requests.clear()
        counts = {name: self.requests[name] for name in ENDPOINTS}
        return JSONResponse({**counts, "total": sum(counts.values())})

    async def _admin_expire(self, _: Request) -> Response:
        self.expire_tokens()
        return JSONResponse({"revoked": self._revoked_up_to})

    async def _admin_config(self, request: Request) -> Response:
        body = await request.json()
        self.token_ttl = float(body.get("token_ttl", self.token_ttl))
        self.latency = float(body.get("latency", self.latency))
        return JSONResponse({"token_ttl": self.token_ttl, "latency": self.latency})

    async def _admin_faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.faults.clear()
            return JSONResponse({"faults": 0})
        body = await request.json()
        self.faults.append(
            Fault(
                endpoint=body.get("endpoint"),
                status=body.get("status"),
                hang=float(body.get("hang", 0)),
                times=int(body.get("times", 1)),
                after=int(body.get("after", 0)),
            )
        )
        return JSONResponse({"faults": len(self.faults)})

    async def _admin_state(self, _: Request) -> Response:
        return JSONResponse(
            {
                "venue_id": self.venue_id,
                "timezone": str(self.zone),
                "today": self._today.isoformat(),
                "reservations": list(self.book.values()),
                "users": list(self.users.values()),
            }
        )

    @property
    def today(self) -> date:
        return self._today


def JSONResponse(content: Any, status_code: int = 200) -> Response:  # noqa: N802
    """orjson: the stand-in's answers for a long window are large, and its CPU is shared with
    the sync it serves in benchmarks."""
    return Response(orjson.dumps(content), status_code, media_type="application/json")


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
