"""What the service can represent, defined once and checked at every front door.

- Instants: RFC 3339 text with an offset, from 1970-01-01T00:00:00Z up to (not including)
  2200-01-01T00:00:00Z. Unix numbers are refused: a number says nothing of its unit or zone.
- Dates: YYYY-MM-DD from 1970-01-01 to 2199-12-31, so that a date and its neighbours, in any
  zone (UTC-12 to UTC+14), stay far inside what Python and both databases hold.
- Digits are ASCII digits (0-9): ``int()`` would take Arabic-Indic or full-width ones.
- Text holds no control characters (Unicode category Cc: C0, DEL, C1) nor lone surrogates;
  text that may span lines (notes) may hold line feed, carriage return and tab.

Each check raises ``ValueError`` so that, inside a model or a FastAPI parameter, the 422 names
the field with the others that fail. Use ``Instant`` and ``Day`` as field types, and
``ONE_LINE`` / ``LINES`` after a string's constraints:
``Annotated[str, StringConstraints(max_length=200), ONE_LINE]``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from concierge.errors import InvalidRequest

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)  # exclusive
FIRST_DATE = date(1970, 1, 1)
LAST_DATE = date(2199, 12, 31)

RANGE_TEXT = "from 1970-01-01T00:00:00Z up to 2200-01-01T00:00:00Z"
DATE_RANGE_TEXT = "from 1970-01-01 to 2199-12-31"

# RFC 3339 date-time with an offset (seconds and fractions optional), ASCII digits only.
INSTANT_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# No control characters: what a schema can say of the rule (JSON Schema has no categories).
SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
MULTI_LINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"

_INSTANT = re.compile(INSTANT_PATTERN)
_DATE = re.compile(DATE_PATTERN)
_DIGITS = re.compile(r"[0-9]+")
_LINE_BREAKS = frozenset("\n\r\t")


def ascii_digits(raw: str) -> bool:
    """Whether ``raw`` is a whole number written in ASCII digits, nothing else."""
    return _DIGITS.fullmatch(raw) is not None


def instant_text(value: Any) -> Any:
    """Refuse anything but RFC 3339 text before pydantic reads it (it would take a number)."""
    if not isinstance(value, str) or not _INSTANT.match(value):
        raise ValueError("must be an RFC 3339 instant with an offset, e.g. 2026-12-01T14:00:00Z")
    return value


def instant_in_range(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"must lie {RANGE_TEXT}")
    return value


def date_text(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def date_in_range(value: date) -> date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"must lie {DATE_RANGE_TEXT}")
    return value


def require_instant(value: datetime, field: str) -> None:
    """For callers outside a model (services any front door reaches): the same rule, as a 422."""
    try:
        instant_in_range(value)
    except ValueError as exc:
        raise InvalidRequest(f"{field} {exc}.", field=field) from None


def require_date(value: date, field: str) -> None:
    try:
        date_in_range(value)
    except ValueError as exc:
        raise InvalidRequest(f"{field} {exc}.", field=field) from None


def _bad_character(value: str, allowed: frozenset[str]) -> str | None:
    for char in value:
        if char not in allowed and unicodedata.category(char) in ("Cc", "Cs"):
            return char
    return None


def has_control_character(value: str) -> bool:
    return _bad_character(value, frozenset()) is not None


@dataclass(frozen=True)
class Printable:
    """Refuses control characters (but ``allowed`` ones) after the string's own constraints,
    and says so in the JSON schema as a pattern (JSON Schema has no Unicode categories)."""

    allowed: frozenset[str]
    pattern: str

    def check(self, value: str) -> str:
        bad = _bad_character(value, self.allowed)
        if bad is not None:
            raise ValueError(f"must not contain the control character U+{ord(bad):04X}")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.setdefault("pattern", self.pattern)
        return json_schema


ONE_LINE = Printable(frozenset(), SINGLE_LINE_PATTERN)
LINES = Printable(_LINE_BREAKS, MULTI_LINE_PATTERN)


Instant = Annotated[
    AwareDatetime,
    BeforeValidator(instant_text),
    AfterValidator(instant_in_range),
    Field(
        json_schema_extra={"pattern": INSTANT_PATTERN},
        description=f"RFC 3339 instant with an offset, {RANGE_TEXT}",
    ),
]
Day = Annotated[
    date,
    BeforeValidator(date_text),
    AfterValidator(date_in_range),
    Field(json_schema_extra={"pattern": DATE_PATTERN}),
]
