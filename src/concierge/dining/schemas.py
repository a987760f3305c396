"""What the dining service answers: typed results that also read well as plain text."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema

PLATFORM = "Resy"

# A restaurant's times are its own wall clock, with its zone named beside them (`time_zone`).
# They are plain strings in every schema: RFC 3339's `time` and `date-time` formats demand a
# UTC offset, which strict clients (the TypeScript MCP SDK) enforce, and a wall clock has none.
WallClockTime = Annotated[
    time,
    PlainSerializer(lambda at: at.strftime("%H:%M:%S"), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{2}:\d{2}:\d{2}$",
            "description": "The restaurant's wall clock, HH:MM:SS (its zone: time_zone)",
        }
    ),
]
WallClockDateTime = Annotated[
    datetime,
    PlainSerializer(lambda at: at.strftime("%Y-%m-%dT%H:%M:%S"), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$",
            "description": "The restaurant's wall clock, YYYY-MM-DDTHH:MM:SS (its zone: time_zone)",
        }
    ),
]


def clock_text(at: time | datetime) -> str:
    """7:30 PM"""
    return f"{at.hour % 12 or 12}:{at.minute:02d} {'AM' if at.hour < 12 else 'PM'}"


def day_text(day: date) -> str:
    """Saturday Feb 14"""
    return f"{day:%A} {day:%b} {day.day}"


class RestaurantSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    place_id: str
    name: str
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    # None: not asked yet; True with a venue id; False: Resy does not list it.
    on_resy: bool | None = None
    resy_venue_id: int | None = None

    def text(self) -> str:
        where = f" - {self.address}" if self.address else ""
        resy = {True: " (on Resy)", False: " (not on Resy)", None: ""}[self.on_resy]
        return f"{self.name}{where}{resy}"


class TableSlot(BaseModel):
    """One open table. ``start`` is the restaurant's wall clock; ``token`` is what booking
    needs (Resy's ``config.token``)."""

    model_config = ConfigDict(frozen=True)

    start: WallClockDateTime
    end: WallClockDateTime | None = None
    table_type: str | None = None
    token: str
    platform: str = PLATFORM
    minutes_from_preferred: int | None = None

    def text(self) -> str:
        kind = self.table_type or "Table"
        return f"{clock_text(self.start)} - {kind} ({self.platform})"


class AvailabilityResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    restaurant: RestaurantSummary
    day: date
    party_size: int
    preferred_time: WallClockTime | None = None
    flexibility_minutes: int
    time_zone: str | None = None
    # Inside the window around the preferred time (all of the day without one), nearest first.
    slots: list[TableSlot]
    # When nothing fits the window: the open tables closest to it, so the person can choose.
    nearest_outside: list[TableSlot] = []
    booking_url: str | None = None

    @property
    def on_resy(self) -> bool:
        return self.restaurant.on_resy is not False

    def text(self) -> str:
        if not self.on_resy:
            where = f" ({self.restaurant.address})" if self.restaurant.address else ""
            return (
                f"{self.restaurant.name}{where} is not on {PLATFORM}, so its tables cannot be "
                "checked here. Book with the restaurant directly."
            )
        head = f"{self.restaurant.name} - {day_text(self.day)}"
        if self.slots:
            return "\n".join([f"{head}:", *(f"  {slot.text()}" for slot in self.slots)])
        party = f"{self.party_size} {'person' if self.party_size == 1 else 'people'}"
        if self.preferred_time is not None and self.nearest_outside:
            closest = ", ".join(clock_text(s.start) for s in self.nearest_outside)
            return (
                f"{head}: no table for {party} within {self.flexibility_minutes} minutes of "
                f"{clock_text(self.preferred_time)}. Closest open times: {closest} "
                f"({PLATFORM})."
            )
        return f"{head}: no open tables for {party} on {PLATFORM}."
