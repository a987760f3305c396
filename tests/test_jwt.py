"""The small JWT helpers: reading exp, and HS256 for the stand-ins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from concierge import jwt

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_signed_token_reads_back_and_says_when_it_lapses() -> None:
    token = jwt.encode_hs256({"sub": 1, "exp": int(NOW.timestamp()) + 60}, b"k")

    assert jwt.decode_hs256(token, b"k", now=NOW)["sub"] == 1
    assert jwt.expires_at(token) == datetime(2026, 11, 23, 12, 1, tzinfo=UTC)


def test_a_wrong_key_or_a_lapsed_token_is_refused() -> None:
    token = jwt.encode_hs256({"exp": int(NOW.timestamp())}, b"k")

    with pytest.raises(jwt.InvalidToken, match="signature"):
        jwt.decode_hs256(token, b"other", now=NOW)
    with pytest.raises(jwt.InvalidToken, match="expired"):
        jwt.decode_hs256(token, b"k", now=NOW)


def test_a_token_without_exp_has_no_expiry_and_garbage_is_not_a_token() -> None:
    assert jwt.expires_at(jwt.encode_hs256({"sub": 1}, b"k")) is None
    with pytest.raises(jwt.InvalidToken):
        jwt.claims("not-a-token")
