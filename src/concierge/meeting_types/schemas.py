"""What the meeting-types endpoints read and write: every field bounded, every list short."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from concierge.validation import LINES, ONE_LINE

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# Words the booking pages use after a host's address: never a type's.
RESERVED_SLUGS = frozenset({"hold", "release"})
MAX_TYPES = 50
MAX_QUESTIONS = 10
MAX_ANSWER = 1000

Slug = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=SLUG_PATTERN)]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), ONE_LINE
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), LINES]
Duration = Annotated[int, Field(ge=15, le=480, multiple_of=15)]
Detail = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), ONE_LINE]
Kind = Literal["none", "in_person", "phone", "video"]
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{3,38}$")


class Location(BaseModel):
    """Where the meeting happens: an address, a number to call, or a video link."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind = Field(
        description="none, in_person (detail: address), phone (detail: number), "
        "video (detail: an https link)"
    )
    detail: Detail = ""

    @model_validator(mode="after")
    def _detail_fits_kind(self) -> Location:
        if self.kind == "none" and self.detail:
            raise ValueError("a location of kind none has no detail")
        if self.kind == "in_person" and not self.detail:
            raise ValueError("an in-person meeting needs its address in detail")
        if self.kind == "phone" and not _PHONE.match(self.detail):
            raise ValueError(
                "a phone meeting needs a phone number in detail, like +44 20 7946 0000"
            )
        if self.kind == "video":
            parts = urlsplit(self.detail)
            if parts.scheme != "https" or not parts.hostname:
                raise ValueError("a video meeting needs its https:// link in detail")
        return self


class Question(BaseModel):
    """A question for the guest; its ``id`` names the answer in a booking's ``answers``."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=SLUG_PATTERN)]
    label: Title
    required: bool = False


def _distinct(durations: list[int] | None, questions: list[Question] | None) -> None:
    if durations is not None and len(set(durations)) != len(durations):
        raise ValueError("durations must not repeat a length")
    if questions is not None and len({q.id for q in questions}) != len(questions):
        raise ValueError("each question needs its own id")


class MeetingTypeFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Description = ""
    location: Location = Field(default_factory=lambda: Location(kind="none"))
    questions: list[Question] = Field(default_factory=list, max_length=MAX_QUESTIONS)
    min_notice_minutes: int | None = Field(
        default=None, ge=0, le=525_600, description="Null: the host's own notice"
    )
    horizon_days: int | None = Field(
        default=None, ge=1, le=3650, description="Null: the host's own horizon"
    )
    public: bool = Field(default=True, description="Listed on the host's booking page")


class MeetingTypeCreate(MeetingTypeFields):
    title: Title
    slug: Slug | None = Field(
        default=None, description="The page is /book/{host slug}/{slug}; default: from the title"
    )
    durations: list[Duration] = Field(
        min_length=1, max_length=8, description="Minutes offered; the first is shown first"
    )

    @model_validator(mode="after")
    def _checks(self) -> MeetingTypeCreate:
        _distinct(self.durations, self.questions)
        return self


class MeetingTypeUpdate(BaseModel):
    """Only the fields sent change; null resets notice and horizon to the host's."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    slug: Slug | None = None
    description: Description | None = None
    durations: list[Duration] | None = Field(default=None, min_length=1, max_length=8)
    location: Location | None = None
    questions: list[Question] | None = Field(default=None, max_length=MAX_QUESTIONS)
    min_notice_minutes: int | None = Field(default=None, ge=0, le=525_600)
    horizon_days: int | None = Field(default=None, ge=1, le=3650)
    public: bool | None = None

    @model_validator(mode="after")
    def _checks(self) -> MeetingTypeUpdate:
        _distinct(self.durations, self.questions)
        for name in (
            "title",
            "slug",
            "description",
            "durations",
            "location",
            "questions",
            "public",
        ):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null: leave it out to keep it")
        return self


class MeetingTypeOut(BaseModel):
    id: int
    owner_id: int
    slug: str
    title: str
    description: str
    durations: list[int]
    location: Location
    questions: list[Question]
    min_notice_minutes: int | None = Field(description="Null: the host's own notice applies")
    horizon_days: int | None = Field(description="Null: the host's own horizon applies")
    public: bool
    booking_path: str = Field(description="The public booking page of this type")
    created_at: datetime


Answer = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_ANSWER), LINES]
Answers = Annotated[
    dict[Annotated[str, StringConstraints(max_length=40)], Answer],
    Field(max_length=MAX_QUESTIONS, description="Answers to the type's questions, by question id"),
]


class AnswerOut(BaseModel):
    question: str = Field(description="The question as it was asked")
    answer: str
