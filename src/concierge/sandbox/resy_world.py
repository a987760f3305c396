"""The state of the stand-in Resy: accounts and their tokens, venues and their tables, book
tokens, reservations, and the faults switched on."""

from __future__ import annotations

import hashlib
import random
import secrets
from collections import Counter, deque
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from concierge import jwt
from concierge.clock import Clock, SystemClock
from concierge.config import RESY_WEB_APP_KEY
from concierge.sandbox.resy_data import USERS, VENUES, DemoUser, DemoVenue, TableKind

# The next book: booked, then a 500/502 or a dropped connection; or a 502 with nothing booked.
LostBook = Literal["500", "502", "drop", "502-unbooked"]


@dataclass
class Faults:
    """What to break. Counters count down as they fire; flags stay until cleared."""

    require_user_agent: bool = True  # Resy answers 500 without a browser User-Agent
    api_login_blocked: bool = False  # /3/auth/password refuses anything but the web page
    legacy_shapes: bool = False  # older wire: details by GET, search by form, old list shapes
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
    related_venue_first: bool = False  # find lists another venue's tables ahead of the one asked
    malformed_rows: bool = False  # find, search and the reservation list carry one unreadable row


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
    card_id: int | None = None  # the card given with struct_payment_method


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
        self._horizon_days = horizon_days
        self.reset()

    def reset(self) -> None:
        self.secret = secrets.token_bytes(32)
        self.challenge = secrets.token_urlsafe(16)
        self.faults = Faults()
        self.horizon_days = self._horizon_days
        # The venue-local time a new day's tables are released at (``horizon_days`` ahead).
        self.release_time = time(0)
        self.accounts: dict[int, Account] = {u.id: _account(u) for u in USERS}
        self.venues: dict[int, DemoVenue] = {v.id: v for v in VENUES}
        self.book_tokens: dict[str, BookToken] = {}
        self.reservations: list[Booked] = []
        self.taken_by_others: Counter[tuple[int, date, time, str]] = Counter()
        self.stats: Counter[str] = Counter()
        self.requests: deque[dict[str, Any]] = deque(maxlen=500)
        self._next_reservation = 700_000_000
        # The person's lists (sandbox/resy_lists.py): favorite venue ids, notify requests.
        self.favorites: dict[int, list[int]] = {}
        self.notify: list[dict[str, Any]] = []
        self.notify_counter = 900_000
        self.cancellations = random.Random(0)  # which taken tables free up (seeded)

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

    def last_open_day(self, venue: DemoVenue) -> date:
        """The last day whose tables are released: ``horizon_days`` ahead once the venue's
        clock has passed ``release_time``, a day fewer before."""
        local_now = self.clock.now().astimezone(ZoneInfo(venue.time_zone))
        released = local_now.time() >= self.release_time
        ahead = self.horizon_days if released else self.horizon_days - 1
        return local_now.date() + timedelta(days=ahead)

    def open_times(self, venue: DemoVenue, day: date) -> list[time]:
        today = self.today(venue)
        if day < today or day > self.last_open_day(venue):
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

    def free(
        self,
        venue: DemoVenue,
        day: date,
        at: time,
        kind: TableKind,
        party: int,
        *,
        known_open: bool = False,
    ) -> int:
        """Tables of ``kind`` left at this time for this party (0 when none). ``known_open``:
        the caller took ``at`` from ``open_times`` already."""
        if not kind.min_size <= party <= kind.max_size:
            return 0
        if not known_open and at not in self.open_times(venue, day):
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

    def book(
        self,
        token: BookToken,
        account: Account,
        special_request: str | None,
        card_id: int | None = None,
    ) -> Booked:
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
            card_id=card_id,
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


def ahead(world: ResyWorld, booked: Booked) -> bool:
    venue = world.venues[booked.venue_id]
    starts = datetime.combine(booked.day, booked.at, ZoneInfo(venue.time_zone))
    return starts >= world.clock.now()
