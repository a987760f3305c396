"""Restaurant names and addresses reduced to what identifies a place, and compared.

Pure functions, no I/O: the matcher's judgement can be tested case by case.
"""

from __future__ import annotations

import math
import re
import unicodedata

from rapidfuzz import fuzz

# Letters NFKD does not split into a base letter and an accent.
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i"})
_ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "mt": "mount",
    "bros": "brothers",
    "n": "and",
    "nyc": "new york",
}
_NOISE = {"restaurant", "ristorante", "restaurante", "restaurants"}
_CITIES = ("new york city", "new york", "brooklyn", "manhattan")
# Words that describe the food, not the business: "Cote Korean Steakhouse" is Resy's "Cote".
# Deliberately not "bar", "cafe", "bakery", "kitchen": those are often a sibling business next
# door ("Balthazar Bakery", "Lilia Caffe").
_DESCRIPTORS = {
    "american",
    "chinese",
    "french",
    "greek",
    "indian",
    "italian",
    "japanese",
    "korean",
    "mexican",
    "spanish",
    "thai",
    "vietnamese",
    "steakhouse",
    "eatery",
    "cuisine",
}
_SEPARATORS = re.compile(r"\s+[-–—|:]\s+|\s*\|\s*")
_BY = re.compile(r"^(.+?)\s+(?:by|from)\s+\S.*$")
_STREET_WORDS = {
    "st": "street",
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "blvd": "boulevard",
    "rd": "road",
    "pl": "place",
    "dr": "drive",
    "ln": "lane",
    "sq": "square",
    "pkwy": "parkway",
    "hwy": "highway",
    "w": "west",
    "e": "east",
    "n": "north",
    "s": "south",
    "1st": "first",
    "2nd": "second",
    "3rd": "third",
}


def fold(text: str) -> str:
    """Lower case, accents off, ``&``/``+`` spelled "and", apostrophes dropped, punctuation to
    spaces."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’`´]", "", text)
    text = re.sub(r"\s*[&+]\s*", " and ", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))


def name_key(name: str, locality: str | None = None) -> str:
    """The part of a restaurant's name that identifies it.

    "The Don Angie NYC" -> "don angie"; "Tatiana by Kwame Onwuachi" -> "tatiana";
    "Café Boulud & Bar" -> "cafe boulud and bar"; "Carbone - Miami" -> "carbone".
    """
    first = _SEPARATORS.split(name.strip())[0] or name
    if match := _BY.match(first):
        first = match.group(1)
    words = [_ABBREVIATIONS.get(w, w) for w in fold(first).split()]
    words = " ".join(words).replace("steak house", "steakhouse").split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    words = [w for w in words if w not in _NOISE] or words
    cities = [*_CITIES, *([fold(locality)] if locality else [])]
    words = _strip_trailing(words, [c.split() for c in cities if c])
    words = _strip_leading(words, [c.split() for c in cities if c])
    while len(words) > 1 and words[-1] in _DESCRIPTORS:
        words = words[:-1]
    return " ".join(words)


def _strip_trailing(words: list[str], phrases: list[list[str]]) -> list[str]:
    for phrase in phrases:
        if len(words) > len(phrase) and words[-len(phrase) :] == phrase:
            return words[: -len(phrase)]
    return words


def _strip_leading(words: list[str], phrases: list[list[str]]) -> list[str]:
    # "NYC Carbone" is rare, but "Brooklyn Pizza Crew" is not: only a city *and* more than one
    # remaining word, so "Brooklyn Diner" keeps its name.
    for phrase in phrases:
        if len(words) > len(phrase) + 1 and words[: len(phrase)] == phrase:
            return words[len(phrase) :]
    return words


def name_score(a: str, b: str) -> float:
    """0..100: how alike two *normalised* names are (word order and spacing forgiven)."""
    if not a or not b:
        return 0.0
    if a.replace(" ", "") == b.replace(" ", ""):
        return 100.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def street_numbers(address: str | None) -> frozenset[str]:
    """The house numbers an address may be known by: "181 Thompson St" -> {"181"};
    "32-34 Withers St" -> {"3234", "32", "34"} (a range, or a Queens "37-04")."""
    match = re.match(r"\s*(\d+)(?:-(\d+))?([A-Za-z]?)\b", address or "")
    if not match:
        return frozenset()
    first, second, letter = match.group(1), match.group(2), match.group(3).lower()
    if second is None:
        return frozenset({first + letter})
    return frozenset({first + second + letter, first, second + letter})


def street_name(address: str | None) -> str | None:
    """The street without its number, with "St"/"Street", "W"/"West" spelled alike."""
    if not address:
        return None
    first = address.split(",")[0]
    rest = re.sub(r"^\s*\d+(?:-\d+)?[A-Za-z]?\b", "", first)
    words = [_STREET_WORDS.get(w, w) for w in fold(rest).split()]
    return " ".join(words) or None


def same_street(a: str | None, b: str | None) -> bool | None:
    """True or False when both are known, None when either is not."""
    if not a or not b:
        return None
    return fuzz.token_sort_ratio(a, b) >= 80


def distance_m(
    lat1: float | None, lng1: float | None, lat2: float | None, lng2: float | None
) -> float | None:
    """Great-circle distance in metres; None when a coordinate is missing."""
    if lat1 is None or lng1 is None or lat2 is None or lng2 is None:
        return None
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(min(1.0, h)))
