"""REST: the venue's mirrored ResyOS book, for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from concierge.api.deps import ClockDep, CurrentUser, Session, SettingsDep
from concierge.api.pagination import (
    Cursor,
    Limit,
    Page,
    an_id,
    an_instant,
    decode_cursor,
    encode_cursor,
)
from concierge.api.problems import documented
from concierge.errors import InvalidRequest
from concierge.timezones import render, zone
from concierge.validation import Day
from concierge.venue_sync import service
from concierge.venue_sync.mirror import MirroredReservation
from concierge.venue_sync.schemas import GuestOut, VenueReservationOut

router = APIRouter(prefix="/v1/venue", tags=["venue"])

STATES = {"booked", "cancelled", "vanished"}


def _after(cursor: str | None) -> tuple[datetime, int] | None:
    position = decode_cursor(cursor, an_instant, an_id)
    return None if position is None else (position[0], position[1])


def _view(row: MirroredReservation, tz: ZoneInfo | None) -> VenueReservationOut:
    r, g = row.reservation, row.guest
    guest = None
    if g is not None and g.raw is not None:
        name = " ".join(part for part in (g.first_name, g.last_name) if part) or None
        guest = GuestOut(
            user_id=g.user_id, first_name=g.first_name, last_name=g.last_name, name=name
        )
    return VenueReservationOut(
        id=r.resyos_id,
        venue_id=r.venue_id,
        booked_at=render(r.booked_at, tz) if r.booked_at else None,
        booked_local=r.booked_local,
        seats=r.seats,
        state=r.state,
        is_cancelled=r.is_cancelled,
        vanished_at=render(r.vanished_at, tz) if r.vanished_at else None,
        user_id=r.user_id,
        guest=guest,
        last_updated=render(r.last_updated, tz),
        last_synced_at=render(r.last_synced_at, tz),
    )


@router.get(
    "/reservations",
    responses=documented(
        401, 403, 422, s422=["invalid_request", "invalid_cursor", "range_too_long"]
    ),
)
async def venue_reservations(
    session: Session,
    actor: CurrentUser,
    settings: SettingsDep,
    clock: ClockDep,
    first: Annotated[
        Day | None, Query(alias="from", description="First venue-local date; default today")
    ] = None,
    last: Annotated[
        Day | None,
        Query(alias="to", description="Last venue-local date, inclusive; default from + 6 days"),
    ] = None,
    state: Annotated[
        str | None,
        Query(max_length=40, description="Comma-separated: booked, cancelled, vanished"),
    ] = None,
    venue_id: Annotated[
        str | None,
        Query(max_length=64, description="Default CONCIERGE_RESYOS_VENUE_ID"),
    ] = None,
    tz: Annotated[
        str | None, Query(max_length=64, description="IANA zone to render instants in")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[VenueReservationOut]:
    """The venue's reservations as mirrored from ResyOS (admins only), by booked time, with
    guest names. Dates are the venue's own (CONCIERGE_RESYOS_TIMEZONE). Cancelled and vanished
    reservations are listed too, with their ``state``; filter with ``state``."""
    service.require_admin(actor)
    states = [s.strip() for s in state.split(",") if s.strip()] if state else None
    if states and not set(states) <= STATES:
        raise InvalidRequest("state: use booked, cancelled and/or vanished.", field="state")
    _, rows = await service.read_book(
        session,
        settings,
        today_at=clock.now(),
        venue_id=venue_id,
        first=first,
        last=last,
        states=states,
        limit=limit,
        after=_after(cursor),
    )
    more = len(rows) > limit
    rows = rows[:limit]
    view_tz = zone(tz) if tz else None
    next_cursor = None
    if more:
        tail = rows[-1].reservation
        assert tail.booked_at is not None
        next_cursor = encode_cursor([tail.booked_at.isoformat(), tail.id])
    return Page(items=[_view(row, view_tz) for row in rows], next_cursor=next_cursor)
