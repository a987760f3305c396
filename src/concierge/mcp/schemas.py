"""The structured half of each tool's answer (the other half is readable text)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, WithJsonSchema

# Appointment instants are RFC 3339 with the offset of the zone they are shown in; saying so
# in the schema lets strict clients (ajv-formats in the TypeScript SDK) hold us to it.
Instant = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
Day = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]


class PersonRef(BaseModel):
    id: int
    name: str
    timezone: str


class DaySlots(BaseModel):
    date: Day = Field(description="Local date (YYYY-MM-DD) in `timezone`")
    starts: list[Instant] = Field(description="Each free slot's start, RFC 3339 with offset")


class FreeSlots(BaseModel):
    person: PersonRef
    timezone: str = Field(description="The zone dates and times are given in (yours)")
    duration: int = Field(description="Minutes")
    days: list[DaySlots]


class Window(BaseModel):
    start: Instant = Field(description="RFC 3339 with offset")
    end: Instant = Field(description="RFC 3339 with offset")


class DayWindows(BaseModel):
    date: Day
    windows: list[Window]


class CommonTime(BaseModel):
    people: list[PersonRef]
    timezone: str
    min_duration: int = Field(description="Minutes")
    days: list[DayWindows]


class Appointment(BaseModel):
    id: int
    role: str = Field(description="guest: you booked their time; host: they booked yours")
    host: PersonRef
    guest: PersonRef | None = Field(description="None for a visitor without an account")
    guest_name: str | None = Field(default=None, description="A visitor's name")
    start: Instant = Field(description="RFC 3339, in your zone")
    end: Instant = Field(description="RFC 3339, in your zone")
    duration: int = Field(description="Minutes")
    status: str = Field(description="held, confirmed, cancelled or expired")
    note: str | None = None
    cancel_reason: str | None = Field(default=None, description="Why it was cancelled, if said")
    hold_expires_at: Instant | None = Field(
        default=None, description="Until when a hold waits for confirm_appointment"
    )
    co_hosts: list[PersonRef] = Field(
        default_factory=list,
        description="A meeting's other hosts, besides `host` (empty for two people)",
    )


class Appointments(BaseModel):
    timezone: str
    items: list[Appointment]


class QuestionInfo(BaseModel):
    id: str = Field(description="The key of its answer in book_meeting_type's answers")
    label: str
    required: bool


class MeetingTypeInfo(BaseModel):
    id: int
    slug: str
    title: str
    description: str
    durations: list[int] = Field(description="Minutes offered; the first is the default")
    location: str | None = Field(description="Where it happens, in words; None if not said")
    questions: list[QuestionInfo]
    min_notice_minutes: int = Field(description="How far ahead it must be booked")
    horizon_days: int = Field(description="How many days ahead it can be booked")


class MeetingTypes(BaseModel):
    person: PersonRef
    items: list[MeetingTypeInfo]
