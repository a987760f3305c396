"""What the users endpoints read and write."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, field_validator

from concierge.timezones import zone

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
TimeZoneName = Annotated[str, Field(max_length=64, examples=["America/New_York"])]


def _known_zone(value: str) -> str:
    zone(value)
    return value


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: EmailStr
    phone: Phone | None = None
    timezone: TimeZoneName

    _zone = field_validator("timezone")(_known_zone)


_NOT_NULL = ("name", "timezone", "min_notice_minutes", "horizon_days")


def _schema_without_null(schema: dict[str, Any]) -> None:
    for name in _NOT_NULL:
        field = schema["properties"][name]
        field["anyOf"] = [branch for branch in field["anyOf"] if branch.get("type") != "null"]


class UserUpdate(BaseModel):
    """Only the fields sent change. ``phone: null`` clears the phone; the other fields have no
    "nothing" to set, so null is refused for them (422) instead of failing in the database."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_schema_without_null)

    name: Name | None = None
    phone: Phone | None = None
    timezone: TimeZoneName | None = None
    min_notice_minutes: int | None = Field(default=None, ge=0, le=525_600)
    horizon_days: int | None = Field(default=None, ge=1, le=3650)

    @field_validator(*_NOT_NULL, mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only for values sent (defaults are not validated): absent still means "keep".
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else _known_zone(value)


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
    is_admin: bool
    created_at: datetime


class SignUp(BaseModel):
    user: UserOut
    token: str = Field(description="The API token; shown this once, stored only as a hash")
