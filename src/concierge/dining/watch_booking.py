"""Booking the table a watch saw open, with the dining booking rules (``dining.booking``).

The same steps as ``make_reservation`` from the open table on (details, the card, book,
Concierge's record and visit), without finding the restaurant again: the watch knows its
venue, and a release is a race. The same duplicate rule comes first: a table the person
already holds there that day (Concierge's record, or Resy's own list) stops it. One held
inside the watch's window and party is taken as the watch's own (booked by this watch before
a crash or a lost answer, or by the person meanwhile): the watch is then done and books
nothing; any other is refused by name, as make_reservation would.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from concierge.db import Database
from concierge.dining import booking
from concierge.dining.booking import TableUnavailable
from concierge.integrations.resy import errors as resy_errors
from concierge.integrations.resy.auth import ResyAuthManager
from concierge.integrations.resy.schemas import Reservation, Slot
from concierge.models import DiningReservation, DiningWatch, Restaurant, User


async def place_of(db: Database, watch: DiningWatch) -> Restaurant:
    """The restaurant cache's row for the watch's place, or a stand-in made from the watch
    (a booking outlives the cache)."""
    if watch.place_id:
        async with db.unit_of_work(write=False) as session:
            row = await session.scalar(
                select(Restaurant).where(Restaurant.place_id == watch.place_id)
            )
        if row is not None:
            return row
    return Restaurant(
        place_id=watch.place_id, name=watch.restaurant_name, time_zone=watch.time_zone
    )


async def book_open_table(
    db: Database,
    *,
    auth: ResyAuthManager,
    user: User,
    watch: DiningWatch,
    slot: Slot,
    now: datetime,
) -> tuple[DiningReservation, bool]:
    """Book ``slot`` for ``watch``; (Concierge's record, whether it was booked just now)."""
    saved = booking._stored(auth)
    place = await place_of(db, watch)
    resy = auth.client()
    at = slot.start.time()
    try:
        mine = await booking.existing_table(
            db, resy, user, watch.venue_id, watch.day, place.name,
            is_this_one=lambda h: _in_window(h, watch),
        )  # fmt: skip
        if isinstance(mine, DiningReservation):
            return mine, False
        if mine is not None:
            return await booking._record(db, mine, user, place, now), False
        card: tuple[int, str] | None = None
        try:
            details = await resy.details(slot, watch.party_size)
            card = booking._card(saved, details.payment_methods)
            made = await resy.book(details, payment_method_id=card[0] if card else None)
        except resy_errors.SlotTaken as exc:
            raise TableUnavailable(
                f"The {at:%H:%M} table went before it could be booked.", alternatives=[]
            ) from exc
        except resy_errors.PaymentRequired as exc:
            raise booking._card_needed(place.name, card[1] if card else None) from exc
    except resy_errors.ResyError as exc:
        raise booking.translate(exc) from exc
    table = Reservation(
        resy_token=made.resy_token,
        reservation_id=made.reservation_id,
        day=watch.day,
        time=at,
        num_seats=watch.party_size,
        venue_id=watch.venue_id,
        time_zone=watch.time_zone,
        config_type=slot.type,
        special_request=watch.special_requests,
    )
    return await booking._record(db, table, user, place, now), True


def _in_window(held: booking.Held, watch: DiningWatch) -> bool:
    seats = held.party_size if isinstance(held, DiningReservation) else held.num_seats
    return watch.earliest <= held.time <= watch.latest and seats == watch.party_size
