"""What Concierge reads from Resy, as typed models.

Resy's wire format has drifted over the years (see EXTERNAL-APIS.md). Each model takes the raw
JSON as Resy sends it, old shape or new, ignores fields it does not use, and exposes one flat,
stable shape. Times Resy gives as ``"YYYY-MM-DD HH:MM:SS"`` are venue-local and stay naive here;
``time_zone`` says which zone they are in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import Any, TypeVar
from urllib.parse import urlencode

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, model_validator


class ResyModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _resy_id(value: Any) -> Any:
    """Venue ids come as ``{"resy": 123}`` (newer) or a bare number (older)."""
    if isinstance(value, dict):
        return value.get("resy")
    return value


# The zone of each Resy city, for venues whose answer names no zone (``location.code``).
_CITY_ZONES = {
    **dict.fromkeys(
        ("ny", "nyc", "bk", "dc", "bos", "phl", "mia", "atl", "nsh", "hamptons"),
        "America/New_York",
    ),
    **dict.fromkeys(("chi", "aus", "hou", "dal", "no", "nola"), "America/Chicago"),
    **dict.fromkeys(("den", "slc"), "America/Denver"),
    "phx": "America/Phoenix",
    **dict.fromkeys(("la", "sf", "sd", "sea", "pdx", "lv"), "America/Los_Angeles"),
    "hnl": "Pacific/Honolulu",
    **dict.fromkeys(("ldn", "london"), "Europe/London"),
}


def venue_time_zone(venue: Any) -> str | None:
    """Where Resy puts a venue's zone: ``location.time_zone``, else ``locale.time_zone``, else
    the zone of the venue's city."""
    raw = _dict(venue)
    location = _dict(raw.get("location"))
    zone = raw.get("time_zone") or location.get("time_zone")
    zone = zone or _dict(raw.get("locale")).get("time_zone")
    code = raw.get("location_code") or location.get("code")
    return zone or (_CITY_ZONES.get(str(code).lower()) if code else None)


class NoUsableRows(ValueError):
    """Resy listed rows, and not one of them could be read."""

    def __init__(self, what: str, count: int) -> None:
        super().__init__(f"none of the {count} {what} Resy listed could be read")
        self.what = what
        self.count = count


R = TypeVar("R")


def tolerant(rows: Iterable[Any], read: Callable[[Any], R], what: str) -> tuple[list[R], int]:
    """Read each row on its own: a malformed one is skipped and counted, the rest stand.
    When every row is malformed the answer is not understood (``NoUsableRows``)."""
    kept: list[R] = []
    skipped = 0
    for raw in rows:
        try:
            kept.append(read(raw))
        except (ValueError, KeyError, TypeError):
            skipped += 1
    if skipped and not kept:
        raise NoUsableRows(what, skipped)
    return kept, skipped


def deep_link(location_code: str, url_slug: str, day: date, seats: int) -> str:
    """The resy.com page of a venue for one day and party size: where a person finishes a booking
    Resy will not take from a program (captcha venues)."""
    query = urlencode({"date": day.isoformat(), "seats": seats})
    return f"https://resy.com/cities/{location_code}/{url_slug}?{query}"


# --- accounts


class PaymentMethod(ResyModel):
    id: int
    is_default: bool = False
    display: str | None = None  # the card's last four digits
    type: str | None = None  # "Visa", "Amex", ...
    exp_month: int | None = None
    exp_year: int | None = None

    @property
    def label(self) -> str:
        """How a person recognises the card: "Visa ending in 1234"."""
        kind = self.type or "Card"
        return f"{kind} ending in {self.display}" if self.display else kind


class User(ResyModel):
    # Not every /2/user answer carries the id (chrischall/resy-mcp's profile shape has none);
    # nothing Concierge does with the user needs it.
    id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = Field(default=None, validation_alias=AliasChoices("em_address", "email"))
    payment_method_id: int | None = None
    payment_methods: list[PaymentMethod] = []

    @model_validator(mode="before")
    @classmethod
    def _payment_method_id(cls, raw: Any) -> Any:
        # Some answers nest it as {"payment_method": {"id": ...}} or send it as a string.
        if isinstance(raw, dict) and raw.get("payment_method_id") is None:
            nested = _dict(raw.get("payment_method")).get("id")
            if nested is not None:
                raw = {**raw, "payment_method_id": nested}
        return raw

    def default_payment_method(self) -> PaymentMethod | None:
        """The card Resy would charge: the account's chosen one, else the default, else any."""
        for method in self.payment_methods:
            if method.id == self.payment_method_id:
                return method
        for method in self.payment_methods:
            if method.is_default:
                return method
        if self.payment_methods:
            return self.payment_methods[0]
        if self.payment_method_id is not None:
            return PaymentMethod(id=self.payment_method_id)
        return None


