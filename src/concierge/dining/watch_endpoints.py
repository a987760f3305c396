"""REST: watches, tables booked the moment they open (``/v1/dining/watches``)."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from concierge.api.deps import ClockDep, CurrentUser, SettingsDep, get_database
from concierge.api.problems import documented
from concierge.credentials import CredentialStore
from concierge.db import Database
from concierge.dining import watches
from concierge.dining.service import MAX_PARTY, DiningService
from concierge.dining.watch_schemas import Watches, WatchView
from concierge.integrations.resy.auth import ResyAuthManager

router = APIRouter(prefix="/v1/dining/watches", tags=["dining"])

DatabaseDep = Annotated[Database, Depends(get_database)]
WatchId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class NewWatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    restaurant: str = Field(min_length=1, max_length=200, examples=["Don Angie"])
    date: str = Field(min_length=1, max_length=60, description='"2026-12-19", "Saturday", "Dec 19"')
    earliest: str = Field(min_length=1, max_length=20, examples=["7pm"])
    latest: str | None = Field(
        default=None, max_length=20, description="Defaults to earliest", examples=["9pm"]
    )
    party_size: int = Field(ge=1, le=MAX_PARTY, default=2)
    seating: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default=[],
        max_length=10,
        description='Table kinds accepted, as Resy names them ("Bar", "Dining Room"); empty: any',
    )
    special_requests: str | None = Field(default=None, max_length=500)
    release_time: str | None = Field(
        default=None,
        max_length=20,
        description='The restaurant-local time its new days open, when known ("9am"); '
        "else midnight is assumed",
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=documented(
        401,
        403,
        404,
        409,
        422,
        429,
        503,
        s403=["resy_login_required"],
        s404=["restaurant_not_found", "not_on_resy"],
        s409=["resy_needs_person"],
        s429=["rate_limited"],
    ),
)
async def create_watch(
    body: NewWatch,
    actor: CurrentUser,
    db: DatabaseDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> WatchView:
    """Watch a restaurant for a table (between `earliest` and `latest`, local times, on
    `date`) and book the first one that opens, on the caller's saved Resy login: at the
    moment the day's tables are released, or when someone cancels. At most one table is
    booked per watch; a table the caller already holds there that day stops it."""
    async with httpx.AsyncClient(timeout=settings.resy_timeout) as http:
        return await watches.create_watch(
            db,
            dining=DiningService(http=http, settings=settings),
            auth=ResyAuthManager(
                http, settings, CredentialStore.for_owner(settings, actor.id), clock=clock
            ),
            user=actor,
            settings=settings,
            restaurant=body.restaurant,
            date_text=body.date,
            earliest_text=body.earliest,
            latest_text=body.latest,
            party_size=body.party_size,
            seating=body.seating,
            special_requests=body.special_requests,
            release_time_text=body.release_time,
            now=clock.now(),
        )


@router.get("", responses=documented(401, 422))
async def list_watches(
    actor: CurrentUser,
    db: DatabaseDep,
    clock: ClockDep,
    every: Annotated[
        bool, Query(alias="all", description="Also watches finished over a week ago")
    ] = False,
) -> Watches:
    """The caller's watches, newest first."""
    return await watches.list_watches(db, user=actor, now=clock.now(), every=every)


@router.get("/{watch_id}", responses=documented(401, 404, 422))
async def get_watch(watch_id: WatchId, actor: CurrentUser, db: DatabaseDep) -> WatchView:
    """One watch with its log."""
    return await watches.get_watch(db, user=actor, watch_id=watch_id)


@router.post(
    "/{watch_id}/cancel",
    responses=documented(401, 404, 409, 422, s409=["watch_finished"]),
)
async def cancel_watch(
    watch_id: WatchId, actor: CurrentUser, db: DatabaseDep, clock: ClockDep
) -> WatchView:
    """Stop a running watch; nothing more is booked. A watch that booked keeps its table
    (cancel the table itself to give it up): 409 `watch_finished`."""
    return await watches.cancel_watch(db, user=actor, watch_id=watch_id, now=clock.now())
