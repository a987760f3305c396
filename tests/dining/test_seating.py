"""Seating: which table kinds a request for "bar", "dining room" or "outdoors" accepts."""

from __future__ import annotations

import pytest

from concierge.dining.seating import best, matches, matches_any, normalise, words


@pytest.mark.parametrize(
    ("slot_kind", "wanted"),
    [
        ("Dining Room", "Dining Room"),
        ("Dining Room", "dining room"),
        ("Dining Room", "  DINING   room "),
        ("Dining Room", "dining"),
        ("Dining Room", "the dining room"),
        ("Main Dining Room", "dining room"),
        ("Bar", "bar"),
        ("Bar Seats", "bar"),
        ("Bar", "the bar"),
        ("Bar", "bar seating"),
        ("Patio", "patio"),
        ("Patio", "outdoor"),
        ("Patio", "outdoors"),
        ("Outdoor Patio", "patio"),
        ("Terrace", "patio"),
        ("Indoor Dining", "inside"),
        ("Chef's Counter", "chefs counter"),
        ("Chef's Counter", "counter"),
        ("Dining Room", None),
        ("Bar", ""),
        (None, None),
    ],
)
def test_a_request_takes_the_kinds_it_names(slot_kind: str | None, wanted: str | None) -> None:
    assert matches(slot_kind, wanted)


@pytest.mark.parametrize(
    ("slot_kind", "wanted"),
    [
        ("Dining Room", "bar"),
        ("Bar", "dining room"),
        ("Bar", "patio"),
        ("Patio", "indoor"),
        ("Dining Room", "outdoor"),
        ("Chef's Counter", "bar"),
        (None, "bar"),
        ("", "dining room"),
    ],
)
def test_a_request_refuses_other_kinds(slot_kind: str | None, wanted: str) -> None:
    assert not matches(slot_kind, wanted)


def test_room_narrows_only_when_nothing_else_is_asked() -> None:
    assert matches("Bar", "bar room")
    assert not matches("Dining Room", "bar room")
    assert matches("Dining Room", "room")
    assert not matches("Bar", "room")


def test_several_choices_take_any_of_them() -> None:
    assert matches_any("Bar", ["dining room", "bar"])
    assert matches_any("Dining Room", ["Dining Room", "Bar"])
    assert not matches_any("Patio", ["dining room", "bar"])
    assert matches_any("Patio", [])
    assert matches_any("Patio", ["", "  "])


def test_best_prefers_the_exact_name_then_the_plainest() -> None:
    assert best(["Bar Seats", "Bar", "Dining Room"], "bar") == "Bar"
    assert best(["Main Dining Room", "Dining Room"], "dining") == "Dining Room"
    assert best(["Dining Room", "Bar"], "Bar") == "Bar"
    assert best(["Dining Room", "Bar"], None) == "Dining Room"
    assert best(["Dining Room", None], "patio") is None
    assert best([], "bar") is None


def test_words_and_normalised_spelling() -> None:
    assert words("The Dining Room") == {"dining", "room"}
    assert words("Outdoor Patio") == {"outdoor", "patio"}
    assert words("Patio") == {"patio", "outdoor"}
    assert normalise("  The Dining   ROOM ") == "dining room"
    assert normalise("Café Bar") == "cafe bar"