class Login(User):
    """The answer to a password login: the user, with tokens that must never be logged."""

    token: SecretStr
    refresh_token: SecretStr | None = None
    legacy_token: SecretStr | None = None


# --- availability


class VenueRef(ResyModel):
    """A venue as find and reservations name it: enough to book and to build a deep link."""

    id: int
    name: str | None = None
    url_slug: str | None = None
    time_zone: str | None = None
    location_code: str | None = None
    # Resy's own flag that the web app solves a captcha to book here: a refusal at such a
    # venue is read as the captcha, and the person is sent to resy.com.
    feature_recaptcha: bool = False

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        location = _dict(raw.get("location"))
        return {
            **raw,
            "id": _resy_id(raw.get("id")),
            "time_zone": venue_time_zone(raw),
            "location_code": raw.get("location_code") or location.get("code"),
            "feature_recaptcha": raw.get("feature_recaptcha") is True,
        }


class Slot(ResyModel):
    """One bookable time. ``token`` (Resy's ``config.token``) is what details wants."""

    token: str
    config_id: str | None = None
    type: str | None = None
    start: datetime
    end: datetime | None = None
    min_size: int | None = None
    max_size: int | None = None
    quantity: int | None = None
    is_paid: bool = False
    cancellation_fee: float | None = None
    secs_cancel_cut_off: int | None = None
    venue: VenueRef | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or "config" not in raw:
            return raw
        config = _dict(raw.get("config"))
        when = _dict(raw.get("date"))
        size = _dict(raw.get("size"))
        payment = _dict(raw.get("payment"))
        config_id = config.get("id")
        return {
            "token": config.get("token"),
            "config_id": None if config_id is None else str(config_id),
            "type": config.get("type"),
            "start": when.get("start"),
            "end": when.get("end"),
            "min_size": size.get("min"),
            "max_size": size.get("max"),
            "quantity": raw.get("quantity"),
            "is_paid": bool(payment.get("is_paid")),
            "cancellation_fee": payment.get("cancellation_fee"),
            "secs_cancel_cut_off": payment.get("secs_cancel_cut_off"),
            "venue": raw.get("venue"),
        }

    @property
    def day(self) -> date:
        return self.start.date()


class Availability(ResyModel):
    """Open tables at one venue on one day. No table: ``slots`` is empty (``venue`` is None when
    Resy lists no entry for the venue asked for). ``skipped`` counts malformed slots left out."""

    venue: VenueRef | None = None
    slots: list[Slot] = []
    skipped: int = 0

    @classmethod
    def from_find(cls, payload: Any, venue_id: int) -> Availability:
        """Only the ``results.venues[]`` entry of ``venue_id``: Resy may list related venues
        first, and their tables are not the ones asked for."""
        venues = _dict(_dict(payload).get("results")).get("venues") or []
        entry = next((e for e in map(_dict, venues) if _entry_id(e) == venue_id), None)
        if entry is None:
            return cls()
        venue = VenueRef.model_validate(entry["venue"])
        rows, skipped = tolerant(
            entry.get("slots") or [],
            lambda raw: Slot.model_validate({**_dict(raw), "venue": venue}),
            "tables",
        )
        slots: dict[str, Slot] = {}
        for slot in rows:
            # Several config ids can share one token: one table, listed twice.
            slots.setdefault(slot.token, slot)
        ordered = sorted(slots.values(), key=lambda s: (s.start, s.type or ""))
        return cls(venue=venue, slots=ordered, skipped=skipped)


def _entry_id(entry: dict[str, Any]) -> int | None:
    venue_id = _resy_id(_dict(entry.get("venue")).get("id"))
    try:
        return int(venue_id)
    except (TypeError, ValueError):
        return None


# --- booking


