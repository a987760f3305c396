"""Which saved card a person means: "the Amex", "1234", "Visa ending in 1234", or its id.

Pure: the cards come from Resy (``/2/user`` or ``/3/details``), the words from the person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from concierge.dining.names import fold
from concierge.integrations.resy.schemas import PaymentMethod

_BRANDS = {
    "amex": "american express",
    "americanexpress": "american express",
    "mastercard": "mastercard",
    "master card": "mastercard",
    "mc": "mastercard",
    "visa": "visa",
    "discover": "discover",
}


def _brand(text: str | None) -> str:
    folded = fold(text or "")
    return _BRANDS.get(folded, _BRANDS.get(folded.replace(" ", ""), folded))


def pick(methods: Sequence[PaymentMethod], wanted: str) -> PaymentMethod | None:
    """The one card ``wanted`` names, or None when it names none or several."""
    words = wanted.strip()
    if not words:
        return None
    by_id = [m for m in methods if words.isdigit() and str(m.id) == words]
    if by_id:
        return by_id[0]
    digits = re.findall(r"\d{4}", words)
    rest = re.sub(r"\b(ending|in|card|the|my|with|\d+)\b", " ", fold(words)).strip()
    brand = _brand(rest) if rest else None
    found = [
        m
        for m in methods
        if (not digits or (m.display or "")[-4:] == digits[-1])
        and (brand is None or _brand(m.type) == brand)
    ]
    return found[0] if len(found) == 1 else None


def listing(methods: Sequence[PaymentMethod]) -> str:
    """ "Visa ending in 1234, Amex ending in 0005" """
    return ", ".join(m.label for m in methods) or "none"
