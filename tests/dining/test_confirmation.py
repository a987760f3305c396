"""Confirmation tokens: bound to one person, one action, the exact terms, and ten minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from concierge.dining.confirmation import LIFETIME, Verdict, check, fingerprint, issue

KEY = b"k" * 32
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TERMS = {"venue_id": 1505, "table_type": "Bar", "card": "Visa ending in 1234", "fee": None}


def test_the_token_of_a_preview_confirms_exactly_those_terms() -> None:
    token, expires = issue(KEY, person=7, action="book", terms=TERMS, now=NOW)
    assert expires == NOW + LIFETIME
    assert check(KEY, token, person=7, action="book", terms=dict(TERMS), now=NOW) is Verdict.VALID
    assert len(token) < 40  # an assistant copies it back


def test_other_terms_another_person_another_action_or_key_are_changed() -> None:
    token, _ = issue(KEY, person=7, action="book", terms=TERMS, now=NOW)
    other = {**TERMS, "card": "Amex ending in 1005"}
    assert check(KEY, token, person=7, action="book", terms=other, now=NOW) is Verdict.CHANGED
    assert check(KEY, token, person=8, action="book", terms=TERMS, now=NOW) is Verdict.CHANGED
    assert check(KEY, token, person=7, action="cancel", terms=TERMS, now=NOW) is Verdict.CHANGED
    assert check(b"x" * 32, token, person=7, action="book", terms=TERMS, now=NOW) is (
        Verdict.CHANGED
    )


def test_a_token_lapses_after_its_lifetime() -> None:
    token, _ = issue(KEY, person=7, action="book", terms=TERMS, now=NOW)
    late = NOW + LIFETIME + timedelta(seconds=1)
    assert check(KEY, token, person=7, action="book", terms=TERMS, now=late) is Verdict.EXPIRED
    almost = NOW + LIFETIME - timedelta(seconds=1)
    assert check(KEY, token, person=7, action="book", terms=TERMS, now=almost) is Verdict.VALID


def test_garbage_and_a_stretched_lifetime_are_refused() -> None:
    assert check(KEY, "not a token", person=7, action="book", terms=TERMS, now=NOW) is (
        Verdict.MALFORMED
    )
    token, _ = issue(KEY, person=7, action="book", terms=TERMS, now=NOW)
    head, _, signature = token.partition(".")
    stretched = f"{int(head, 36) + 3600:x}.{signature}"
    assert check(KEY, stretched, person=7, action="book", terms=TERMS, now=NOW) is not (
        Verdict.VALID
    )


def test_the_fingerprint_ignores_key_order() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
