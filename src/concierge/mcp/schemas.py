"""The structured half of each tool's answer (the other half is readable text)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PersonRef(BaseModel):
    id: int
    name: str
    timezone: str


class DaySlots(BaseModel):
    date: str = Field(description="Local date (YYYY-MM-DD) in `timezone`")
    starts: list[str] = Field(description="Each free slot's start, RFC 3339 with offset")


class FreeSlots(BaseModel):
    person: PersonRef
    timezone: str = Field(description="The zone dates and times are given in (yours)")
    duration: int = Field(description="Minutes")
    days: list[DaySlots]


class Window(BaseModel):
    start: str = Field(description="RFC 3339 with offset")
    end: str = Field(description="RFC 3339 with offset")


class DayWindows(BaseModel):
    date: str
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
    start: str = Field(description="RFC 3339, in your zone")
    end: str = Field(description="RFC 3339, in your zone")
    duration: int = Field(description="Minutes")
    status: str = Field(description="held, confirmed, cancelled or expired")
    note: str | None = None
    hold_expires_at: str | None = Field(
        default=None, description="Until when a hold waits for confirm_appointment"
    )


class Appointments(BaseModel):
    timezone: str
    items: list[Appointment]
