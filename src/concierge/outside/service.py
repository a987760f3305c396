"""Connected calendars: connect, list, test and remove them; store what a read found; and the
re-check a booking makes of its people's calendars.

Network reads never run inside a transaction the service opened for them: ``connect`` and
``test`` read first and write after, the background refresh reads between two short units of
work. The one exception is the booking re-check, which must decide inside the booking's own
transaction: it is bounded by ``OUTSIDE_BOOKING_TIMEOUT`` seconds and happens only for people
who connected calendars.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import httpx
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from concierge import outbound
from concierge.accounts import service as accounts
from concierge.changes import touching
from concierge.config import Settings
from concierge.db import Database
from concierge.errors import ConciergeError, InvalidRequest, NotFound
from concierge.models import OutsideBusy, OutsideCalendar, User
from concierge.outside import caldav
from concierge.outside.reading import CALDAV, ICS, Reading, Source, read, window
from concierge.outside.secrets import Secret, seal, unseal
from concierge.timezones import zone

UNCHECKED = "concierge.outside.unchecked"


class CalendarNotConnected(InvalidRequest):
    """Connecting failed: the calendar could not be found or read at the address given."""

    status, code, title = 422, "calendar_unreachable", "Calendar could not be read"


class CalendarUnreadable(ConciergeError):
    """A booking's outside calendar could not be read in time, and the setting says refuse."""

    status, code, title = 503, "calendar_unreadable", "Outside calendar unreadable"


@dataclass(frozen=True, slots=True)
class Connect:
    """What connecting a calendar takes; ``collections`` (CalDAV hrefs) default to every
    calendar of events on the account; ``write_to`` names the one bookings go into."""

    kind: str
    name: str
    url: str
    username: str | None = None
    password: str | None = None
    collections: tuple[str, ...] | None = None
    write_to: str | None = None


@dataclass(frozen=True, slots=True)
class Connected:
    calendar: OutsideCalendar
    available: list[caldav.Collection]
    reading: Reading


def policy(settings: Settings) -> outbound.Policy:
    return outbound.policy_from(settings)


# ------------------------------------------------------------------------------- commands


async def connect(
    session: AsyncSession, user: User, asked: Connect, now: datetime, settings: Settings
) -> Connected:
    """Check the address, find the calendars (CalDAV), read the busy times once, then store the
    connection with its first busy times. Nothing is stored when the first read fails."""
    url = str(outbound.check_url(asked.url.replace("webcal://", "https://", 1)))
    secret = Secret(url, asked.username, asked.password)
    rules = policy(settings)
    available: list[caldav.Collection] = []
    chosen: tuple[str, ...] = ()
    write_href = None
    async with outbound.client(rules) as http:
        if asked.kind == CALDAV:
            if not asked.username or not asked.password:
                raise InvalidRequest("A CalDAV account needs a username and a password.")
            try:
                available = await caldav.discover(http, rules, url, secret.auth)
            except (caldav.CalDAVError, outbound.OutboundFailed) as exc:
                raise CalendarNotConnected(f"No calendar could be connected: {exc.detail}") from exc
            chosen, write_href = _choose(available, asked)
        elif asked.kind != ICS:
            raise InvalidRequest("kind is 'caldav' or 'ics'.", field="kind")
        source = Source(0, user.id, asked.kind, asked.name, secret, chosen, {}, zone(user.timezone))
        reading = await read(http, rules, source, window(now, settings.outside_days_ahead))
    if reading.refused:
        raise outbound.OutboundRefused(reading.error or "The address is not allowed.")
    if reading.error:
        raise CalendarNotConnected(f"The calendar could not be read: {reading.error}.")
    row = OutsideCalendar(
        user_id=user.id,
        kind=asked.kind,
        name=asked.name,
        host=_host_of(url),
        secret=seal(settings, secret),
        collections=[{"href": c.href, "name": c.name} for c in available if c.href in chosen],
        write_href=write_href,
        validators={},
        created_at=now,
        next_refresh_at=now,
    )
    session.add(row)
    await session.flush()
    await store(session, row, reading, now, settings)
    return Connected(row, available, reading)


def _choose(
    available: Sequence[caldav.Collection], asked: Connect
) -> tuple[tuple[str, ...], str | None]:
    events = [c.href for c in available if c.events]
    if not events:
        raise InvalidRequest("The account has no calendar of events to read.")
    chosen = tuple(asked.collections or events)
    unknown = [href for href in chosen if href not in events]
    if unknown:
        raise InvalidRequest(
            f"Not a calendar of events on this account: {', '.join(unknown)}. "
            f"Choose among: {', '.join(events)}.",
            field="collections",
        )
    if asked.write_to is not None and asked.write_to not in events:
        raise InvalidRequest(
            f"Bookings can be written only to one of: {', '.join(events)}.", field="write_to"
        )
    return chosen, asked.write_to


def _host_of(url: str) -> str:
    return outbound.check_url(url).host


async def listed(session: AsyncSession, user_id: int) -> list[OutsideCalendar]:
    return list(
        await session.scalars(
            select(OutsideCalendar)
            .where(OutsideCalendar.user_id == user_id)
            .order_by(OutsideCalendar.id)
        )
    )


async def get(session: AsyncSession, user_id: int, calendar_id: int) -> OutsideCalendar:
    row = await session.get(OutsideCalendar, calendar_id)
    if row is None or row.user_id != user_id:
        raise NotFound(f"No connected calendar numbered {calendar_id} among this user's.")
    return row


