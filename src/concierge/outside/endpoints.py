"""REST: a person's connected calendars (CalDAV accounts, ICS feeds): connect, list, test,
remove. Their busy times join the person's taken time (slots, common time, booking)."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from concierge.accounts import service as accounts
from concierge.api.deps import ClockDep, CurrentUser, Session, SettingsDep, get_database
from concierge.api.params import MAX_ID, UserId
from concierge.api.problems import documented
from concierge.outside import service
from concierge.outside.schemas import (
    CalendarConnect,
    CalendarConnected,
    CalendarList,
    CalendarOut,
    CalendarTest,
    Collection,
)
from concierge.outside.views import view

router = APIRouter(prefix="/v1/users", tags=["outside calendars"])

CalendarId = Annotated[int, Path(ge=1, le=MAX_ID, description="A connected calendar's id")]


@router.post(
    "/{user_id}/outside-calendars",
    status_code=status.HTTP_201_CREATED,
    responses=documented(
        401, 403, 404, 422, s422=["invalid_request", "url_refused", "calendar_unreachable"]
    ),
)
async def connect_calendar(
    request: Request,
    user_id: UserId,
    body: CalendarConnect,
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
    settings: SettingsDep,
) -> CalendarConnected:
    """Connect a calendar (self or admin). The address is checked (http(s) only, no private
    networks), the calendars on a CalDAV account are found, and the busy times are read once
    before anything is stored; from then on they are read again in the background every
    OUTSIDE_REFRESH_MINUTES (10), conditionally, and count as taken time."""
    accounts.require_self_or_admin(actor, user_id)
    now = clock.now()
    asked = service.Connect(
        kind=body.kind,
        name=body.name,
        url=body.url,
        username=body.username,
        password=body.password.get_secret_value() if body.password else None,
        collections=tuple(body.collections) if body.collections else None,
        write_to=body.write_to,
    )
    # The network first: this request's transaction starts with the connection's insert.
    user = actor if actor.id == user_id else await service.owner(get_database(request), user_id)
    done = await service.connect(session, user, asked, now, settings)
    shown = view(done.calendar, now, settings)
    found = [Collection(href=c.href, name=c.name) for c in done.available if c.events]
    return CalendarConnected(**shown.model_dump(), available=found)


@router.get(
    "/{user_id}/outside-calendars",
    responses=documented(401, 403, 404, 422, s422=["invalid_request"]),
)
async def list_calendars(
    user_id: UserId, session: Session, actor: CurrentUser, clock: ClockDep, settings: SettingsDep
) -> CalendarList:
    """The user's connected calendars with how fresh their busy times are (self or admin)."""
    accounts.require_self_or_admin(actor, user_id)
    now = clock.now()
    rows = await service.listed(session, user_id)
    return CalendarList(items=[view(row, now, settings) for row in rows])


@router.get(
    "/{user_id}/outside-calendars/{calendar_id}",
    responses=documented(401, 403, 404, 422, s422=["invalid_request"]),
)
async def get_calendar(
    user_id: UserId,
    calendar_id: CalendarId,
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
    settings: SettingsDep,
) -> CalendarOut:
    accounts.require_self_or_admin(actor, user_id)
    return view(await service.get(session, user_id, calendar_id), clock.now(), settings)


@router.post(
    "/{user_id}/outside-calendars/{calendar_id}/test",
    responses=documented(401, 403, 404, 422, s422=["invalid_request"]),
)
async def test_calendar(
    request: Request,
    user_id: UserId,
    calendar_id: CalendarId,
    actor: CurrentUser,
    clock: ClockDep,
    settings: SettingsDep,
) -> CalendarTest:
    """Read the calendar now, whole, and store what was found: whether it can be read, in how
    many requests and how long."""
    accounts.require_self_or_admin(actor, user_id)
    started = time.perf_counter()
    reading = await service.test(get_database(request), user_id, calendar_id, clock.now(), settings)
    return CalendarTest(
        ok=reading.error is None,
        error=reading.error,
        requests=reading.requests,
        events=reading.events,
        busy_intervals=None if reading.busy is None else len(reading.busy),
        seconds=round(time.perf_counter() - started, 3),
    )


@router.delete(
    "/{user_id}/outside-calendars/{calendar_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(401, 403, 404, 422, s422=["invalid_request"]),
)
async def remove_calendar(
    user_id: UserId, calendar_id: CalendarId, session: Session, actor: CurrentUser
) -> Response:
    """Disconnect the calendar: its busy times are free again at once; nothing more is written
    to it."""
    accounts.require_self_or_admin(actor, user_id)
    await service.remove(session, user_id, calendar_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
