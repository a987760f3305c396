"""REST: weekly hours, date overrides, effective availability, slots and common free time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response

from concierge.accounts import service as accounts
from concierge.api.deps import ClockDep, CurrentUser, Session, SettingsDep
from concierge.api.problems import documented
from concierge.api.responses import in_zone, instants_json
from concierge.errors import InvalidRequest
from concierge.scheduling import service
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

router = APIRouter(prefix="/v1", tags=["availability"])

# The 422 codes each kind of route can answer with.
_INPUT = ["invalid_request"]
_RULES = ["invalid_request", "misaligned"]
_RANGE = ["invalid_request", "range_too_long"]
_GRID_RANGE = ["invalid_request", "misaligned", "range_too_long"]

From = Annotated[date | None, Query(alias="from", description="First local date (YYYY-MM-DD)")]
To = Annotated[date | None, Query(description="Last local date, inclusive (YYYY-MM-DD)")]
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
    user_id: int, body: WeeklyHours, session: Session, actor: CurrentUser, settings: SettingsDep
) -> WeeklyHours:
    """Replace the weekly hours (self or admin). Days left out have no hours."""
    accounts.require_self_or_admin(actor, user_id)
    user = await accounts.get_user(session, user_id)
    return await service.set_weekly_hours(session, user, body, settings)


@router.get("/users/{user_id}/weekly-hours", responses=documented(401, 404, 422, s422=_INPUT))
async def get_weekly_hours(user_id: int, session: Session, _: CurrentUser) -> WeeklyHours:
    """A user's weekly hours, in the zone they were set in."""
    return await service.get_weekly_hours(session, await accounts.get_user(session, user_id))


@router.put("/users/{user_id}/availability", responses=documented(401, 403, 404, 422, s422=_RULES))
async def put_date_overrides(
    user_id: int, body: DateOverrides, session: Session, actor: CurrentUser, settings: SettingsDep
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
    user_id: int,
    session: Session,
    actor: CurrentUser,
    first: Annotated[date, Query(alias="from")],
    to: Annotated[date, Query()],
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
    user_id: int,
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
    user_id: int,
    session: Session,
    _: CurrentUser,
    clock: ClockDep,
    settings: SettingsDep,
    first: From = None,
    to: To = None,
    duration: Annotated[int, Query(ge=1, le=480, description="Minutes; a multiple of 15")] = 15,
    tz: Tz = None,
) -> Response:
    """Free slot starts per local date: inside the host's availability, clear of confirmed
    reservations and live holds, after the minimum notice and before the horizon."""
    host = await accounts.get_user(session, user_id)
    view = zone(tz or host.timezone)
    first, last = service.default_range(first, to, view, clock.now())
    service.check_range(first, last, settings)
    days = await service.free_slots(
        session, host, first, last, view, duration, clock.now(), settings
    )
    out_tz = view if tz else None
    body = {
        "timezone": view.key,
        "duration": duration,
        "days": {d.isoformat(): [in_zone(s, out_tz) for s in starts] for d, starts in days.items()},
    }
    return instants_json(body, out_tz)


def _user_ids(raw: str) -> list[int]:
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise InvalidRequest(
            "users must be comma-separated user ids, e.g. users=3,7", field="users"
        ) from exc


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
    """Maximal intervals where every listed user is available and not booked (default zone:
    the caller's)."""
    view = zone(tz or actor.timezone)
    first, last = service.default_range(first, to, view, clock.now())
    service.check_range(first, last, settings)
    days = await service.common_free_time(
        session, _user_ids(users), first, last, view, min_duration, clock.now(), settings
    )
    out_tz = view if tz else None
    return instants_json({"timezone": view.key, "days": _windows_by_day(days, out_tz)}, out_tz)
