"""REST: weekly hours, date overrides, effective availability, slots and common free time."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from concierge.accounts import service as accounts
from concierge.api.deps import ClockDep, CurrentUser, Session, SettingsDep
from concierge.api.params import MAX_ID, UserId
from concierge.api.problems import documented
from concierge.errors import InvalidRequest
from concierge.scheduling import service
from concierge.scheduling.engine import Interval
from concierge.scheduling.schemas import (
    Availability,
    CommonTime,
    DateOverrides,
    InstantWindow,
    Removed,
    Slots,
    WeeklyHours,
)
from concierge.timezones import render, zone

router = APIRouter(prefix="/v1", tags=["availability"])

From = Annotated[date | None, Query(alias="from", description="First local date (YYYY-MM-DD)")]
To = Annotated[date | None, Query(description="Last local date, inclusive (YYYY-MM-DD)")]
Tz = Annotated[
    str | None,
    Query(max_length=64, description="IANA zone to render instants and group dates in"),
]


def _windows(intervals: list[Interval], tz: ZoneInfo | None) -> list[InstantWindow]:
    return [InstantWindow(start=render(s, tz), end=render(e, tz)) for s, e in intervals]


@router.put("/users/{user_id}/weekly-hours", responses=documented(401, 403, 404, 422))
async def put_weekly_hours(
    user_id: UserId, body: WeeklyHours, session: Session, actor: CurrentUser, settings: SettingsDep
) -> WeeklyHours:
    """Replace the weekly hours (self or admin). Days left out have no hours."""
    accounts.require_self_or_admin(actor, user_id)
    user = await accounts.get_user(session, user_id)
    return await service.set_weekly_hours(session, user, body, settings)


@router.get("/users/{user_id}/weekly-hours", responses=documented(401, 404, 422))
async def get_weekly_hours(user_id: UserId, session: Session, _: CurrentUser) -> WeeklyHours:
    """A user's weekly hours, in the zone they were set in."""
    return await service.get_weekly_hours(session, await accounts.get_user(session, user_id))


@router.put("/users/{user_id}/availability", responses=documented(401, 403, 404, 422))
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


@router.delete("/users/{user_id}/availability", responses=documented(401, 403, 404, 422))
async def delete_date_overrides(
    user_id: UserId,
    session: Session,
    actor: CurrentUser,
    first: Annotated[date, Query(alias="from")],
    to: Annotated[date, Query()],
) -> Removed:
    """Remove the overrides from ``from`` to ``to``: weekly hours apply again (self or admin)."""
    accounts.require_self_or_admin(actor, user_id)
    user = await accounts.get_user(session, user_id)
    return Removed(removed=await service.remove_overrides(session, user, first, to))


@router.get("/users/{user_id}/availability", responses=documented(401, 404, 422))
async def get_availability(
    user_id: UserId,
    session: Session,
    _: CurrentUser,
    clock: ClockDep,
    settings: SettingsDep,
    first: From = None,
    to: To = None,
    tz: Tz = None,
) -> Availability:
    """Effective windows per local date: weekly hours with overrides applied (default: the
    next two weeks, in the user's zone)."""
    user = await accounts.get_user(session, user_id)
    view = zone(tz or user.timezone)
    first, last = service.default_range(first, to, view, clock.now())
    service.check_range(first, last, settings)
    days = await service.effective_availability(session, user, first, last, view)
    out_tz = view if tz else None
    return Availability(
        timezone=view.key,
        days={d.isoformat(): _windows(ivs, out_tz) for d, ivs in days.items()},
    )


@router.get("/users/{user_id}/slots", responses=documented(401, 404, 422))
async def get_slots(
    user_id: UserId,
    session: Session,
    _: CurrentUser,
    clock: ClockDep,
    settings: SettingsDep,
    first: From = None,
    to: To = None,
    duration: Annotated[int, Query(ge=1, le=480, description="Minutes; a multiple of 15")] = 15,
    tz: Tz = None,
) -> Slots:
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
    return Slots(
        timezone=view.key,
        duration=duration,
        days={d.isoformat(): [render(s, out_tz) for s in starts] for d, starts in days.items()},
    )


def _user_ids(raw: str) -> list[int]:
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise InvalidRequest(
            "users must be comma-separated user ids, e.g. users=3,7", field="users"
        ) from exc
    if any(not 1 <= i <= MAX_ID for i in ids):
        raise InvalidRequest("users must be user ids (positive whole numbers).", field="users")
    return ids


@router.get("/availability/common", responses=documented(401, 404, 422))
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
) -> CommonTime:
    """Maximal intervals where every listed user is available and not booked (default zone:
    the caller's)."""
    view = zone(tz or actor.timezone)
    first, last = service.default_range(first, to, view, clock.now())
    service.check_range(first, last, settings)
    days = await service.common_free_time(
        session, _user_ids(users), first, last, view, min_duration, clock.now(), settings
    )
    out_tz = view if tz else None
    return CommonTime(
        timezone=view.key,
        days={d.isoformat(): _windows(ivs, out_tz) for d, ivs in days.items()},
    )
