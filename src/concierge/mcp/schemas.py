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