class BookingDetails(ResyModel):
    """What details answers for one slot: the short-lived book token and the terms."""

    book_token: str
    book_token_expires: datetime | None = None
    payment_methods: list[PaymentMethod] = []
    cancellation_fee: float | None = None
    cancellation_cut_off: datetime | None = None
    cancellation_policy: list[str] = []  # the venue's own words, e.g. "cancel 24 hours ahead"
    venue_name: str | None = None
    amounts: dict[str, Any] = {}
    # What was asked, kept so book can reconcile an unclear outcome and build a deep link.
    slot: Slot | None = None
    party_size: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or "book_token" not in raw:
            return raw
        book_token = raw.get("book_token")
        token = _dict(book_token).get("value") if isinstance(book_token, dict) else book_token
        cancellation = _dict(raw.get("cancellation"))
        fee = cancellation.get("fee")
        if isinstance(fee, dict):
            fee = fee.get("amount")
        return {
            "book_token": token,
            # Resy sends "" for "no expiry given" (2026).
            "book_token_expires": _dict(book_token).get("date_expires") or None,
            "payment_methods": _dict(raw.get("user")).get("payment_methods") or [],
            "cancellation_fee": fee,
            "cancellation_cut_off": _dict(cancellation.get("refund")).get("date_cut_off") or None,
            "cancellation_policy": [
                str(line)
                for line in (_dict(cancellation.get("display")).get("policy") or [])
                if isinstance(line, str) and line.strip()
            ],
            "venue_name": _dict(raw.get("venue")).get("name"),
            "amounts": _dict(_dict(raw.get("payment")).get("amounts")),
            "slot": raw.get("slot"),
            "party_size": raw.get("party_size"),
        }


class Booking(ResyModel):
    """A table booked. ``reconciled`` is true when the answer to book was lost and the
    reservation was found in the user's list instead."""

    resy_token: str
    reservation_id: int | None = None
    reconciled: bool = False


# --- reservations


class Reservation(ResyModel):
    resy_token: str
    reservation_id: int | None = None
    day: date
    time: time
    num_seats: int
    venue_id: int | None = None
    venue_name: str | None = None
    time_zone: str | None = None
    config_type: str | None = None
    special_request: str | None = None
    cancellation_allowed: bool | None = None
    cancellation_fee: float | None = None
    status: str = "confirmed"

    @property
    def cancelled(self) -> bool:
        return self.status in {"cancelled", "canceled"}

    @classmethod
    def from_wire(cls, raw: dict[str, Any], venues: dict[str, Any]) -> Reservation:
        day, at = _reservation_when(raw)
        venue = _dict(raw.get("venue"))
        venue_id = _resy_id(venue.get("id"))
        known = _dict(venues.get(str(venue_id)))
        cancellation = _dict(raw.get("cancellation"))
        fee = cancellation.get("fee")
        if isinstance(fee, dict):
            fee = fee.get("amount")
        return cls(
            resy_token=raw["resy_token"],
            reservation_id=raw.get("reservation_id"),
            day=day,
            time=at,
            num_seats=raw.get("num_seats") or raw.get("party_size"),
            venue_id=venue_id,
            venue_name=known.get("name") or venue.get("name") or _shared_name(raw.get("share")),
            time_zone=venue_time_zone(known) or venue_time_zone(venue),
            config_type=_dict(raw.get("config")).get("type"),
            special_request=raw.get("special_request"),
            cancellation_allowed=cancellation.get("allowed"),
            cancellation_fee=fee,
            status=_status(raw.get("status"), raw),
        )


_SHARED_NAME = (
    re.compile(r"Reservation at (.+?)(?: on |[.!]?$)"),
    re.compile(r"Please RSVP for (.+?) on "),
)


def _shared_name(share: Any) -> str | None:
    """The venue's name from the share text ("Reservation at X on ...", "Please RSVP for X on
    ..."), for reservations whose venue is in neither the row nor the venues map."""
    messages = _dict(share).get("message") if isinstance(share, dict) else share
    for text in [messages] if isinstance(messages, str) else messages or []:
        for pattern in _SHARED_NAME:
            found = pattern.search(str(text))
            if found:
                return found.group(1).strip()
    return None


def _reservation_when(raw: dict[str, Any]) -> tuple[date, time]:
    """Newer: ``day`` + ``time_slot: "HH:MM:SS"``. Older: ``time_slot: {date: ...}`` or
    ``date: {start: "YYYY-MM-DD HH:MM:SS"}``."""
    slot = raw.get("time_slot")
    if isinstance(slot, str) and raw.get("day"):
        return date.fromisoformat(raw["day"]), time.fromisoformat(slot)
    for candidate in (_dict(slot).get("date"), _dict(raw.get("date")).get("start")):
        if isinstance(candidate, str) and len(candidate) > 10:
            at = datetime.fromisoformat(candidate)
            return at.date(), at.time()
    raise ValueError("reservation without a recognisable date and time")


def _status(value: Any, raw: dict[str, Any]) -> str:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, dict):
        if value.get("cancelled") or value.get("canceled"):
            return "cancelled"
        if value.get("finished"):
            return "finished"
        if value.get("no_show"):
            return "no_show"
    if raw.get("cancelled") or raw.get("date_cancelled"):
        return "cancelled"
    return "confirmed"


