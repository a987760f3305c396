"""REST: weekly hours, date overrides, effective availability, slots and common free time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response

from concierge.accounts import service as accounts
from concierge.api.deps import (
    ClockDep,
    CurrentUser,
    Session,
    SettingsDep,
    clock_of,
    get_database,
    settings_of,
)
from concierge.api.params import MAX_ID, UserId
from concierge.api.problems import documented
from concierge.api.responses import in_zone, instants_json, json_response, render_instants
from concierge.changes import reading_since
from concierge.errors import InvalidRequest
from concierge.scheduling import engine, service
from concierge.scheduling.cache import SlotsCache, SlotsQuery
from concierge.scheduling.engine import Interval
from concierge.scheduling.schemas import (
    Availability,
    CommonTime,
    DateOverrides,
    Removed,
    Slots,
    WeeklyHours,
)
from concierge.timezones import zone
from concierge.validation import Day, ascii_digits

router = APIRouter(prefix="/v1", tags=["availability"])

# The 422 codes each kind of route can answer with.
_INPUT = ["invalid_request"]
_RULES = ["invalid_request", "misaligned"]
_RANGE = ["invalid_request", "range_too_long"]
_GRID_RANGE = ["invalid_request", "misaligned", "range_too_long"]

From = Annotated[Day | None, Query(alias="from", description="First local date (YYYY-MM-DD)")]
To = Annotated[Day | None, Query(description="Last local date, inclusive (YYYY-MM-DD)")]
Tz = Annotated[
    str | None,
    Query(max_length=64, description="IANA zone to render instants and group dates in"),
]


def _windows_by_day(
    days: dict[date, list[Interval]], tz: ZoneInfo | None
) -> dict[str, list[dict[str, datetime]]]:
    return {
        day.isoformat(): [{"start": in_zone(s, tz), "end": in_zone(e, tz)} for s, e in intervals]
        for day, intervals in days.items()
    }


@router.put("/users/{user_id}/weekly-hours", responses=documented(401, 403, 404, 422, s422=_RULES))
async def put_weekly_hours(
    user_id: UserId, body: WeeklyHours, session: Session, actor: CurrentUser, settings: SettingsDep
) -> WeeklyHours:
    """Replace the weekly hours (self or admin). Days left out have no hours."""
    accounts.require_self_or_admin(actor, user_id)
    user = await accounts.get_user(session, user_id)
    return await service.set_weekly_hours(session, user, body, settings)


@router.get("/users/{user_id}/weekly-hours", responses=documented(401, 404, 422, s422=_INPUT))
async def get_weekly_hours(user_id: UserId, session: Session, _: CurrentUser) -> WeeklyHours:
    """A user's weekly hours, in the zone they were set in."""
    return await service.get_weekly_hours(session, await accounts.get_user(session, user_id))


@router.put("/users/{user_id}/availability", responses=documented(401, 403, 404, 422, s422=_RULES))
async def put_date_overrides(
    user_id: UserId,
    body: DateOverrides,
    session: Session,
    actor: CurrentUser,
    settings: SettingsDep,
) -> dict[str, int]:
    """Set the windows of the dates given, replacing weekly hours on those dates (self or
    admin). Other dates are untouched; an empty list is a day off."""
    accounts.require_self_or_admin(actor, user_id)
    user = await accounts.get_user(session, user_id)
    return {"updated": await service.set_overrides(session, user, body, settings)}


@router.delete(
    "/users/{user_id}/availability", responses=documented(401, 403, 404, 422, s422=_INPUT)
)
async def delete_date_overrides(
    user_id: UserId,
    session: Session,
    actor: CurrentUser,
    first: Annotated[Day, Query(alias="from")],
    to: Annotated[Day, Query()],
) -> Removed:
    """Remove the overrides from ``from`` to ``to``: weekly hours apply again (self or admin)."""
    accounts.require_self_or_admin(actor, user_id)
    user = await accounts.get_user(session, user_id)
    return Removed(removed=await service.remove_overrides(session, user, first, to))


