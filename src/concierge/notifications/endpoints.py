"""REST: /v1/users/{id}/notifications — whether a person gets emails, and when reminders come."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from concierge.api.deps import CurrentUser, Session
from concierge.api.params import UserId
from concierge.api.problems import documented
from concierge.errors import Forbidden, InvalidRequest, NotFound
from concierge.models import NotificationSettings, User
from concierge.outbox.writer import DEFAULT_REMINDERS

router = APIRouter(prefix="/v1", tags=["notifications"])


class Notifications(BaseModel):
    model_config = ConfigDict(extra="forbid")

    emails: bool = Field(default=True, description="false: no emails at all (webhooks still go)")
    reminder_minutes: list[int] = Field(
        default=list(DEFAULT_REMINDERS),
        max_length=5,
        description="Reminders before each confirmed meeting, in minutes (default 24 h and "
        "1 h: [1440, 60]); [] for none. Each from 5 minutes to 14 days",
    )


async def _owner(session: Session, actor: User, user_id: int) -> None:
    if actor.id != user_id and not actor.is_admin:
        raise Forbidden("Only the user themselves (or an admin) may see or change this.")
    found = await session.get(User, user_id)
    if found is None or found.deleted_at is not None:
        raise NotFound(f"No user numbered {user_id}.")


@router.get("/users/{user_id}/notifications", responses=documented(401, 403, 404, 422))
async def get_notifications(user_id: UserId, session: Session, actor: CurrentUser) -> Notifications:
    """The user's email and reminder choices (self or admin)."""
    await _owner(session, actor, user_id)
    row = await session.get(NotificationSettings, user_id)
    if row is None:
        return Notifications()
    return Notifications(emails=row.emails, reminder_minutes=row.reminder_minutes)


@router.put("/users/{user_id}/notifications", responses=documented(401, 403, 404, 422))
async def put_notifications(
    user_id: UserId, body: Notifications, session: Session, actor: CurrentUser
) -> Notifications:
    """Replace the user's choices; they apply to meetings confirmed from now on."""
    await _owner(session, actor, user_id)
    minutes = sorted({m for m in body.reminder_minutes}, reverse=True)
    if any(not 5 <= m <= 20160 for m in minutes):
        raise InvalidRequest(
            "Each reminder is from 5 to 20160 minutes before.", field="reminder_minutes"
        )
    row = await session.get(NotificationSettings, user_id)
    if row is None:
        session.add(
            NotificationSettings(user_id=user_id, emails=body.emails, reminder_minutes=minutes)
        )
    else:
        row.emails, row.reminder_minutes = body.emails, minutes
    await session.flush()
    return Notifications(emails=body.emails, reminder_minutes=minutes)
