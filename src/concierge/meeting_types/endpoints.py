"""REST: /v1/users/{id}/meeting-types and /v1/meeting-types/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from concierge.accounts import service as accounts
from concierge.api.deps import ClockDep, CurrentUser, Session
from concierge.api.pagination import Page
from concierge.api.params import MAX_ID, UserId
from concierge.api.problems import documented
from concierge.meeting_types import service
from concierge.meeting_types.schemas import (
    Location,
    MeetingTypeCreate,
    MeetingTypeOut,
    MeetingTypeUpdate,
    Question,
)
from concierge.models import MeetingType, User

router = APIRouter(prefix="/v1", tags=["meeting types"])

MeetingTypeId = Annotated[int, Path(ge=1, le=MAX_ID, description="A meeting type id")]
_INPUT = ["invalid_request"]


def view(meeting_type: MeetingType, owner: User) -> MeetingTypeOut:
    return MeetingTypeOut(
        id=meeting_type.id,
        owner_id=meeting_type.owner_id,
        slug=meeting_type.slug,
        title=meeting_type.title,
        description=meeting_type.description,
        durations=list(meeting_type.durations),
        location=Location.model_validate(
            {"kind": meeting_type.location_kind, "detail": meeting_type.location_detail}
        ),
        questions=[Question.model_validate(q) for q in meeting_type.questions],
        min_notice_minutes=meeting_type.min_notice_minutes,
        horizon_days=meeting_type.horizon_days,
        public=meeting_type.public,
        booking_path=service.booking_path(owner, meeting_type),
        created_at=meeting_type.created_at,
    )


@router.get("/users/{user_id}/meeting-types", responses=documented(401, 404, 422, s422=_INPUT))
async def list_meeting_types(
    user_id: UserId, session: Session, actor: CurrentUser
) -> Page[MeetingTypeOut]:
    """The person's meeting types in the order they made them: the public ones, and for
    themself (or an admin) the hidden ones too. At most 50, so one page holds them all."""
    owner = await accounts.get_user(session, user_id)
    found = await service.list_for(
        session, owner, hidden_too=accounts.sees_everything_of(actor, owner)
    )
    return Page(items=[view(t, owner) for t in found], next_cursor=None)


@router.post(
    "/users/{user_id}/meeting-types",
    status_code=status.HTTP_201_CREATED,
    responses=documented(401, 403, 404, 409, 422, s409=["slug_taken"], s422=_INPUT),
)
async def create_meeting_type(
    user_id: UserId,
    body: MeetingTypeCreate,
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
) -> MeetingTypeOut:
    """A new meeting type of one's own (or, for an admin, anyone's): bookable at
    `/book/{host slug}/{slug}` at once. A slug the host already uses: 409 `slug_taken`."""
    created = await service.create(session, actor, user_id, body, clock.now())
    return view(created, await accounts.get_user(session, user_id))


@router.get("/meeting-types/{type_id}", responses=documented(401, 404, 422, s422=_INPUT))
async def get_meeting_type(
    type_id: MeetingTypeId, session: Session, actor: CurrentUser
) -> MeetingTypeOut:
    """A public meeting type, or a hidden one of one's own."""
    found = await service.get_visible(session, actor, type_id)
    return view(found, await accounts.get_user(session, found.owner_id))


@router.patch(
    "/meeting-types/{type_id}",
    responses=documented(401, 403, 404, 409, 422, s409=["slug_taken"], s422=_INPUT),
)
async def update_meeting_type(
    type_id: MeetingTypeId, body: MeetingTypeUpdate, session: Session, actor: CurrentUser
) -> MeetingTypeOut:
    """Change the fields sent (its owner or an admin). Bookings already made keep their
    answers as asked; a changed slug moves the page."""
    changed = await service.update_type(session, actor, type_id, body)
    return view(changed, await accounts.get_user(session, changed.owner_id))


@router.delete(
    "/meeting-types/{type_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(401, 403, 404, 422, s422=_INPUT),
)
async def delete_meeting_type(
    type_id: MeetingTypeId, session: Session, actor: CurrentUser
) -> Response:
    """Remove it (its owner or an admin); bookings made through it stay, with their answers."""
    await service.delete(session, actor, type_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
