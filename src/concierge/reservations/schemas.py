"""What the reservations endpoints read and write."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from concierge.api.params import MAX_ID
from concierge.meeting_types.schemas import AnswerOut, Answers
from concierge.validation import LINES, Instant

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), LINES]


class ReservationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host_id: int = Field(ge=1, le=MAX_ID, description="The person whose time is booked")
    start: Instant = Field(
        description="RFC 3339 instant with an offset, on the host's 15-minute grid, from "
        "1970-01-01T00:00:00Z up to 2200-01-01T00:00:00Z",
        examples=["2026-12-01T14:00:00Z"],
    )
    duration: int = Field(
        default=15,
        ge=1,
        le=480,
        # Said in the schema, checked by the service: a 422 ``misaligned``, as API.md has it.
        json_schema_extra={"multipleOf": 15, "minimum": 15},
        description="Minutes: a positive multiple of 15, at most 480",
    )
    note: Note | None = None
    confirm: bool = Field(
        default=False,
        description="Book at once (`confirmed`) instead of holding the time for HOLD_MINUTES",
    )
    meeting_type: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="Book one of the host's meeting types: its lengths, notice and horizon "
        "apply, and `duration` defaults to its first length",
    )
    answers: Answers = Field(
        default_factory=dict,
        description="Answers to the meeting type's questions, by question id; a required one "
        "left out: 422 `answer_required`",
    )


class ReservationOut(BaseModel):
    id: int
    host_id: int
    guest_id: int | None = Field(description="Null for a visitor without an account")
    guest_name: str | None = Field(
        default=None, description="A visitor's name, as they gave it on the booking page"
    )
    guest_email: str | None = Field(
        default=None, description="A visitor's email, as they gave it on the booking page"
    )
    start: str = Field(description="RFC 3339 instant")
    end: str = Field(description="RFC 3339 instant")
    duration: int = Field(description="Minutes")
    status: str = Field(
        description="held, confirmed, cancelled or expired; a hold past its deadline reads as "
        "expired even before the sweeper has marked it"
    )
    note: str | None
    hold_expires_at: str | None = Field(description="Deadline to confirm a hold")
    created_at: str
    confirmed_at: str | None
    cancelled_at: str | None
    meeting_type: int | None = Field(
        default=None, description="The meeting type it was booked through, if any"
    )
    answers: list[AnswerOut] = Field(
        default_factory=list, description="The guest's answers, each with its question as asked"
    )


class ExpiredHolds(BaseModel):
    expired: int = Field(description="How many lapsed holds this call marked expired")
