"""Which of a venue's table kinds a person asked for.

Resy names a slot's table kind freely (its ``config.type``): "Dining Room", "Bar", "Bar Seats",
"Patio", "Outdoor Patio", "Chef's Counter", "High Top". A person (or an assistant repeating
check_availability) writes "dining room", "dining", "the bar", "outdoors". Pure functions, no
I/O: the one rule used by make_reservation and by watches.
"""

from __future__ import annotations

from collections.abc import Iterable

from concierge.dining.names import fold

# Words that say nothing about where the table is.
_FILLER = {"the", "a", "an", "at", "in", "on", "table", "tables", "seat", "seats", "seating"}
# Spellings of one place, reduced to one word.
_SYNONYMS = {
    "indoors": "indoor",
    "inside": "indoor",
    "interior": "indoor",
    "outdoors": "outdoor",
    "outside": "outdoor",
    "exterior": "outdoor",
    "terrace": "patio",
    "garden": "patio",
    "sidewalk": "patio",
    "counters": "counter",
    "bars": "bar",
    "lounges": "lounge",
    "rooms": "room",
    "dinning": "dining",
}
# A kind that is outdoors even when its name does not say so.
_OUTDOOR = {"patio"}
# "dining" alone means the dining room, and "bar room" the bar: "room" narrows nothing when
# other words are given.
_VAGUE = {"room"}


def words(kind: str) -> frozenset[str]:
    """The words of a table kind that say where it is: "The Dining Room" -> {"dining", "room"};
    "Outdoor Patio" -> {"outdoor", "patio"}; "Chef's Counter" -> {"chefs", "counter"}."""
    found = {_SYNONYMS.get(w, w) for w in fold(kind).split() if w not in _FILLER}
    if found & _OUTDOOR:
        found.add("outdoor")
    return frozenset(found)


def normalise(kind: str) -> str:
    """A stable spelling for comparing and showing: "  dining   ROOM " -> "dining room"."""
    return " ".join(w for w in fold(kind).split() if w not in _FILLER)


def matches(slot_kind: str | None, wanted: str | None) -> bool:
    """Does a slot of kind ``slot_kind`` satisfy a request for ``wanted``?

    No preference (None or blank) takes any table. Otherwise every telling word asked for must
    be in the slot's kind: "bar" takes "Bar" and "Bar Seats" but not "Dining Room"; "dining"
    takes "Dining Room" and "Main Dining Room" (a more specific room is still that room);
    "outdoor" takes "Patio" and "Outdoor Patio". A slot without a kind satisfies no preference.
    """
    if wanted is None or not wanted.strip():
        return True
    asked = words(wanted) - _VAGUE or words(wanted)
    if not asked:
        return True
    if slot_kind is None or not slot_kind.strip():
        return False
    return asked <= words(slot_kind)


def matches_any(slot_kind: str | None, wanted: Iterable[str]) -> bool:
    """A request for several kinds ("bar or dining room"): any one will do; none asked, any."""
    choices = [w for w in wanted if w and w.strip()]
    return not choices or any(matches(slot_kind, w) for w in choices)


def best(kinds: Iterable[str | None], wanted: str | None) -> str | None:
    """Among kinds offered at one time, the one a request means: an exact name first, then
    the fewest extra words ("bar" picks "Bar" over "Bar Seats"), then the first offered."""
    candidates = [k for k in kinds if k is not None and matches(k, wanted)]
    if not candidates:
        return None
    if wanted is None or not wanted.strip():
        return candidates[0]
    target = normalise(wanted)
    return min(
        enumerate(candidates),
        key=lambda ik: (normalise(ik[1]) != target, len(fold(ik[1]).split()), ik[0]),
    )[1]
