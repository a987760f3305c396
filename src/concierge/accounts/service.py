"""Users and tokens: sign-up, authentication, permissions, changes and deletion."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, inspect, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from concierge.accounts.tokens import new_token, token_hash
from concierge.cache import AnswerCache
from concierge.changes import ACCOUNTS, ChangeFeed, reading_since, touching
from concierge.config import Settings
from concierge.db import core_rows
from concierge.errors import EmailTaken, Forbidden, NotFound, Unauthenticated
from concierge.meeting_types import defaults as meeting_types
from concierge.models import ApiToken, Reservation, User, WeeklySchedule
from concierge.reservations import transitions
from concierge.scheduling.taken import takes_time
from concierge.timezones import zone

# New people get the working week a booking tool offers by default; they change it at will.
DEFAULT_WEEKLY_HOURS = {
    day: [[9 * 60, 17 * 60]] for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:60] or "user"


async def _free_slug(session: AsyncSession, name: str) -> str:
    base = slugify(name)
    taken = set((await session.scalars(select(User.slug).where(User.slug.startswith(base)))).all())
    if base not in taken:
        return base
    for n in range(2, 100):
        if f"{base}-{n}" not in taken:
            return f"{base}-{n}"
    return f"{base}-{secrets.token_hex(3)}"


async def create_user(
    session: AsyncSession,
    *,
    name: str,
    email: str,
    timezone: str,
    now: datetime,
    settings: Settings,
    phone: str | None = None,
    is_admin: bool = False,
) -> tuple[User, str]:
    """A new user with default weekly hours and a first API token (returned in clear once)."""
    zone(timezone)
    email = normalise_email(email)
    if await find_by_email(session, email) is not None:
        raise EmailTaken(f"{email} is already registered. Sign in with its token instead.")
    user = User(
        name=name,
        email=email,
        phone=phone,
        timezone=timezone,
        slug=await _free_slug(session, name),
        min_notice_minutes=settings.min_notice_minutes,
        horizon_days=settings.horizon_days,
        is_admin=is_admin,
        created_at=now,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent sign-up with the same email won the race
        raise EmailTaken(f"{email} is already registered.") from exc
    session.add(WeeklySchedule(user_id=user.id, timezone=timezone, days=DEFAULT_WEEKLY_HOURS))
    session.add(meeting_types.first_type(user, now))
    token = await issue_token(session, user, now)
    return user, token


async def issue_token(
    session: AsyncSession, user: User, now: datetime, label: str = "default"
) -> str:
    token = new_token()
    session.add(
        ApiToken(user_id=user.id, token_hash=token_hash(token), label=label, created_at=now)
    )
    await session.flush()
    return token


# Every request runs this: composed once, not per call.
_TOKEN_OWNER = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        User.deleted_at.is_(None),
    )
)


_NOT_SIGNED_IN = "Send 'Authorization: Bearer <token>'; sign up at POST /v1/users."
_NOT_RECOGNISED = "Unknown or revoked token; sign up at POST /v1/users for a new one."


async def authenticate(session: AsyncSession, token: str | None) -> User:
    if not token:
        raise Unauthenticated(_NOT_SIGNED_IN)
    user = await session.scalar(_TOKEN_OWNER, {"token_hash": token_hash(token)})
    if user is None:
        raise Unauthenticated(_NOT_RECOGNISED)
    return user


# A token's owner as last read: the User's column values, by token hash (never the token).
UserColumns = dict[str, Any]
TokenCache = AnswerCache[str, UserColumns]
_OWNER_COLUMNS = _TOKEN_OWNER.with_only_columns(
    *(getattr(User, attr.key) for attr in inspect(User).column_attrs)
)


def token_cache(feed: ChangeFeed, settings: Settings) -> TokenCache:
    """Checked tokens, kept ``auth_cache_seconds``; dropped when their owner's account (the
    user, their tokens) changes in this process."""
    return AnswerCache(feed, ACCOUNTS, settings.auth_cache_seconds, max_entries=10_000)


def presented_token(token: str | None) -> str:
    """The hash of the bearer token presented (401 when there is none): tokens are looked up,
    and cached, by hash only."""
    if not token:
        raise Unauthenticated(_NOT_SIGNED_IN)
    return token_hash(token)


def cached_caller(cache: TokenCache, digest: str, now: datetime) -> User | None:
    """The owner of the token with hash ``digest`` as ``cache`` holds them, as a new detached
    User; None when the cache does not hold the token."""
    columns = cache.get(digest, now)
    return None if columns is None else _detached(columns)


async def load_caller(session: AsyncSession, digest: str, cache: TokenCache, now: datetime) -> User:
    """The live owner of the unrevoked token with hash ``digest``, read and kept in ``cache``,
    as a User detached from ``session``; 401 otherwise."""
    since = reading_since(session)
    found = await core_rows(session, _OWNER_COLUMNS, {"token_hash": digest})
    if not found:
        raise Unauthenticated(_NOT_RECOGNISED)
    columns = dict(found[0]._mapping)
    cache.put(digest, columns, user=columns["id"], since=since, now=now)
    return _detached(columns)


_USERS = inspect(User).class_manager


def _detached(columns: UserColumns) -> User:
    """A detached User holding ``columns``, built as the ORM builds one from a row: the values
    are loaded state, not changes, and ``User()`` would fire an event per column (most of a
    cached request's cost). Lists (booking_durations) are copied: each caller owns its copy."""
    user = _USERS.new_instance()
    user.__dict__.update({k: list(v) if isinstance(v, list) else v for k, v in columns.items()})
    make_transient_to_detached(user)
    return user


async def find_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(
        select(User).where(User.email == normalise_email(email), User.deleted_at.is_(None))
    )


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound(f"No user with id {user_id}.")
    return user


async def get_users(session: AsyncSession, user_ids: Sequence[int]) -> list[User]:
    """The users named, in the order given; 404 naming any that does not exist."""
    found = {
        u.id: u
        for u in await session.scalars(
            select(User).where(User.id.in_(set(user_ids)), User.deleted_at.is_(None))
        )
    }
    missing = [uid for uid in user_ids if uid not in found]
    if missing:
        raise NotFound(f"No user with id {', '.join(map(str, missing))}.")
    return [found[uid] for uid in user_ids]


async def find_person(session: AsyncSession, who: str) -> User:
    """A user named by id, email or (unambiguous) name, for front doors that take words."""
    who = who.strip()
    if who.isdigit():
        return await get_user(session, int(who))
    if "@" in who:
        user = await find_by_email(session, who)
        if user is None:
            raise NotFound(f"Nobody is registered with the email {who}.")
        return user
    matches = list(
        await session.scalars(
            select(User).where(User.name.ilike(who), User.deleted_at.is_(None)).limit(5)
        )
    )
    if not matches:
        raise NotFound(f"Nobody is called {who!r}; try their email address.")
    if len(matches) > 1:
        raise NotFound(f"Several people are called {who!r}; name them by email instead.")
    return matches[0]


async def list_users(session: AsyncSession, limit: int, after_id: int | None) -> list[User]:
    query = select(User).where(User.deleted_at.is_(None)).order_by(User.id).limit(limit + 1)
    if after_id is not None:
        query = query.where(User.id > after_id)
    return list(await session.scalars(query))


def require_self_or_admin(actor: User, user_id: int) -> None:
    if actor.id != user_id and not actor.is_admin:
        raise Forbidden("Only this user or an admin may do that.")


def sees_everything_of(actor: User, user: User) -> bool:
    return actor.id == user.id or actor.is_admin


# The fields whose null means something: no phone, no limit.
_CLEARABLE = frozenset({"phone", "max_per_day", "max_per_week"})


async def update_user(
    session: AsyncSession, actor: User, user_id: int, changes: dict[str, object]
) -> User:
    require_self_or_admin(actor, user_id)
    user = await get_user(session, user_id)
    for name, value in changes.items():
        if value is None and name not in _CLEARABLE:
            continue
        setattr(user, name, value)
    await session.flush()
    if changes.get("booking_durations") is not None:
        await meeting_types.offer_durations(session, user)
    return user


async def delete_user(session: AsyncSession, actor: User, user_id: int, now: datetime) -> None:
    """Soft-delete: tokens revoked, future reservations cancelled, history kept."""
    require_self_or_admin(actor, user_id)
    user = await get_user(session, user_id)
    user.deleted_at = now
    await session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(**touching(user.id))
    )
    # They leave the meetings they host with others, which go on without them; their other
    # meetings still ahead are cancelled like any other, one event each.
    await transitions.leave_meetings(session, user.id, now)
    await transitions.move(
        session,
        and_(
            or_(Reservation.host_id == user.id, Reservation.guest_id == user.id),
            takes_time(now),  # a lapsed hold the sweeper has not reached is expired, not this
            Reservation.end_at > now,
        ),
        "cancelled",
        cancelled_at=now,
    )
    await session.flush()
