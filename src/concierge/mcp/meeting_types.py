"""Meeting-type tools: what kinds of meeting a person offers, and booking one of them.

A type carries its own lengths, place and questions; booking one passes the guest's answers
through the same service as the REST API, so a required answer left out is refused alike.
"""

from __future__ import annotations

from typing import Annotated

from mcp.types import CallToolResult
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.accounts import service as accounts
from concierge.errors import NotFound
from concierge.mcp import parsing, text

# The appointment tools' own wording of a booking, so both kinds read alike.
from concierge.mcp.appointments import Person
from concierge.mcp.appointments import _appointment as appointment
from concierge.mcp.appointments import _line as line
from concierge.mcp.appointments import _ref as person_ref
from concierge.mcp.results import reply, tool_errors
from concierge.mcp.runtime import ToolContext, acting, count_booking
from concierge.mcp.schemas import Appointment, MeetingTypeInfo, MeetingTypes, QuestionInfo
from concierge.meeting_types import service as meeting_types
from concierge.meeting_types.schemas import MAX_ANSWER, MAX_QUESTIONS
from concierge.models import MeetingType, User
from concierge.timezones import zone
from concierge.web import views

TypeRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=80,
        description="Which meeting type: its slug (e.g. intro-call) or id, from list_meeting_types",
    ),
]


def _info(host: User, offered: MeetingType) -> MeetingTypeInfo:
    return MeetingTypeInfo(
        id=offered.id,
        slug=offered.slug,
        title=offered.title,
        description=offered.description,
        durations=list(offered.durations),
        location=views.location_label(offered.location_kind, offered.location_detail) or None,
        questions=[
            QuestionInfo(id=q["id"], label=q["label"], required=bool(q.get("required")))
            for q in offered.questions
        ],
        min_notice_minutes=meeting_types.notice_minutes(offered, host),
        horizon_days=meeting_types.horizon_days(offered, host),
    )


async def _named(session: AsyncSession, host: User, ref: str) -> MeetingType:
    if ref.isascii() and ref.isdigit() and len(ref) < 11:
        found = await session.get(MeetingType, int(ref))
        if found is not None and found.owner_id == host.id:
            return found
    try:
        return await meeting_types.by_slug(session, host, ref)
    except NotFound as exc:
        raise NotFound(f"{exc.detail} Call list_meeting_types for theirs.") from None


@tool_errors
async def list_meeting_types(
    person: Person, ctx: ToolContext
) -> Annotated[CallToolResult, MeetingTypes]:
    """The kinds of meeting someone offers (as on their booking page): each one's title,
    lengths, place, the questions it asks the guest (required or not) and its own notice and
    horizon. Use it before book_meeting_type, and ask the person the required questions."""
    async with acting(ctx, write=False) as call:
        host = await accounts.find_person(call.session, person)
        listed = await meeting_types.list_for(
            call.session, host, hidden_too=host.id == call.user.id
        )
        data = MeetingTypes(person=person_ref(host), items=[_info(host, t) for t in listed])
    if not data.items:
        return reply(data, f"{host.name} offers no meeting types at the moment.")
    lines = [f"{host.name} offers:"]
    for item in data.items:
        lengths = " or ".join(text.minutes(m) for m in item.durations)
        where = f", {item.location}" if item.location else ""
        lines.append(f"- {item.title} [{item.slug}]: {lengths}{where}")
        for q in item.questions:
            lines.append(
                f"    asks: {q.label} ({'required' if q.required else 'optional'}) [{q.id}]"
            )
    return reply(data, "\n".join(lines))


class Answer(BaseModel):
    """One answer to one of the type's questions."""

    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, Field(min_length=1, max_length=40, description="Its id")]
    answer: Annotated[str, Field(max_length=MAX_ANSWER, description="What the guest says")]


@tool_errors
async def book_meeting_type(
    person: Person,
    meeting_type: TypeRef,
    start: Annotated[
        str,
        Field(
            min_length=1,
            max_length=40,
            description="When it starts, in your own time zone (2026-12-01T10:30, 'Monday "
            "9am') or with an offset; best a start from find_free_slots",
        ),
    ],
    ctx: ToolContext,
    duration: Annotated[
        int | None,
        Field(ge=15, le=480, description="Minutes, one the type offers; default its first"),
    ] = None,
    answers: Annotated[
        list[Answer],
        Field(
            max_length=MAX_QUESTIONS,
            description="Answers to the type's questions, each by the question's id (as "
            'list_meeting_types shows it), e.g. [{"question": "company", "answer": "Acme"}]; '
            "every required one is needed",
        ),
    ]
    | None = None,
    note: Annotated[
        str | None, Field(max_length=2000, description="What it is about, for them")
    ] = None,
    confirm: Annotated[
        bool, Field(description="Book it outright instead of holding it for 30 minutes")
    ] = False,
) -> Annotated[CallToolResult, Appointment]:
    """Book one of someone's meeting types (from list_meeting_types): its lengths, notice and
    horizon apply and its required questions must be answered. Holds the time for 30 minutes
    (then confirm_appointment) or books it outright with `confirm`, only after the person has
    agreed to the type, the time and their answers."""
    async with acting(ctx, write=True) as call:
        await count_booking(call)
        host = await accounts.find_person(call.session, person)
        offered = await _named(call.session, host, meeting_type)
        view = zone(call.user.timezone)
        row = await meeting_types.reserve(
            call.session,
            meeting_type=offered,
            guest=call.user,
            start=parsing.instant(start, call.now, view),
            duration=duration or offered.durations[0],
            answers={a.question: a.answer for a in answers or []},
            now=call.now,
            settings=call.settings,
            note=note.strip() if note and note.strip() else None,
            confirm=confirm,
        )
        data = await appointment(call.session, call.user, row, view, call.now)
    verb = "Booked" if data.status == "confirmed" else "Held"
    return reply(data, f"{verb} {offered.title}: {line(data, view)}")
