"""REST: a user's ICS feed, and the secret address to subscribe to it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Response, status

from concierge.accounts import service as accounts
from concierge.api.deps import ClockDep, CurrentUser, Session, SettingsDep
from concierge.api.params import UserId
from concierge.api.problems import documented
from concierge.api.urls import BaseUrl
from concierge.calendars import service
from concierge.calendars.schemas import CalendarUrl

router = APIRouter(prefix="/v1/users", tags=["calendars"])

ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"


@router.post(
    "/{user_id}/calendar-url",
    status_code=status.HTTP_201_CREATED,
    responses=documented(401, 403, 404, 422, s422=["invalid_request"]),
)
async def issue_calendar_url(
    user_id: UserId, session: Session, actor: CurrentUser, clock: ClockDep, base_url: BaseUrl
) -> CalendarUrl:
    """A new secret address of the user's calendar feed (self or admin), shown this once. Any
    address issued before stops working, which is how a leaked one is revoked."""
    accounts.require_self_or_admin(actor, user_id)
    user = await accounts.get_user(session, user_id)
    now = clock.now()
    key = await service.issue_feed_key(session, user, now)
    address = f"{base_url}/v1/users/{user.id}/calendar.ics?{urlencode({'key': key})}"
    return CalendarUrl(url=address, created_at=now)


@router.get(
    "/{user_id}/calendar.ics",
    response_class=Response,
    responses={
        200: {
            "description": "An iCalendar feed: the user's confirmed reservations, as host and "
            "as guest, in their time zone, and lately cancelled ones as STATUS:CANCELLED",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        },
        **documented(404, 422, s422=["invalid_request"]),
    },
)
async def calendar_feed(
    user_id: UserId,
    session: Session,
    clock: ClockDep,
    settings: SettingsDep,
    key: Annotated[
        str | None, Query(max_length=200, description="The secret key from calendar-url")
    ] = None,
) -> Response:
    """The user's confirmed reservations as an ICS feed for calendar apps, and those cancelled in
    the last CALENDAR_CANCELLED_DAYS (30) as `STATUS:CANCELLED`, so subscribed calendars drop
    them. Each event keeps its UID (`reservation-<id>@CALENDAR_UID_DOMAIN`) for life and carries
    a SEQUENCE that grows with every change, an ORGANIZER (the host) and an ATTENDEE (the guest).
    Needs no token: the secret key in the address is the credential; a wrong or retired key
    answers 404."""
    body = await service.feed(session, user_id, key, clock.now(), settings)
    return Response(
        body,
        media_type=ICS_MEDIA_TYPE,
        headers={
            "Content-Disposition": 'inline; filename="calendar.ics"',
            # The address is a secret: keep it and its content out of shared caches.
            "Cache-Control": "private, max-age=300",
            "Referrer-Policy": "no-referrer",
        },
    )
