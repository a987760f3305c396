"""The shared input rules, as every front door and service applies them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import pytest
from pydantic import BaseModel, StringConstraints, ValidationError

from concierge.errors import InvalidRequest
from concierge.validation import (
    LINES,
    ONE_LINE,
    Day,
    Instant,
    ascii_digits,
    require_date,
    require_instant,
)


class Sample(BaseModel):
    at: Instant | None = None
    day: Day | None = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), ONE_LINE] = "x"
    note: Annotated[str, LINES] = ""


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31), date(1969, 12, 31)])
def test_dates_outside_the_supported_range_are_refused(day: date) -> None:
    with pytest.raises(InvalidRequest):
        require_date(day, "from")
    with pytest.raises(ValidationError):
        Sample(day=day.isoformat())


def test_the_range_ends_are_inclusive_for_dates_and_half_open_for_instants() -> None:
    require_date(date(1970, 1, 1), "from")
    require_date(date(2199, 12, 31), "to")
    require_instant(datetime(1970, 1, 1, tzinfo=UTC), "start")
    with pytest.raises(InvalidRequest):
        require_instant(datetime(2200, 1, 1, tzinfo=UTC), "start")
    assert Sample(at="2199-12-31T23:59:59Z").at == datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    "value", [1764597600, "1764597600", "2026-12-01T09:00:00", "٢٠٢٦-12-01T09:00:00Z", "tomorrow"]
)
def test_an_instant_is_rfc_3339_text_with_an_offset(value: object) -> None:
    with pytest.raises(ValidationError):
        Sample(at=value)


def test_digits_are_ascii() -> None:
    assert ascii_digits("0123456789")
    for raw in ("", "²", "٣", "３", " 3", "+3", "3_0", "-1"):
        assert not ascii_digits(raw), raw


@pytest.mark.parametrize("text", ["a\x00b", "a\x1bb", "a\x7fb", "a\x85b", "a\ud800b", "a\nb"])
def test_a_one_line_text_holds_no_control_character(text: str) -> None:
    with pytest.raises(ValidationError):
        Sample(name=text)


def test_a_text_of_lines_may_break_lines_but_holds_nothing_else() -> None:
    assert Sample(note="one\r\ntwo\tthree").note == "one\r\ntwo\tthree"
    with pytest.raises(ValidationError):
        Sample(note="bell\x07")


def test_constraints_before_the_rule_still_apply() -> None:
    with pytest.raises(ValidationError):
        Sample(name="   ")
    assert Sample(name=" Ada ").name == "Ada"


def test_the_schema_states_the_rules() -> None:
    properties = Sample.model_json_schema()["properties"]
    assert "pattern" in properties["name"]
    assert "pattern" in properties["note"]
    assert "pattern" in properties["at"]["anyOf"][0]
