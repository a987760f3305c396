"""Meeting types: read, write and book them. Only their owner (or an admin) writes one; anyone
reads a public one, and whoever has its address books a hidden one.

A type decides what may be booked through it (its lengths, its notice and horizon, the answers
it needs); the booking itself is the reservations service's, with the type's rules passed in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.accounts import service as accounts
from concierge.config import Settings
from concierge.errors import (
    AnswerRequired,
    DurationNotOffered,
    InvalidRequest,
    NotFound,
    SlugTaken,
)
from concierge.meeting_types.schemas import (
    MAX_TYPES,
    RESERVED_SLUGS,
    MeetingTypeCreate,
    MeetingTypeUpdate,
)
from concierge.models import MeetingType, Reservation, User
from concierge.reservations import service as reservations


def notice_minutes(meeting_type: MeetingType, host: User) -> int:
    """The type's own notice, else the host's."""
    own = meeting_type.min_notice_minutes
    return host.min_notice_minutes if own is None else own


def horizon_days(meeting_type: MeetingType, host: User) -> int:
    """The type's own horizon, else the host's."""
    own = meeting_type.horizon_days
    return host.horizon_days if own is None else own


def booking_path(host: User, meeting_type: MeetingType) -> str:
    return f"/book/{host.slug}/{meeting_type.slug}"


def _slug_of(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60] or "meeting"


# ------------------------------------------------------------------------------------- reading


async def list_for(session: AsyncSession, owner: User, *, hidden_too: bool) -> list[MeetingType]:
    """The owner's types in the order they made them; hidden ones only when ``hidden_too``."""
    statement = select(MeetingType).where(MeetingType.owner_id == owner.id)
    if not hidden_too:
        statement = statement.where(MeetingType.public.is_(True))
    return list(await session.scalars(statement.order_by(MeetingType.id)))


async def by_slug(session: AsyncSession, host: User, slug: str) -> MeetingType:
    found = await session.scalar(
        select(MeetingType).where(MeetingType.owner_id == host.id, MeetingType.slug == slug)
    )
    if found is None:
        raise NotFound(f"{host.name} has no meeting type {slug[:80]!r}. Check the address.")
    return found


async def first_of(session: AsyncSession, host: User) -> MeetingType:
    """The host's first type: what their page books when the address names none."""
    found = await session.scalar(
        select(MeetingType).where(MeetingType.owner_id == host.id).order_by(MeetingType.id)
    )
    if found is None:
        raise NotFound(f"{host.name} offers no meetings to book at the moment.")
    return found


async def get_visible(session: AsyncSession, actor: User, type_id: int) -> MeetingType:
    """A type its owner or an admin asks for, or anyone a public one; 404 for the rest."""
    found = await session.get(MeetingType, type_id)
    if found is None or not (found.public or actor.is_admin or actor.id == found.owner_id):
        raise NotFound(f"No meeting type numbered {type_id}.")
    owner = await session.get(User, found.owner_id)
    if owner is None or owner.deleted_at is not None:
        raise NotFound(f"No meeting type numbered {type_id}.")
    return found


async def for_host(session: AsyncSession, host_id: int, type_id: int) -> MeetingType:
    """The type a booking names: it must be one of this host's."""
    found = await session.get(MeetingType, type_id)
    if found is None or found.owner_id != host_id:
        raise InvalidRequest(
            f"Meeting type {type_id} is not one of this host's; list theirs to pick one.",
            field="meeting_type",
        )
    return found


# ------------------------------------------------------------------------------------- writing


