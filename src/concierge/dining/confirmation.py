"""Confirmation tokens: a booking or a cancellation happens only on a second call that carries
the token its preview gave.

A token is short (an assistant copies it back), signed with a key derived from Concierge's
secret key, and bound to one person, one action and the exact terms shown: the terms are not
stored, they are read again from Resy on the second call and their fingerprint must match the
one signed. So a token cannot be forged, used by someone else, used for other terms, or used
after it lapses; any of those answers a fresh preview instead of acting. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

LIFETIME = timedelta(minutes=10)
_DIGITS = 24  # hex digits of the signature kept: 96 bits


class Verdict(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"  # well formed and signed for these terms, but too old
    CHANGED = "changed"  # not signed for these terms (they changed, or another's token)
    MALFORMED = "malformed"


def fingerprint(terms: dict[str, Any]) -> str:
    """A stable digest of the terms shown (any JSON-able dict; key order does not matter)."""
    canonical = json.dumps(terms, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def issue(
    key: bytes,
    *,
    person: int,
    action: str,
    terms: dict[str, Any],
    now: datetime,
    lifetime: timedelta = LIFETIME,
) -> tuple[str, datetime]:
    """(token, when it lapses) for ``person`` to ``action`` on ``terms``."""
    expires = int((now + lifetime).timestamp())
    return _token(key, person, action, fingerprint(terms), expires), datetime.fromtimestamp(
        expires, UTC
    )


def check(
    key: bytes, token: str, *, person: int, action: str, terms: dict[str, Any], now: datetime
) -> Verdict:
    """Is ``token`` the one a preview of exactly ``terms`` gave ``person`` for ``action``?"""
    head, _, _ = token.strip().partition(".")
    try:
        expires = int(head, 36)
    except ValueError:
        return Verdict.MALFORMED
    expected = _token(key, person, action, fingerprint(terms), expires)
    if not hmac.compare_digest(expected.encode(), token.strip().encode()):
        return Verdict.CHANGED
    if now.timestamp() >= expires:
        return Verdict.EXPIRED
    return Verdict.VALID


def _token(key: bytes, person: int, action: str, digest: str, expires: int) -> str:
    message = f"{person}|{action}|{expires}|{digest}".encode()
    signature = hmac.new(key, message, hashlib.sha256).hexdigest()[:_DIGITS]
    return f"{_base36(expires)}.{signature}"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"