@router.get(
    "/users/{user_id}/availability",
    response_model=Availability,
    responses=documented(401, 404, 422, s422=_RANGE),
)
async def get_availability(
    user_id: UserId,
    session: Session,
    _: CurrentUser,
    clock: ClockDep,
    settings: SettingsDep,
    first: From = None,
    to: To = None,
    tz: Tz = None,
) -> Response:
    """Effective windows per local date: weekly hours with overrides applied (default: the
    next two weeks, in the user's zone)."""
    user = await accounts.get_user(session, user_id)
    view = zone(tz or user.timezone)
    first, last = service.default_range(first, to, view, clock.now())
    service.check_range(first, last, settings)
    days = await service.effective_availability(session, user, first, last, view)
    out_tz = view if tz else None
    return instants_json({"timezone": view.key, "days": _windows_by_day(days, out_tz)}, out_tz)


@router.get(
    "/users/{user_id}/slots",
    response_model=Slots,
    responses=documented(401, 404, 422, s422=_GRID_RANGE),
)
async def get_slots(
    request: Request,
    user_id: UserId,
    _: CurrentUser,
    first: From = None,
    to: To = None,
    duration: Annotated[
        int,
        Query(
            ge=1,
            le=480,
            # Said in the schema, checked by the engine: a 422 ``misaligned``.
            json_schema_extra={"multipleOf": 15, "minimum": 15},
            description="Minutes; a multiple of 15",
        ),
    ] = 15,
    tz: Tz = None,
) -> Response:
    """Free slot starts per local date: inside the host's availability, clear of confirmed
    reservations and live holds (and of the host's buffers around them), on no day or week at
    the host's meeting limit, after the minimum notice and before the horizon.

    The same answer may be served again for up to SLOTS_CACHE_SECONDS (2), never past the
    moment the clock alone would change it; changes made through another server process show
    within that time."""
    # The clock and settings straight from the app, not as dependencies: this route is answered
    # from memory most of the time, where each dependency is a noticeable part of the cost.
    now = clock_of(request).now()
    settings = settings_of(request)
    cache: SlotsCache = request.app.state.slots_cache
    asked = SlotsQuery(user_id, first, to, duration, tz)
    body = cache.get(asked, now)
    if body is not None:
        return json_response(body)
    # The unit of work is opened here, not by a dependency: an answer from the cache needs none.
    async with get_database(request).unit_of_work(write=False) as session:
        since = reading_since(session)
        host = await service.load_host(session, user_id, *service.covering_dates(first, to, now))
        view = zone(tz or host.timezone)
        first, last = service.default_range(first, to, view, now)
        service.check_range(first, last, settings)
        found = await service.free_slots_until(
            session, host, first, last, view, duration, now, settings
        )
    out_tz = view if tz else None
    body = render_instants(
        {
            "timezone": view.key,
            "duration": duration,
            "days": {
                d.isoformat(): [in_zone(s, out_tz) for s in starts]
                for d, starts in found.days.items()
            },
        },
        out_tz,
    )
    until = found.until
    if asked.first is None:  # "today" is another date from the next midnight on
        until = min(until, engine.local_range(first, first, view).end)
    cache.put(asked, body, user=host.id, since=since, now=now, until=until, size=len(body))
    return json_response(body)


def _user_ids(raw: str) -> list[int]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(ascii_digits(part) for part in parts):
        raise InvalidRequest(
            "users must be comma-separated user ids, e.g. users=3,7", field="users"
        )
    ids = [int(part) for part in parts]
    if any(not 1 <= i <= MAX_ID for i in ids):
        raise InvalidRequest("users must be user ids (positive whole numbers).", field="users")
    return ids


@router.get(
    "/availability/common",
    response_model=CommonTime,
    responses=documented(401, 404, 422, s422=_GRID_RANGE),
)
async def get_common_time(
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
    settings: SettingsDep,
    users: Annotated[str, Query(max_length=400, description="2 to 20 user ids, e.g. 3,7,9")],
    first: From = None,
    to: To = None,
    min_duration: Annotated[int, Query(ge=1, le=1440, description="Minutes")] = 15,
    tz: Tz = None,
) -> Response:
    """Maximal intervals where every listed user is available and not booked, clear of each
    one's buffers and on no day or week at their meeting limit (default zone: the caller's)."""
    view = zone(tz or actor.timezone)
    first, last = service.default_range(first, to, view, clock.now())
    service.check_range(first, last, settings)
    days = await service.common_free_time(
        session, _user_ids(users), first, last, view, min_duration, clock.now(), settings
    )
    out_tz = view if tz else None
    return instants_json({"timezone": view.key, "days": _windows_by_day(days, out_tz)}, out_tz)
