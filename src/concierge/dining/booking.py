"""Booking a restaurant table for one person, cancelling it, and listing theirs (story 5.6).

The flow of a booking: a valid Resy token -> the restaurant's Resy venue -> its open tables
that day -> the table at the asked time -> its details (the book token) -> book, with the card
the person keeps at Resy -> Concierge's own record and a visit -> the confirmation. Each step
turns what can go wrong into something the person can act on: the table went -> the nearest
open times; the login lapsed -> logged in again and asked once more (the auth manager does it
inside the client); a captcha -> the resy.com page to finish on; a card needed -> the one on
file, else what to add where.

Everything runs as one person: their ``ResyAuthManager`` (their own encrypted login) and their
own rows; nothing here can reach another person's bookings or login.

Like the dining service, these take the ``Database``, not a session: Resy's calls are paced
1-3 s apart, and no transaction may stay open across them (a SQLite write lock would stall
every other writer). Concierge's own rows are read and written in short units of work around
the calls. Resy stays the source of truth: a table booked there whose record could not be
written here still shows in ``my_reservations``, which merges Resy's own list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concierge import events
from concierge.credentials import StoredCredentials
from concierge.db import Database
from concierge.dining import cards, confirmation
from concierge.dining.booking_schemas import (
    BookingConfirmation,
    BookingTerms,
    Cancellation,
    LoginSaved,
    MyReservations,
    TableBooking,
)
from concierge.dining.dates import resolve
from concierge.dining.errors import ResyLoginRequired, from_resy
from concierge.dining.matching import VenueMatcher
from concierge.dining.names import name_key, name_score
from concierge.dining.schemas import clock_text, day_text
from concierge.dining.seating import best as best_seating
from concierge.dining.seating import matches as seating_ok
from concierge.dining.service import MAX_PARTY, DiningService
from concierge.errors import ConciergeError, InvalidRequest, NotFound
from concierge.integrations.resy import errors as resy_errors
from concierge.integrations.resy.auth import ResyAuthManager
from concierge.integrations.resy.client import ResyClient
from concierge.integrations.resy.schemas import (
    Availability,
    BookingDetails,
    PaymentMethod,
    Reservation,
    Slot,
)
from concierge.models import DiningReservation, DiningStatus, DiningVisit, Restaurant, User
from concierge.timezones import zone

# How close a restaurant name must be to the one booked to count as "that restaurant".
SAME_RESTAURANT = 80.0
ALTERNATIVES = 3
CONFIRM_PURPOSE = "dining-confirmation"


class TableUnavailable(ConciergeError):
    """No table at the asked time; ``extra['alternatives']`` holds the nearest open ones."""

    status, code, title = 409, "table_unavailable", "Table unavailable"


class NotOnResy(ConciergeError):
    status, code, title = 404, "not_on_resy", "Not on Resy"


class PaymentMethodRequired(ConciergeError):
    status, code, title = 402, "payment_method_required", "Payment method required"


class DuplicateTable(ConciergeError):
    """The person already holds a table there that day; ``extra['existing']`` lists them."""

    status, code, title = 409, "duplicate_table", "Table already booked that day"


LOGIN_AGAIN = (
    "Resy no longer accepts your saved login, even after logging in again. Save it again with "
    "store_resy_credentials (or `concierge resy login`)."
)
NO_LOGIN = (
    "Concierge has no Resy login for you yet: save it with store_resy_credentials(email, "
    "password) (or `concierge resy login`), then ask again."
)


def translate(error: resy_errors.ResyError) -> ConciergeError:
    """A Resy failure as a domain error whose message says what to do next."""
    if isinstance(error, resy_errors.AuthExpired | resy_errors.BadCredentials):
        return ResyLoginRequired(LOGIN_AGAIN)
    return from_resy(error)


# ------------------------------------------------------------------------------- the login


async def save_login(auth: ResyAuthManager, email: str, password: str) -> LoginSaved:
    """Log in to Resy with the person's email and password; on success keep the login
    (encrypted) and report the card bookings will use. Nothing is kept when it fails."""
    if not email.strip() or "@" not in email:
        raise InvalidRequest("Give the email address of your Resy account.", field="email")
    if not password:
        raise InvalidRequest("Give the password of your Resy account.", field="password")
    try:
        login = await auth.login(email.strip(), password)
    except resy_errors.BadCredentials as exc:
        raise ResyLoginRequired(
            "Resy rejected that email or password, so nothing was saved. Check them on "
            "resy.com and try again."
        ) from exc
    except resy_errors.ResyError as exc:
        raise translate(exc) from exc
    card = login.default_payment_method()
    return LoginSaved(email=email.strip(), payment_method=card.label if card else None)


# ----------------------------------------------------------------------------------- booking


async def make_reservation(
    db: Database,
    *,
    dining: DiningService,
    auth: ResyAuthManager,
    user: User,
    restaurant: str,
    date_text: str,
    time_text: str,
    party_size: int,
    special_requests: str | None,
    now: datetime,
    allow_duplicate: bool = False,
    seating: str | None = None,
    slot_token: str | None = None,
    card: str | None = None,
    confirmation_token: str | None = None,
) -> BookingConfirmation:
    """Book the table at ``restaurant`` on ``date_text`` at ``time_text`` (words a person
    uses: "Saturday", "7pm") for ``party_size`` on the person's Resy account, and keep
    Concierge's record of it.

    Two calls: without ``confirmation_token`` nothing is booked, the answer is a preview of
    the exact terms (the seating, the card, what is charged, the cancellation fee and its
    deadline) with a token; with the token, the terms are read again and the table is booked
    only if they are still the ones previewed, else the answer is a fresh preview.

    ``seating`` picks the table kind ("Bar", "Patio"; see dining/seating.py), ``slot_token``
    the very table check_availability listed, ``card`` a saved card other than the default.

    Unless ``allow_duplicate``, a table the person already holds there that day (in
    Concierge's records or Resy's own list) stops it: the same time and party is the answer
    (a retry after a lost answer; recorded here if Concierge had no row), any other is
    refused, named."""
    if not 1 <= party_size <= MAX_PARTY:
        raise InvalidRequest(f"Party size must be between 1 and {MAX_PARTY}.", field="party_size")
    saved = _stored(auth)
    when = resolve(date_text, time_text, now=now, tz=zone(user.timezone))
    at = when.time
    if at is None:
        raise InvalidRequest("Say at what time, e.g. 19:00 or 7:30 PM.", field="time")
    if when.day < now.astimezone(zone(user.timezone)).date():
        raise InvalidRequest(f"{day_text(when.day)} has passed; pick a later date.", field="date")
    resy = auth.client()
    try:
        await auth.ensure_valid_token()
        place = await dining.find_restaurant(db, restaurant, now=now)
        venue_id = await VenueMatcher(db, resy, now=now).find_resy_venue(place)
        if venue_id is None:
            raise NotOnResy(
                f"{place.name} is not on Resy, so Concierge cannot book it. Book with the "
                "restaurant directly.",
                place_id=place.place_id,
            )
        if not allow_duplicate:
            same = await existing_table(
                db, resy, user, venue_id, when.day, place.name,
                is_this_one=lambda h: _same_table(h, at, party_size),
            )  # fmt: skip
            if same is not None:
                return await _already_booked(db, same, user, place, saved, now)
        availability = await resy.find(venue_id, when.day, party_size)
        time_zone = (
            availability.venue.time_zone if availability.venue else None
        ) or place.time_zone
        slot = _slot_at(availability, at, seating, slot_token)
        if slot is None:
            raise _unavailable(place.name, when.day, at, party_size, availability, seating=seating)
        chosen: tuple[int, str] | None = None
        try:
            details = await resy.details(slot, party_size)
            methods = details.payment_methods
            if card and not methods:
                methods = (await resy.current_user()).payment_methods
            chosen = _card(saved, methods, card)
            terms = _terms(venue_id, slot, details, chosen, special_requests)
            if terms.cancellation_fee and chosen is None:
                raise _card_needed(place.name, None)
            key = auth.signing_key(CONFIRM_PURPOSE)
            # Everything the preview says is signed: the table as well as its terms.
            shown = {
                **terms.model_dump(mode="json"),
                "place_id": place.place_id,
                "starts": slot.start.isoformat(),
                "party_size": party_size,
            }
            verdict = None
            if confirmation_token is not None:
                verdict = confirmation.check(
                    key, confirmation_token, person=user.id, action="book", terms=shown, now=now
                )
            if verdict is not confirmation.Verdict.VALID:
                token, expires = confirmation.issue(
                    key, person=user.id, action="book", terms=shown, now=now
                )
                return BookingConfirmation(
                    restaurant=place.name,
                    day=when.day,
                    time=slot.start.time(),
                    time_zone=time_zone,
                    party_size=party_size,
                    table_type=slot.type,
                    confirmation=None,
                    special_requests=terms.special_requests,
                    status="preview",
                    email=saved.email,
                    booked=False,
                    confirmation_token=token,
                    confirmation_expires=expires,
                    terms=terms,
                    terms_changed=verdict is not None,
                )
            booking = await resy.book(details, payment_method_id=chosen[0] if chosen else None)
        except resy_errors.SlotTaken as exc:
            fresh = await resy.find(venue_id, when.day, party_size)
            raise _unavailable(
                place.name, when.day, at, party_size, fresh, slot, seating=seating
            ) from exc
        except resy_errors.PaymentRequired as exc:
            raise _card_needed(place.name, chosen[1] if chosen else None) from exc
    except resy_errors.ResyError as exc:
        raise translate(exc) from exc
    table = Reservation(
        resy_token=booking.resy_token,
        reservation_id=booking.reservation_id,
        day=when.day,
        time=slot.start.time(),
        num_seats=party_size,
        venue_id=venue_id,
        time_zone=time_zone,
        config_type=slot.type,
        special_request=(special_requests or "").strip() or None,
    )
    row = await _record(db, table, user, place, now)
    return BookingConfirmation(**_booking(row).model_dump(), email=saved.email)


async def _record(
    db: Database, held: Reservation, user: User, place: Restaurant, now: datetime
) -> DiningReservation:
    """Keep Concierge's record of a table Resy holds for the person at ``place``, and the
    visit it makes, in one unit of work."""
    time_zone = held.time_zone or place.time_zone
    row = DiningReservation(
        user_id=user.id,
        platform="resy",
        platform_token=held.resy_token,
        confirmation=str(held.reservation_id) if held.reservation_id else None,
        venue_id=held.venue_id,
        place_id=place.place_id,
        restaurant_name=place.name,
        day=held.day,
        time=held.time,
        time_zone=time_zone,
        starts_at=_instant(held.day, held.time, time_zone, user),
        party_size=held.num_seats,
        table_type=held.config_type,
        special_requests=held.special_request,
        status=DiningStatus.CONFIRMED,
        booked_at=now,
    )
    async with db.unit_of_work() as session:
        session.add(row)
        await session.flush()
        session.add(
            DiningVisit(
                user_id=row.user_id,
                reservation_id=row.id,
                venue_id=row.venue_id,
                place_id=row.place_id,
                restaurant_name=row.restaurant_name,
                day=row.day,
                party_size=row.party_size,
                created_at=row.booked_at,
            )
        )
        events.notify(session, _notice("booked", row, now))
    return row


def _notice(kind: str, row: DiningReservation, now: datetime) -> events.Notice:
    """What a webhook of the person is told of their restaurant booking."""
    data = {
        "restaurant_booking": {
            "id": row.id,
            "platform": row.platform,
            "confirmation": row.confirmation,
            "restaurant_name": row.restaurant_name,
            "day": row.day.isoformat(),
            "time": row.time.isoformat(),
            "party_size": row.party_size,
            "status": str(row.status),
        }
    }
    return events.Notice(f"restaurant_booking.{kind}", frozenset({row.user_id}), data, now)


# A table the person holds: Concierge's record, or one Resy lists that Concierge has no row for.
Held = DiningReservation | Reservation


async def _held(db: Database, resy: ResyClient, user: User, venue_id: int, day: date) -> list[Held]:
    """The tables the person holds at ``venue_id`` on ``day``: Concierge's records (Resy's
    list may not show a table booked a moment ago) and Resy's list (a table whose answer was
    lost, or booked in the Resy app)."""
    async with db.unit_of_work(write=False) as session:
        rows: list[Held] = list(
            await session.scalars(
                select(DiningReservation).where(
                    DiningReservation.user_id == user.id,
                    DiningReservation.status == DiningStatus.CONFIRMED,
                    DiningReservation.venue_id == venue_id,
                    DiningReservation.day == day,
                )
            )
        )
    known = {row.platform_token for row in rows if isinstance(row, DiningReservation)}
    rows += [r for r in await resy.reservations_at(venue_id, day) if r.resy_token not in known]
    return rows


async def existing_table(
    db: Database,
    resy: ResyClient,
    user: User,
    venue_id: int,
    day: date,
    name: str,
    *,
    is_this_one: Callable[[Held], bool],
) -> Held | None:
    """The one-table-a-day rule: the table the person already holds at ``venue_id`` on
    ``day`` that this request is asking for (``is_this_one``: it is the answer, and nothing is
    booked), or None when they hold none there; any other table they hold refuses the request,
    by name (``DuplicateTable``)."""
    held = await _held(db, resy, user, venue_id, day)
    same = next((h for h in held if is_this_one(h)), None)
    if same is None and held:
        raise _duplicate(name, day, held)
    return same


def _same_table(held: Held, at: time, party_size: int) -> bool:
    if isinstance(held, DiningReservation):
        return held.time == at and held.party_size == party_size
    return held.time == at and held.num_seats == party_size


def _held_booking(held: Held) -> TableBooking:
    return _booking(held) if isinstance(held, DiningReservation) else _from_resy(held)


async def _already_booked(
    db: Database,
    held: Held,
    user: User,
    place: Restaurant,
    saved: StoredCredentials,
    now: datetime,
) -> BookingConfirmation:
    """The table asked for is already the person's: answer with it, recording it here first
    when only Resy knew of it, and book nothing."""
    row = held if isinstance(held, DiningReservation) else await _record(db, held, user, place, now)
    return BookingConfirmation(**_booking(row).model_dump(), email=saved.email, already_booked=True)


def _duplicate(name: str, day: date, held: Sequence[Held]) -> DuplicateTable:
    tables = sorted((_held_booking(h) for h in held), key=lambda b: b.time)
    listed = "; ".join(
        f"{clock_text(b.time)}, party of {b.party_size}, confirmation "
        f"{b.confirmation or 'in your Resy account'}"
        for b in tables
    )
    return DuplicateTable(
        f"You already have a table at {name} on {day_text(day)}: {listed}. Nothing new was "
        "booked. To change the time or party, cancel_reservation that one first, then book; "
        "to hold a second table there that day as well, call make_reservation again with "
        "allow_duplicate=true.",
        existing=[
            {
                "time": b.time.isoformat(timespec="minutes"),
                "party_size": b.party_size,
                "confirmation": b.confirmation,
            }
            for b in tables
        ],
    )


def _stored(auth: ResyAuthManager) -> StoredCredentials:
    saved = auth.stored()
    if saved is None:
        raise ResyLoginRequired(NO_LOGIN)
    return saved


def _card(
    saved: StoredCredentials, methods: Sequence[PaymentMethod], wanted: str | None = None
) -> tuple[int, str] | None:
    """(id, label) of the card to book with: the one the person named, else the default kept
    with the login (the one Resy marked default at login, or set_default_card's), else the
    one Resy marks default among those details lists (a card added on resy.com after the
    login was saved)."""
    if wanted and wanted.strip():
        found = cards.pick(methods, wanted)
        if found is None:
            raise InvalidRequest(
                f"No single card on your Resy account matches {wanted.strip()!r}. Your cards: "
                f"{cards.listing(methods)}. Name one by its brand or last four digits.",
                field="card",
            )
        return found.id, found.label
    if saved.payment_method_id is not None:
        return saved.payment_method_id, saved.payment_method_label or "the card on file"
    chosen = next((m for m in methods if m.is_default), methods[0] if methods else None)
    return (chosen.id, chosen.label) if chosen else None


def _slot_at(
    availability: Availability,
    at: time,
    wanted: str | None = None,
    token: str | None = None,
) -> Slot | None:
    """The open table the person means: the very one check_availability listed (``token``),
    else the one at exactly ``at`` of the seating asked for; without a seating, the dining
    room before the bar when both are free."""
    if token and token.strip():
        return next((s for s in availability.slots if s.token == token.strip()), None)
    matching = [s for s in availability.slots if s.start.time() == at]
    if wanted and wanted.strip():
        kind = best_seating([s.type for s in matching], wanted)
        return next((s for s in matching if s.type == kind), None) if kind else None
    matching.sort(key=lambda s: (s.type or "") != "Dining Room")
    return matching[0] if matching else None


def _terms(
    venue_id: int,
    slot: Slot,
    details: BookingDetails,
    card: tuple[int, str] | None,
    special_requests: str | None,
) -> BookingTerms:
    """What booking this table commits the person to, as Resy's details state it."""
    deadline = details.cancellation_cut_off
    if deadline is not None and deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)  # Resy's stamps without an offset are UTC
    amounts = details.amounts
    charged = amounts.get("total", amounts.get("reservation_charge"))
    return BookingTerms(
        venue_id=venue_id,
        table_type=slot.type,
        card=card[1] if card else None,
        card_id=card[0] if card else None,
        deposit=float(charged) if isinstance(charged, int | float) else None,
        cancellation_fee=details.cancellation_fee or slot.cancellation_fee or None,
        cancellation_deadline=deadline,
        cancellation_policy=details.cancellation_policy,
        special_requests=(special_requests or "").strip() or None,
        # No public Resy client sends a note with /3/book (its form is book_token,
        # struct_payment_method, source_id): the note stays in Concierge, said before booking.
        special_requests_sent=False,
    )


