"""What the availability, slots and common-time endpoints read and write."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from concierge.accounts.schemas import KnownZone
from concierge.validation import Day

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

ClockTime = Annotated[
    str,
    Field(
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$",
        examples=["09:00"],
        description="HH:MM on the 15-minute grid; 24:00 is the midnight that ends the day",
    ),
]


class WallWindow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: ClockTime
    end: ClockTime


DayList = Annotated[list[WallWindow], Field(max_length=48)]


class WeekDays(BaseModel):
    model_config = ConfigDict(extra="forbid")

    monday: DayList = []
    tuesday: DayList = []
    wednesday: DayList = []
    thursday: DayList = []
    friday: DayList = []
    saturday: DayList = []
    sunday: DayList = []


class WeeklyHours(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: KnownZone | None = Field(
        default=None, description="Zone the times are in; defaults to the user's zone"
    )
    days: WeekDays


class DateOverrides(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: KnownZone | None = Field(
        default=None, description="Zone the times are in; defaults to the user's zone"
    )
    dates: Annotated[dict[Day, DayList], Field(max_length=400)] = Field(
        description="Windows per date; an empty list makes the date a day off"
    )


class InstantWindow(BaseModel):
    start: str = Field(description="RFC 3339 instant")
    end: str = Field(description="RFC 3339 instant")


class Availability(BaseModel):
    timezone: str
    days: dict[str, list[InstantWindow]]


class Slots(BaseModel):
    timezone: str
    duration: int
    days: dict[str, list[str]] = Field(description="Each free slot's start, per local date")


class CommonTime(BaseModel):
    timezone: str
    days: dict[str, list[InstantWindow]]


class Removed(BaseModel):
    removed: int
