"""What the reservations endpoints read and write."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from concierge.api.params import MAX_ID
from concierge.meeting_types.schemas import AnswerOut, Answers
from concierge.validation import LINES, Instant

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), LINES]


class ReservationCreate(BaseModel):
    """One host (``host_id``) or a meeting with several (``hosts``): exactly one of the two."""

    model_config = ConfigDict(extra="forbid")

    host_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="The person whose time is booked"
    )
    hosts: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        default=None,
        min_length=2,
        max_length=20,
        description="A meeting with several hosts (2 to 20, each once, not you): booked only "
        "if every one of them is available and free, and every rule of each holds; instead "
        "of `host_id`",
        examples=[[2, 3, 4]],
    )
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

    @model_validator(mode="after")
    def _one_way_to_name_hosts(self) -> ReservationCreate:
        if (self.host_id is None) == (self.hosts is None):
            raise ValueError("give either host_id or hosts")
        return self


Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), LINES]


class ReservationReschedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: Instant = Field(
        description="The new start: an RFC 3339 instant with an offset, on the host's 15-minute "
        "grid, kept to every rule of a new booking",
        examples=["2026-12-01T15:00:00Z"],
    )
    duration: int | None = Field(
        default=None,
        ge=1,
        le=480,
        json_schema_extra={"multipleOf": 15, "minimum": 15},
        description="New length in minutes (a positive multiple of 15, at most 480); default: "
        "the reservation's own",
    )


class ReservationCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason | None = Field(
        default=None, description="Why, kept with the reservation and told to the other side"
    )


class ReservationOut(BaseModel):
    id: int
    host_id: int = Field(description="Its first host (of a meeting, one still in it)")
    hosts: list[int] = Field(
        description="Every host still in it, `host_id` first: one, or several for a meeting"
    )
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
    cancel_reason: str | None = Field(default=None, description="Why it was cancelled, if said")
    sequence: int = Field(
        default=0,
        description="Grows by one with every change (the SEQUENCE of its calendar event)",
    )
    rescheduled_at: str | None = Field(default=None, description="When it last moved")
    meeting_type: int | None = Field(
        default=None, description="The meeting type it was booked through, if any"
    )
    answers: list[AnswerOut] = Field(
        default_factory=list, description="The guest's answers, each with its question as asked"
    )


class ExpiredHolds(BaseModel):
    expired: int = Field(description="How many lapsed holds this call marked expired")