def _apply(meeting_type: MeetingType, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name == "location":
            meeting_type.location_kind = value["kind"]
            meeting_type.location_detail = value.get("detail", "")
        elif name == "durations":
            meeting_type.durations = list(value)
        else:
            setattr(meeting_type, name, value)


def _check_slug(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise InvalidRequest(
            f"{slug!r} is a word the booking page itself uses; choose another slug.",
            field="slug",
        )


async def _flush(session: AsyncSession, owner: User, slug: str) -> None:
    taken = f"{owner.name} already has a meeting type at {slug!r}; choose another slug."
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise SlugTaken(taken, field="slug") from exc


async def create(
    session: AsyncSession, actor: User, owner_id: int, body: MeetingTypeCreate, now: datetime
) -> MeetingType:
    accounts.require_self_or_admin(actor, owner_id)
    owner = await accounts.get_user(session, owner_id)
    count = await session.scalar(
        select(func.count()).select_from(MeetingType).where(MeetingType.owner_id == owner.id)
    )
    if (count or 0) >= MAX_TYPES:
        raise InvalidRequest(f"A host may have up to {MAX_TYPES} meeting types; delete one first.")
    slug = body.slug or _slug_of(body.title)
    _check_slug(slug)
    meeting_type = MeetingType(owner_id=owner.id, slug=slug, created_at=now)
    _apply(meeting_type, body.model_dump(exclude={"slug"}))
    session.add(meeting_type)
    await _flush(session, owner, slug)
    return meeting_type


async def _owned(session: AsyncSession, actor: User, type_id: int) -> tuple[MeetingType, User]:
    found = await get_visible(session, actor, type_id)
    accounts.require_self_or_admin(actor, found.owner_id)
    owner = await accounts.get_user(session, found.owner_id)
    return found, owner


async def update_type(
    session: AsyncSession, actor: User, type_id: int, body: MeetingTypeUpdate
) -> MeetingType:
    meeting_type, owner = await _owned(session, actor, type_id)
    changes = body.model_dump(include=body.model_fields_set)
    if "slug" in changes:
        _check_slug(changes["slug"])
    _apply(meeting_type, changes)
    await _flush(session, owner, meeting_type.slug)
    return meeting_type


async def delete(session: AsyncSession, actor: User, type_id: int) -> None:
    """Gone for good; bookings made through it stay, with their answers, typeless."""
    meeting_type, _ = await _owned(session, actor, type_id)
    await session.execute(
        update(Reservation)
        .where(Reservation.meeting_type_id == meeting_type.id)
        .values(meeting_type_id=None)
    )
    await session.delete(meeting_type)
    await session.flush()


# ------------------------------------------------------------------------------------- booking


def check_duration(meeting_type: MeetingType, duration: int) -> None:
    if duration not in meeting_type.durations:
        lengths = ", ".join(str(m) for m in meeting_type.durations)
        raise DurationNotOffered(
            f"{meeting_type.title} is offered for {lengths} minutes; pick one of those.",
            field="duration",
        )


def offered_duration(meeting_type: MeetingType, requested: int | None) -> int:
    """The length to show: the one asked for when the type offers it, else its first."""
    if requested in meeting_type.durations:
        return int(requested)
    return int(meeting_type.durations[0])


def answers_for(meeting_type: MeetingType, given: Mapping[str, str]) -> list[dict[str, str]]:
    """The answers to keep, each with its question's wording; a required one left empty is
    refused (naming it), an answer to a question the type does not ask too."""
    questions = {str(q["id"]): q for q in meeting_type.questions}
    unknown = sorted(set(given) - set(questions))
    if unknown:
        asked = ", ".join(questions) or "none"
        raise InvalidRequest(
            f"{meeting_type.title} asks no question {unknown[0][:40]!r} (its questions: {asked}).",
            field="answers",
        )
    kept = []
    for qid, question in questions.items():
        answer = (given.get(qid) or "").strip()
        if not answer and question.get("required"):
            raise AnswerRequired(
                f"Answer {question['label']!r}: {meeting_type.title} needs it.",
                field=f"answers.{qid}",
                question=qid,
            )
        if answer:
            kept.append({"question": str(question["label"]), "answer": answer})
    return kept


def offer(
    meeting_type: MeetingType,
    host: User,
    duration: int,
    given: Mapping[str, str],
    *,
    answers_due: bool = True,
) -> reservations.Offer:
    """What booking ``duration`` minutes of this type asks of the reservations service; a hold
    taken while the guest is still typing (``answers_due=False``) has no answers yet."""
    check_duration(meeting_type, duration)
    return reservations.Offer(
        meeting_type_id=meeting_type.id,
        min_notice_minutes=notice_minutes(meeting_type, host),
        horizon_days=horizon_days(meeting_type, host),
        answers=answers_for(meeting_type, given) if answers_due else [],
    )


async def reserve(
    session: AsyncSession,
    *,
    meeting_type: MeetingType,
    guest: User | reservations.Visitor,
    start: datetime,
    duration: int,
    answers: Mapping[str, str],
    now: datetime,
    settings: Settings,
    note: str | None = None,
    confirm: bool = False,
) -> Reservation:
    host = await accounts.get_user(session, meeting_type.owner_id)
    return await reservations.reserve(
        session,
        guest=guest,
        host_id=host.id,
        start=start,
        duration_minutes=duration,
        now=now,
        settings=settings,
        note=note,
        confirm=confirm,
        offer=offer(meeting_type, host, duration, answers),
    )
