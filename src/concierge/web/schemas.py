"""The booking form, checked field by field so each mistake is named next to its field."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from concierge.errors import InvalidRequest
from concierge.timezones import zone
from concierge.validation import ONE_LINE, Instant, ascii_digits


def _ascii_number(value: object) -> object:
    if isinstance(value, str) and not ascii_digits(value):
        raise ValueError("must be a whole number in ASCII digits")
    return value


class TimeForm(BaseModel):
    """A chosen time: what the page holds for the visitor while they fill the form in."""

    model_config = ConfigDict(extra="forbid")

    start: Instant
    duration: Annotated[int, BeforeValidator(_ascii_number), Field(ge=1, le=24 * 60)]
    tz: Annotated[str, StringConstraints(max_length=64), ONE_LINE]

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zone(value)
        except InvalidRequest as exc:
            raise ValueError(exc.detail) from exc
        return value


class BookingForm(TimeForm):
    """The whole form: the chosen time and who the visitor is."""

    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE
    ]
    email: Annotated[EmailStr, ONE_LINE]


class MoveForm(BaseModel):
    """A booking's new time, picked from the host's free times."""

    model_config = ConfigDict(extra="forbid")

    start: Instant


# What each field's problem means to the person filling the form in.
_MESSAGES = {
    "start": "Pick one of the free times.",
    "duration": "Pick a meeting length from the list.",
    "tz": "Pick your time zone from the list.",
    "name": "Enter your name.",
    "email": "Enter your email address, like name@example.com.",
}


def field_messages(error: ValidationError) -> dict[str, str]:
    """``{field: message}`` in the order of the form."""
    fields = {str(e["loc"][0]) for e in error.errors() if e.get("loc")}
    return {field: message for field, message in _MESSAGES.items() if field in fields}