def _unavailable(
    name: str,
    day: date,
    at: time,
    party_size: int,
    availability: Availability,
    gone: Slot | None = None,
    *,
    seating: str | None = None,
) -> TableUnavailable:
    """No table at ``at`` (or ``gone`` went meanwhile): name the nearest open ones instead,
    of the seating asked for first."""
    target = datetime.combine(day, at)
    others = [
        s
        for s in availability.slots
        if gone is None or (s.start, s.type) != (gone.start, gone.type)
    ]
    nearest = sorted(
        others,
        key=lambda s: (not seating_ok(s.type, seating), abs(s.start - target), s.start),
    )[:ALTERNATIVES]
    nearest.sort(key=lambda s: s.start)
    asked = f"{seating.strip()} " if seating and seating.strip() else ""
    what = f"The {clock_text(at)} {asked}table" if gone else f"A {asked}table at {clock_text(at)}"
    if not nearest:
        return TableUnavailable(
            f"{what} at {name} on {day_text(day)} is not available, and no other table for "
            f"{party_size} is open that day. Try another day or another restaurant.",
            alternatives=[],
        )
    listed = ", ".join(f"{clock_text(s.start)} ({s.type or 'Table'})" for s in nearest)
    return TableUnavailable(
        f"{what} at {name} on {day_text(day)} is no longer available. Nearest open tables for "
        f"{party_size}: {listed}. Ask which one they want, then book it.",
        alternatives=[
            {"time": s.start.time().isoformat(timespec="minutes"), "table_type": s.type}
            for s in nearest
        ],
    )