class ReservationsPage(ResyModel):
    """One page of the user's reservations; ``skipped`` counts malformed rows left out."""

    reservations: list[Reservation] = []
    total: int | None = None
    offset: int = 0
    limit: int | None = None
    skipped: int = 0

    @classmethod
    def from_wire(cls, payload: Any) -> ReservationsPage:
        body = _dict(payload)
        venues = _dict(body.get("venues"))
        rows, skipped = tolerant(
            body.get("reservations") or [],
            lambda raw: Reservation.from_wire(_dict(raw), venues),
            "reservations",
        )
        meta = _dict(body.get("metadata"))
        return cls(
            reservations=rows,
            skipped=skipped,
            total=meta.get("total"),
            offset=meta.get("offset") or 0,
            limit=meta.get("limit"),
        )


# --- venues


class VenueHit(ResyModel):
    """One venue search result."""

    venue_id: int
    name: str
    url_slug: str | None = None
    locality: str | None = None
    region: str | None = None
    neighborhood: str | None = None
    cuisine: list[str] = []
    latitude: float | None = None
    longitude: float | None = None
    location_code: str | None = None
    location_name: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or "venue_id" in raw:
            return raw
        geo = _dict(raw.get("_geoloc"))
        location = _dict(raw.get("location"))
        cuisine = raw.get("cuisine") or []
        region = raw.get("region")
        if isinstance(region, dict):  # 2026: {"id": "NY", "name": "New York"}
            region = region.get("id") or region.get("name")
        return {
            **raw,
            "region": None if region is None else str(region),
            "venue_id": _resy_id(raw.get("id")) or raw.get("objectID"),
            "cuisine": [cuisine] if isinstance(cuisine, str) else cuisine,
            "latitude": geo.get("lat"),
            "longitude": geo.get("lng"),
            "location_code": location.get("code"),
            "location_name": location.get("name"),
        }

    @classmethod
    def list_from_search(cls, payload: Any) -> SearchHits:
        body = _dict(payload)
        hits = _dict(body.get("search")).get("hits") or body.get("hits") or []
        rows, skipped = tolerant(hits, cls.model_validate, "venues")
        return SearchHits(rows, skipped=skipped)


class SearchHits(list[VenueHit]):
    """Venue search results, a plain list to callers; ``skipped`` counts malformed hits."""

    def __init__(self, hits: Iterable[VenueHit] = (), *, skipped: int = 0) -> None:
        super().__init__(hits)
        self.skipped = skipped


class Venue(ResyModel):
    """A venue's own page (``/3/venue``). ``google_place_id`` is the surest match to Google."""

    resy_id: int
    google_place_id: str | None = None
    name: str
    url_slug: str | None = None
    address_1: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_code: str | None = None
    time_zone: str | None = None
    min_party_size: int | None = None
    max_party_size: int | None = None
    feature_recaptcha: bool = False
    cuisine: str | None = None  # Resy's "type": "Steakhouse"
    price_range: int | None = None  # 1..4
    neighborhood: str | None = None
    phone: str | None = None
    website: str | None = None  # the restaurant's own site (contact.url)
    resy_url: str | None = None  # its page on resy.com (links.web)

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or "resy_id" in raw:
            return raw
        ids = raw.get("id")
        contact = _dict(raw.get("contact"))
        links = _dict(raw.get("links"))
        location = _dict(raw.get("location"))
        return {
            **raw,
            "resy_id": _resy_id(ids),
            "google_place_id": _dict(ids).get("google") or None,
            "address_1": location.get("address_1"),
            "locality": location.get("locality"),
            "region": location.get("region"),
            "postal_code": location.get("postal_code"),
            "latitude": location.get("latitude"),
            "longitude": location.get("longitude"),
            "location_code": location.get("code"),
            "time_zone": venue_time_zone(raw),
            "feature_recaptcha": bool(raw.get("feature_recaptcha")),
            "cuisine": raw.get("type") if isinstance(raw.get("type"), str) else None,
            "price_range": raw.get("price_range_id"),
            "neighborhood": location.get("neighborhood"),
            "phone": contact.get("phone_number") or None,
            "website": contact.get("url") or None,
            "resy_url": links.get("web") or None,
        }


class CalendarDay(ResyModel):
    day: date
    status: str  # "available", "sold-out" or "closed"

    @property
    def available(self) -> bool:
        return self.status == "available"


class Calendar(ResyModel):
    last_calendar_day: date | None = None
    days: list[CalendarDay] = []

    @classmethod
    def from_wire(cls, payload: Any) -> Calendar:
        body = _dict(payload)
        days = [
            CalendarDay(
                day=row["date"],
                status=str(_dict(row.get("inventory")).get("reservation") or "closed"),
            )
            for row in (body.get("scheduled") or [])
            if isinstance(row, dict) and row.get("date")
        ]
        return cls(last_calendar_day=body.get("last_calendar_day"), days=days)
