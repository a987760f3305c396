"""What the users endpoints read and write."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from concierge.errors import InvalidRequest
from concierge.timezones import zone
from concierge.validation import ONE_LINE

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), ONE_LINE]
TimeZoneName = Annotated[str, Field(max_length=64, examples=["America/New_York"]), ONE_LINE]


def _known_zone(value: str) -> str:
    # A ValueError, so that the 422 lists the field among the others that fail.
    try:
        zone(value)
    except InvalidRequest as exc:
        raise ValueError(exc.detail) from None
    return value


# An IANA zone name, checked while the body is read.
KnownZone = Annotated[TimeZoneName, AfterValidator(_known_zone)]

# Buffers and limits (see ``engine.Rules``): bounded so that one person's rules stay readable.
MAX_BUFFER_MINUTES = 240
MAX_PER_DAY = 96
MAX_PER_WEEK = 500
BufferMinutes = Annotated[int, Field(ge=0, le=MAX_BUFFER_MINUTES)]
PerDay = Annotated[int, Field(ge=1, le=MAX_PER_DAY)]
PerWeek = Annotated[int, Field(ge=1, le=MAX_PER_WEEK)]
_BEFORE = "Minutes kept free before each of this person's meetings (0 to 240)"
_AFTER = "Minutes kept free after each of this person's meetings (0 to 240)"
_PER_DAY = "Most meetings starting on one day in the person's zone; null: no limit"
_PER_WEEK = (
    "Most meetings starting in one week, Monday to Sunday, in the person's zone; null: no limit"
)

# A duration a host offers: whole 15-minute steps up to 8 hours, as slots are.
BookingDuration = Annotated[int, Field(ge=15, le=480, multiple_of=15)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: EmailStr
    phone: Phone | None = None
    timezone: TimeZoneName

    _zone = field_validator("timezone")(_known_zone)


_NOT_NULL = (
    "name",
    "timezone",
    "min_notice_minutes",
    "horizon_days",
    "buffer_before_minutes",
    "buffer_after_minutes",
)


def _schema_without_null(schema: dict[str, Any]) -> None:
    for name in _NOT_NULL:
        field = schema["properties"][name]
        field["anyOf"] = [branch for branch in field["anyOf"] if branch.get("type") != "null"]


class UserUpdate(BaseModel):
    """Only the fields sent change. ``phone: null`` clears the phone and a limit's null lifts
    it; the other fields have no "nothing" to set, so null is refused for them (422), and the
    schema says so."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_schema_without_null)

    name: Name | None = None
    phone: Phone | None = None
    timezone: TimeZoneName | None = None
    min_notice_minutes: int | None = Field(default=None, ge=0, le=525_600)
    horizon_days: int | None = Field(default=None, ge=1, le=3650)
    booking_durations: list[BookingDuration] | None = Field(
        default=None,
        min_length=1,
        max_length=8,
        description="Meeting lengths in minutes offered on the booking page, e.g. [15, 30, 60]",
    )
    buffer_before_minutes: BufferMinutes | None = Field(default=None, description=_BEFORE)
    buffer_after_minutes: BufferMinutes | None = Field(default=None, description=_AFTER)
    max_per_day: PerDay | None = Field(default=None, description=_PER_DAY)
    max_per_week: PerWeek | None = Field(default=None, description=_PER_WEEK)

    @field_validator("booking_durations")
    @classmethod
    def _distinct_sorted(cls, value: list[int] | None) -> list[int] | None:
        return None if value is None else sorted(set(value))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else _known_zone(value)

    @model_validator(mode="before")
    @classmethod
    def _only_phone_clears(cls, data: Any) -> Any:
        # Leaving a field out keeps it; null would erase a value every user must have.
        if isinstance(data, dict):
            for name in _NOT_NULL:
                if name in data and data[name] is None:
                    raise ValueError(f"{name} cannot be null: leave it out to keep it")
        return data


class UserSummary(BaseModel):
    """What anyone signed in may see of another person."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    timezone: str


class UserOut(UserSummary):
    """The whole user: for themself and for admins."""

    email: str
    phone: str | None
    slug: str = Field(description="The user's public booking page is /book/{slug}")
    min_notice_minutes: int
    horizon_days: int
    booking_durations: list[int] = Field(
        description="Meeting lengths in minutes offered on the booking page"
    )
    buffer_before_minutes: int = Field(description=_BEFORE)
    buffer_after_minutes: int = Field(description=_AFTER)
    max_per_day: int | None = Field(description=_PER_DAY)
    max_per_week: int | None = Field(description=_PER_WEEK)
    is_admin: bool
    created_at: datetime


class SignUp(BaseModel):
    user: UserOut
    token: str = Field(description="The API token; shown this once, stored only as a hash")
