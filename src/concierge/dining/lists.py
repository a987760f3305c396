"""The person's lists at Resy, by restaurant name: favorites ("hit list") and Priority Notify
(Resy tells them when a table opens for a day, a party size and a time window).

A restaurant named by the person is found as booking finds it (Google, then its Resy venue);
Resy keeps the lists, so the Resy app shows the same ones.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time

from pydantic import BaseModel, Field

from concierge.db import Database
from concierge.dining.booking import NO_LOGIN, NotOnResy, translate
from concierge.dining.dates import parse_time, resolve
from concierge.dining.errors import ResyLoginRequired
from concierge.dining.matching import VenueMatcher
from concierge.dining.schemas import WallClockTime, clock_text, day_text
from concierge.dining.service import MAX_PARTY, DiningService
from concierge.errors import InvalidRequest, NotFound
from concierge.integrations.resy import errors as resy_errors
from concierge.integrations.resy.auth import ResyAuthManager
from concierge.integrations.resy.client import ResyClient
from concierge.integrations.resy.lists_schemas import Favorite, NotifyRequest
from concierge.models import User
from concierge.timezones import zone

DEFAULT_START, DEFAULT_END = time(18, 0), time(21, 0)


class FavoriteVenue(BaseModel):
    venue_id: int
    name: str
    cuisine: str | None = None
    neighborhood: str | None = None
    locality: str | None = None
    price_range: int | None = Field(default=None, description="1 ($) to 4 ($$$$)")

    def line(self) -> str:
        where = ", ".join(p for p in (self.neighborhood, self.locality) if p)
        facts = " · ".join(p for p in (self.cuisine, where, "$" * (self.price_range or 0)) if p)
        return f"{self.name}" + (f" ({facts})" if facts else "")


class Favorites(BaseModel):
    items: list[FavoriteVenue]
    note: str | None = None

    def text(self) -> str:
        lines = (
            ["Your favorite restaurants on Resy:", *(f"- {f.line()}" for f in self.items)]
            if self.items
            else ["You have no favorite restaurants on Resy."]
        )
        return "\n".join([*([self.note] if self.note else []), *lines])


class NotifyItem(BaseModel):
    notify_id: int
    venue_id: int
    restaurant: str | None = None
    day: date
    party_size: int
    start: WallClockTime | None = None
    end: WallClockTime | None = None

    def line(self) -> str:
        window = (
            f" between {clock_text(self.start)} and {clock_text(self.end)}"
            if self.start and self.end
            else ""
        )
        name = self.restaurant or f"Resy venue {self.venue_id}"
        return (
            f"{name}, {day_text(self.day)}{window}, party of {self.party_size} "
            f"(notify id {self.notify_id})"
        )


class NotifyList(BaseModel):
    items: list[NotifyItem]
    note: str | None = None

    def text(self) -> str:
        lines = (
            ["Your Priority Notify requests:", *(f"- {n.line()}" for n in self.items)]
            if self.items
            else ["You have no Priority Notify requests."]
        )
        return "\n".join([*([self.note] if self.note else []), *lines])


# ------------------------------------------------------------------------------ favorites


async def favorites(auth: ResyAuthManager, *, note: str | None = None) -> Favorites:
    resy = _client(auth)
    try:
        found = await resy.favorites()
    except resy_errors.ResyError as exc:
        raise translate(exc) from exc
    return Favorites(items=[_favorite(f) for f in found], note=note)


async def set_favorite(
    db: Database,
    *,
    dining: DiningService,
    auth: ResyAuthManager,
    restaurant: str,
    favorite: bool,
    now: datetime,
) -> Favorites:
    resy = _client(auth)
    try:
        name, venue_id = await _venue(db, dining, resy, restaurant, now)
        if not favorite and venue_id not in {f.venue_id for f in await resy.favorites()}:
            raise NotFound(f"{name} is not among your favorites; nothing was changed.")
        await resy.set_favorite(venue_id, favorite)
    except resy_errors.ResyError as exc:
        raise translate(exc) from exc
    said = f"Added {name} to your favorites." if favorite else f"Removed {name} from favorites."
    return await favorites(auth, note=said)


# ---------------------------------------------------------------------------- Priority Notify


async def notify_list(auth: ResyAuthManager, *, note: str | None = None) -> NotifyList:
    resy = _client(auth)
    try:
        found = await resy.notify_requests()
        names = {f.venue_id: f.name for f in await resy.favorites()} if found else {}
        for request in found:
            if request.venue_id not in names:
                with contextlib.suppress(resy_errors.NotFound):
                    names[request.venue_id] = (await resy.venue(request.venue_id)).name
    except resy_errors.ResyError as exc:
        raise translate(exc) from exc
    items = [_notify(n, names.get(n.venue_id)) for n in sorted(found, key=lambda n: n.day)]
    return NotifyList(items=items, note=note)


async def add_notify(
    db: Database,
    *,
    dining: DiningService,
    auth: ResyAuthManager,
    user: User,
    restaurant: str,
    date_text: str,
    party_size: int,
    earliest: str | None,
    latest: str | None,
    now: datetime,
) -> NotifyList:
    if not 1 <= party_size <= MAX_PARTY:
        raise InvalidRequest(f"Party size must be between 1 and {MAX_PARTY}.", field="party_size")
    tz = zone(user.timezone)
    day = resolve(date_text, None, now=now, tz=tz).day
    if day < now.astimezone(tz).date():
        raise InvalidRequest(f"{day_text(day)} has passed; pick a later date.", field="date")
    start = parse_time(earliest) if earliest and earliest.strip() else DEFAULT_START
    end = parse_time(latest) if latest and latest.strip() else DEFAULT_END
    if end <= start:
        raise InvalidRequest(
            f"The window must end after it starts ({clock_text(start)} to {clock_text(end)}).",
            field="latest",
        )
    resy = _client(auth)
    try:
        name, venue_id = await _venue(db, dining, resy, restaurant, now)
        asked = (venue_id, day, party_size, start, end)
        held = {
            (n.venue_id, n.day, n.party_size, n.start, n.end) for n in await resy.notify_requests()
        }
        if asked not in held:  # asking twice is one request
            await resy.add_notify(venue_id, day, party_size, start, end)
    except resy_errors.ResyError as exc:
        raise translate(exc) from exc
    said = (
        f"Resy will tell you when a table for {party_size} opens at {name} on {day_text(day)} "
        f"between {clock_text(start)} and {clock_text(end)}. Nothing is booked by it."
    )
    return await notify_list(auth, note=said)


async def remove_notify(auth: ResyAuthManager, notify_id: int) -> NotifyList:
    resy = _client(auth)
    try:
        if notify_id not in {n.notify_id for n in await resy.notify_requests()}:
            raise NotFound(
                f"You have no Priority Notify request {notify_id}; list_priority_notify shows "
                "the ones you have."
            )
        await resy.remove_notify(notify_id)
    except resy_errors.ResyError as exc:
        raise translate(exc) from exc
    return await notify_list(auth, note=f"Removed Priority Notify request {notify_id}.")


# ------------------------------------------------------------------------------------ shared


def _client(auth: ResyAuthManager) -> ResyClient:
    if auth.stored() is None:
        raise ResyLoginRequired(NO_LOGIN)
    return auth.client()


async def _venue(
    db: Database, dining: DiningService, resy: ResyClient, restaurant: str, now: datetime
) -> tuple[str, int]:
    place = await dining.find_restaurant(db, restaurant, now=now)
    venue_id = await VenueMatcher(db, resy, now=now).find_resy_venue(place)
    if venue_id is None:
        raise NotOnResy(f"{place.name} is not on Resy, so it has no Resy lists.")
    return place.name, venue_id


def _favorite(found: Favorite) -> FavoriteVenue:
    return FavoriteVenue(
        venue_id=found.venue_id,
        name=found.name,
        cuisine=found.cuisine,
        neighborhood=found.neighborhood,
        locality=found.locality,
        price_range=found.price_range,
    )


def _notify(found: NotifyRequest, name: str | None) -> NotifyItem:
    return NotifyItem(
        notify_id=found.notify_id,
        venue_id=found.venue_id,
        restaurant=name,
        day=found.day,
        party_size=found.party_size,
        start=found.start,
        end=found.end,
    )