async def remove(session: AsyncSession, user_id: int, calendar_id: int) -> None:
    """Forget the connection, its busy times (free again at once) and its pending writes."""
    row = await get(session, user_id, calendar_id)
    await session.execute(
        delete(OutsideBusy)
        .where(OutsideBusy.calendar_id == row.id)
        .execution_options(**touching(user_id))
    )
    await session.delete(row)
    await session.flush()


async def test(
    db: Database, user_id: int, calendar_id: int, now: datetime, settings: Settings
) -> Reading:
    """Read the calendar now, whole (not conditionally), and store what was found: a short
    read, the network with no transaction open, a short write."""
    async with db.unit_of_work(write=False) as session:
        user = await accounts.get_user(session, user_id)
        row = await get(session, user_id, calendar_id)
        source = replace(source_of(row, user.timezone, settings), validators={})
    rules = policy(settings)
    async with outbound.client(rules) as http:
        reading = await read(http, rules, source, window(now, settings.outside_days_ahead))
    async with db.unit_of_work() as session:
        await store(session, await get(session, user_id, calendar_id), reading, now, settings)
    return reading


async def owner(db: Database, user_id: int) -> User:
    """The live user ``user_id``, read in a short unit of its own (before any network call)."""
    async with db.unit_of_work(write=False) as session:
        return await accounts.get_user(session, user_id)


def source_of(row: OutsideCalendar, tz_name: str, settings: Settings) -> Source:
    return Source(
        id=row.id,
        user_id=row.user_id,
        kind=row.kind,
        name=row.name,
        secret=unseal(settings, row.secret),
        collections=tuple(c["href"] for c in row.collections),
        validators=dict(row.validators or {}),
        tz=zone(tz_name),
        own_domain=settings.uid_domain,
    )


async def store(
    session: AsyncSession,
    row: OutsideCalendar,
    reading: Reading,
    now: datetime,
    settings: Settings,
) -> None:
    """Record a read: on success its validators and, when they changed, the busy times, which
    replace the old ones whole; on failure the error, keeping the last busy times known."""
    row.checked_at = now
    period = timedelta(minutes=settings.outside_refresh_minutes)
    if reading.error is not None:
        row.error = reading.error
        row.next_refresh_at = now + min(period, timedelta(minutes=1))
        await session.flush()
        return
    row.error, row.refreshed_at, row.next_refresh_at = None, now, now + period
    row.validators = reading.validators
    if reading.busy is not None:
        row.changed_at = now
        await session.execute(
            delete(OutsideBusy)
            .where(OutsideBusy.calendar_id == row.id)
            .execution_options(**touching(row.user_id))
        )
        if reading.busy:
            await session.execute(
                insert(OutsideBusy).execution_options(**touching(row.user_id)),
                [
                    {"calendar_id": row.id, "user_id": row.user_id, "start_at": s, "end_at": e}
                    for s, e in reading.busy
                ],
            )
    await session.flush()


# ------------------------------------------------------------------------- booking re-check


async def recheck(
    session: AsyncSession, people: Sequence[User], now: datetime, settings: Settings
) -> list[str]:
    """Read the outside calendars of ``people`` again (conditionally, within
    ``outside_booking_timeout`` seconds) and store what changed in this transaction, so the
    booking's own check of taken time sees it. The calendars that could not be read: refused
    with ``CalendarUnreadable``, or returned (and noted on the session for the front door to
    say) when ``outside_unreadable`` is ``proceed``."""
    zones = {p.id: p.timezone for p in people}
    rows = list(
        await session.scalars(
            select(OutsideCalendar)
            .where(OutsideCalendar.user_id.in_(list(zones)))
            .order_by(OutsideCalendar.id)
        )
    )
    if not rows:
        return []
    rules = replace(policy(settings), timeout=settings.outside_booking_timeout)
    span = window(now, settings.outside_days_ahead)
    sources = [source_of(row, zones[row.user_id], settings) for row in rows]
    limit = settings.outside_booking_timeout

    async def bounded(http: httpx.AsyncClient, source: Source) -> Reading:
        # The whole read, parsing a changed feed included: a booking waits this long at most.
        try:
            async with asyncio.timeout(limit):
                return await read(http, rules, source, span)
        except TimeoutError:
            return Reading(error=f"could not be read within {limit:g} seconds")

    async with outbound.client(rules) as http:
        readings = await asyncio.gather(*(bounded(http, s) for s in sources))
    for row, reading in zip(rows, readings, strict=True):
        await store(session, row, reading, now, settings)
    unread = [row.name for row, reading in zip(rows, readings, strict=True) if reading.error]
    if unread and settings.outside_unreadable == "refuse":
        names = ", ".join(f"'{name}'" for name in unread)
        raise CalendarUnreadable(
            f"The outside calendar {names} could not be read within "
            f"{settings.outside_booking_timeout:g} seconds, so this time cannot be confirmed "
            "free; try again in a moment."
        )
    orm = session.sync_session
    orm.info.setdefault(UNCHECKED, []).extend(unread)
    return unread


def unchecked(session: AsyncSession) -> list[str]:
    """The calendars a booking in this unit of work went ahead without (``proceed``)."""
    found: list[str] = session.sync_session.info.get(UNCHECKED, [])
    return found