def _card_needed(name: str, label: str | None) -> PaymentMethodRequired:
    if label:
        return PaymentMethodRequired(
            f"{name} holds tables with a card, and Resy refused the card on file ({label}). "
            "Check it in your Resy account (resy.com > Account > Payment methods), save your "
            "login again with store_resy_credentials, then book again."
        )
    return PaymentMethodRequired(
        f"{name} holds tables with a card, and your Resy account has none. Add one on "
        "resy.com (Account > Payment methods), save your login again with "
        "store_resy_credentials so Concierge sees it, then book again."
    )


def _instant(day: date, at: time, time_zone: str | None, user: User) -> datetime:
    tz: ZoneInfo = zone(time_zone or user.timezone)
    return datetime.combine(day, at, tz)


def _booking(row: DiningReservation) -> TableBooking:
    return TableBooking(
        restaurant=row.restaurant_name,
        day=row.day,
        time=row.time,
        time_zone=row.time_zone,
        party_size=row.party_size,
        table_type=row.table_type,
        confirmation=row.confirmation,
        special_requests=row.special_requests,
        status=row.status,
    )


# -------------------------------------------------------------------------------- cancelling


async def cancel_reservation(
    db: Database,
    *,
    auth: ResyAuthManager,
    user: User,
    restaurant_name: str | None,
    confirmation_id: str | None,
    now: datetime,
    confirmation_token: str | None = None,
) -> Cancellation:
    """Cancel at Resy the reservation named by its confirmation (number or Resy token), or
    the soonest upcoming one at ``restaurant_name``; mark Concierge's record cancelled.

    Two calls, like booking: without ``confirmation_token`` the answer is a preview naming the
    table and the fee Resy lists for it, with a token; with it, the table is cancelled if it
    and its fee are still the ones previewed, else the answer is a fresh preview."""
    wanted = (confirmation_id or "").strip()
    name = (restaurant_name or "").strip()
    if not wanted and not name:
        raise InvalidRequest(
            "Say which reservation to cancel: its confirmation number, or the restaurant."
        )
    _stored(auth)
    async with db.unit_of_work(write=False) as session:
        row = await _local(session, user, wanted, name, now)
    resy = auth.client()
    try:
        elsewhere = None if row is not None else await _at_resy(resy, wanted, name)
        token = row.platform_token if row else elsewhere.resy_token if elsewhere else None
        if token is None:
            what = f"with confirmation {wanted}" if wanted else f"at {name}"
            raise NotFound(
                f"You have no upcoming reservation {what}. my_reservations lists the ones you have."
            )
        current = elsewhere or await resy.reservation(token)
        fee = current.cancellation_fee if current is not None else None
        found = _from_resy(elsewhere) if elsewhere is not None else _booking(row) if row else None
        assert found is not None
        shown = {
            "resy_token": token,
            "day": found.day.isoformat(),
            "time": found.time.isoformat(),
            "party_size": found.party_size,
            "cancellation_fee": fee,
            "cancellation_allowed": current.cancellation_allowed if current else None,
        }
        key = auth.signing_key(CONFIRM_PURPOSE)
        verdict = None
        if confirmation_token is not None:
            verdict = confirmation.check(
                key, confirmation_token, person=user.id, action="cancel", terms=shown, now=now
            )
        if verdict is not confirmation.Verdict.VALID:
            issued, expires = confirmation.issue(
                key, person=user.id, action="cancel", terms=shown, now=now
            )
            return Cancellation(
                **{**found.model_dump(), "cancellation_fee": fee},
                cancelled=False,
                confirmation_token=issued,
                confirmation_expires=expires,
                terms_changed=verdict is not None,
            )
        try:
            refunded = await resy.cancel(token)
        except resy_errors.NotFound:
            refunded = None  # Resy no longer has it: it was cancelled there already.
    except resy_errors.ResyError as exc:
        raise translate(exc) from exc
    if row is None:
        assert elsewhere is not None
        return Cancellation(
            **_from_resy(elsewhere).model_dump(exclude={"status", "cancellation_fee"}),
            status=DiningStatus.CANCELLED,
            refunded=refunded,
            cancellation_fee=fee,
        )
    async with db.unit_of_work() as session:
        await session.execute(
            update(DiningReservation)
            .where(DiningReservation.id == row.id)
            .values(status=DiningStatus.CANCELLED, cancelled_at=now)
        )
        await session.execute(delete(DiningVisit).where(DiningVisit.reservation_id == row.id))
        row.status, row.cancelled_at = DiningStatus.CANCELLED, now
        events.notify(session, _notice("cancelled", row, now))
    return Cancellation(
        **_booking(row).model_dump(exclude={"cancellation_fee"}),
        refunded=refunded,
        cancellation_fee=fee,
    )


