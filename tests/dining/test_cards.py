"""Which saved card a person means."""

from __future__ import annotations

from concierge.dining.cards import listing, pick
from concierge.integrations.resy.schemas import PaymentMethod

VISA = PaymentMethod(id=11223344, is_default=True, display="1234", type="Visa")
AMEX = PaymentMethod(id=11223345, display="1005", type="Amex")
VISA_TOO = PaymentMethod(id=11223346, display="9876", type="Visa")


def test_a_card_is_named_by_brand_last_four_label_or_id() -> None:
    cards = [VISA, AMEX]
    assert pick(cards, "Amex") == AMEX
    assert pick(cards, "the amex") == AMEX
    assert pick(cards, "American Express") == AMEX
    assert pick(cards, "1005") == AMEX
    assert pick(cards, "Visa ending in 1234") == VISA
    assert pick(cards, "11223345") == AMEX


def test_words_naming_no_card_or_several_name_none() -> None:
    assert pick([VISA, AMEX], "Discover") is None
    assert pick([VISA, AMEX], "0000") is None
    assert pick([VISA, VISA_TOO], "Visa") is None
    assert pick([VISA, VISA_TOO], "visa 9876") == VISA_TOO
    assert pick([VISA], "  ") is None


def test_listing_names_each_card() -> None:
    assert listing([VISA, AMEX]) == "Visa ending in 1234, Amex ending in 1005"
    assert listing([]) == "none"
