"""Demo data: a few people in different zones, so a newcomer can try every endpoint at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.accounts import service as accounts
from concierge.clock import Clock
from concierge.config import Settings
from concierge.db import Database
from concierge.models import User, WeeklySchedule


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    timezone: str
    hours: dict[str, list[list[int]]]
    is_admin: bool = False


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")

PEOPLE = (
    DemoPerson("Demo Admin", "admin@demo.concierge", "UTC", {}, is_admin=True),
    DemoPerson(
        "Ada Lovelace",
        "ada@demo.concierge",
        "Europe/London",
        {d: [[9 * 60, 12 * 60], [13 * 60, 17 * 60]] for d in _WEEKDAYS},
    ),
    DemoPerson(
        "Grace Hopper",
        "grace@demo.concierge",
        "America/New_York",
        {d: [[8 * 60, 16 * 60]] for d in _WEEKDAYS},
    ),
    DemoPerson(
        "Alan Turing",
        "alan@demo.concierge",
        "Europe/London",
        {**{d: [[10 * 60, 18 * 60]] for d in _WEEKDAYS}, "saturday": [[10 * 60, 13 * 60]]},
    ),
)


async def load(db: Database, clock: Clock, settings: Settings) -> list[tuple[DemoPerson, int, str]]:
    """Create the demo people (once) and give each a fresh token: ``(person, id, token)``."""
    loaded = []
    async with db.unit_of_work() as session:
        for person in PEOPLE:
            user = await accounts.find_by_email(session, person.email)
            if user is None:
                user, token = await accounts.create_user(
                    session,
                    name=person.name,
                    email=person.email,
                    timezone=person.timezone,
                    now=clock.now(),
                    settings=settings,
                    is_admin=person.is_admin,
                )
                schedule = await session.get(WeeklySchedule, user.id)
                if schedule is not None:
                    schedule.days = person.hours
            else:
                token = await accounts.issue_token(session, user, clock.now(), label="demo")
            loaded.append((person, user.id, token))
    return loaded


async def hosts(session: AsyncSession) -> list[User]:
    """The demo people who take bookings, in demo order, when the demo is loaded (else none)."""
    emails = [person.email for person in PEOPLE if not person.is_admin]
    found = await session.scalars(
        select(User).where(User.email.in_(emails), User.deleted_at.is_(None))
    )
    by_email = {user.email: user for user in found}
    return [by_email[email] for email in emails if email in by_email]