async def _local(
    session: AsyncSession, user: User, wanted: str, name: str, now: datetime
) -> DiningReservation | None:
    mine = select(DiningReservation).where(
        DiningReservation.user_id == user.id,
        DiningReservation.status == DiningStatus.CONFIRMED,
    )
    if wanted:
        return await session.scalar(
            mine.where(
                (DiningReservation.confirmation == wanted)
                | (DiningReservation.platform_token == wanted)
            )
        )
    upcoming = await session.scalars(
        mine.where(DiningReservation.starts_at >= now).order_by(DiningReservation.starts_at)
    )
    key = name_key(name)
    return next(
        (r for r in upcoming if name_score(key, name_key(r.restaurant_name)) >= SAME_RESTAURANT),
        None,
    )


async def _at_resy(resy: ResyClient, wanted: str, name: str) -> Reservation | None:
    """A reservation made outside Concierge, found in the person's own Resy list."""
    page = await resy.my_reservations(upcoming=True, limit=100)
    rows = [r for r in page.reservations if not r.cancelled]
    if wanted:
        return next((r for r in rows if wanted in {r.resy_token, str(r.reservation_id)}), None)
    key = name_key(name)
    return next(
        (
            r
            for r in sorted(rows, key=lambda r: (r.day, r.time))
            if r.venue_name and name_score(key, name_key(r.venue_name)) >= SAME_RESTAURANT
        ),
        None,
    )


