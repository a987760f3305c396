"""REST: /v1/users."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from concierge.accounts import service
from concierge.accounts.schemas import SignUp, UserCreate, UserOut, UserSummary, UserUpdate
from concierge.api.deps import ClockDep, CurrentUser, Session, SettingsDep
from concierge.api.pagination import Cursor, Limit, Page, an_id, decode_cursor, encode_cursor
from concierge.api.params import UserId
from concierge.api.problems import documented
from concierge.models import User
from concierge.ratelimit.deps import limit_by_address

router = APIRouter(prefix="/v1/users", tags=["users"])

UserView = UserOut | UserSummary
_INPUT = ["invalid_request"]


def view(actor: User, user: User) -> UserView:
    if service.sees_everything_of(actor, user):
        return UserOut.model_validate(user)
    return UserSummary.model_validate(user)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=documented(409, 422, 429, s409=["email_taken"], s422=_INPUT),
    dependencies=[Depends(limit_by_address("signup"))],
)
async def sign_up(
    body: UserCreate, session: Session, clock: ClockDep, settings: SettingsDep
) -> SignUp:
    """Create an account. The API token in the answer is shown this once."""
    user, token = await service.create_user(
        session,
        name=body.name,
        email=str(body.email),
        phone=body.phone,
        timezone=body.timezone,
        now=clock.now(),
        settings=settings,
    )
    return SignUp(user=UserOut.model_validate(user), token=token)


@router.get("", responses=documented(401, 422, s422=[*_INPUT, "invalid_cursor"]))
async def directory(
    session: Session, actor: CurrentUser, limit: Limit = 50, cursor: Cursor = None
) -> Page[UserView]:
    """Everyone who can be booked: id, name and zone (admins also see email and phone)."""
    position = decode_cursor(cursor, an_id)
    after: int | None = None if position is None else position[0]
    users = await service.list_users(session, limit, after)
    more = len(users) > limit
    users = users[:limit]
    items: list[UserView] = [
        UserOut.model_validate(u) if actor.is_admin else UserSummary.model_validate(u)
        for u in users
    ]
    return Page(items=items, next_cursor=encode_cursor([users[-1].id]) if more else None)


@router.get("/me", responses=documented(401))
async def me(actor: CurrentUser) -> UserOut:
    """The calling user, whole."""
    return UserOut.model_validate(actor)


@router.get("/{user_id:not_me}", responses=documented(401, 404, 422, s422=_INPUT))
async def get_user(user_id: UserId, session: Session, actor: CurrentUser) -> UserView:
    """A user: id, name and zone; the whole record for themself and for admins."""
    return view(actor, await service.get_user(session, user_id))


@router.patch("/{user_id:not_me}", responses=documented(401, 403, 404, 422, s422=_INPUT))
async def update_user(
    user_id: UserId, body: UserUpdate, session: Session, actor: CurrentUser
) -> UserOut:
    """Change name, phone, zone, minimum notice, booking horizon, the meeting lengths offered
    on the booking page, buffers before and after meetings, or the most meetings per day and
    per week (self or admin)."""
    user = await service.update_user(session, actor, user_id, body.model_dump(exclude_unset=True))
    return UserOut.model_validate(user)


@router.delete(
    "/{user_id:not_me}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(401, 403, 404, 422, s422=_INPUT),
)
async def delete_user(
    user_id: UserId, session: Session, actor: CurrentUser, clock: ClockDep
) -> Response:
    """Delete a user (self or admin): their tokens stop working and their future reservations
    are cancelled."""
    await service.delete_user(session, actor, user_id, clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)