# ----------------------------------------------------------------------------------- listing


async def my_reservations(
    db: Database,
    *,
    auth: ResyAuthManager,
    user: User,
    now: datetime,
    include_past: bool = False,
    include_cancelled: bool = False,
) -> MyReservations:
    """The person's tables, soonest first: Concierge's records merged with Resy's own list,
    so a booking made in the Resy app shows up too, each with the cancellation terms Resy
    lists. Upcoming confirmed ones unless ``include_past`` (then the past ones too, latest
    last) or ``include_cancelled``. Without a login, or when Resy does not answer,
    Concierge's records alone, saying so."""
    wanted = select(DiningReservation).where(DiningReservation.user_id == user.id)
    if not include_cancelled:
        wanted = wanted.where(DiningReservation.status == DiningStatus.CONFIRMED)
    if not include_past:
        wanted = wanted.where(DiningReservation.starts_at >= now)
    async with db.unit_of_work(write=False) as session:
        rows = list(await session.scalars(wanted.order_by(DiningReservation.starts_at)))
    items = {r.platform_token: (r.starts_at, _booking(r)) for r in rows}
    note = None
    checked = False
    if auth.stored() is None:
        note = "Resy was not checked: no Resy login is saved (store_resy_credentials)."
    else:
        try:
            page = await auth.client().my_reservations(upcoming=not include_past, limit=100)
            checked = True
        except resy_errors.ResyError as exc:
            note = f"Resy's own list could not be read ({translate(exc).detail})"
        else:
            for found in page.reservations:
                starts = _instant(found.day, found.time, found.time_zone, user)
                terms = {
                    "cancellation_fee": found.cancellation_fee,
                    "cancellation_allowed": found.cancellation_allowed,
                }
                if found.resy_token in items:
                    at, known = items[found.resy_token]
                    items[found.resy_token] = (at, known.model_copy(update=terms))
                    continue
                if (found.cancelled and not include_cancelled) or (
                    starts < now and not include_past
                ):
                    continue
                items[found.resy_token] = (starts, _from_resy(found).model_copy(update=terms))
    ordered = [booking for _, booking in sorted(items.values(), key=lambda pair: pair[0])]
    for booking in ordered:
        starts = _instant(booking.day, booking.time, booking.time_zone, user)
        booking.past = starts < now
    return MyReservations(
        items=ordered,
        checked_resy=checked,
        note=note,
        include_past=include_past,
        include_cancelled=include_cancelled,
    )


def _from_resy(found: Reservation) -> TableBooking:
    return TableBooking(
        restaurant=found.venue_name or f"Resy venue {found.venue_id}",
        day=found.day,
        time=found.time,
        time_zone=found.time_zone,
        party_size=found.num_seats,
        table_type=found.config_type,
        confirmation=str(found.reservation_id) if found.reservation_id else None,
        special_requests=found.special_request,
        status=found.status,
        booked_through="resy",
    )


__all__ = [
    "DuplicateTable",
    "NotOnResy",
    "PaymentMethodRequired",
    "TableUnavailable",
    "cancel_reservation",
    "make_reservation",
    "my_reservations",
    "save_login",
]
