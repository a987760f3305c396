"""The signature on every webhook delivery (verification snippet in the README).

``Concierge-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]``: HMAC-SHA256, keyed with the
subscription's secret, over ``"<t>.<body>"``. The timestamp is signed too, so a receiver that
refuses old timestamps (five minutes, say) cannot be fooled by a replayed request. During a
secret rotation's overlap there is one ``v1`` per live secret, the newest first.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

HEADER = "Concierge-Signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header(secrets_: Sequence[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={sign(s, timestamp, body)}" for s in secrets_)])


def verify(secret: str, value: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: the timestamp recent, and one ``v1`` made with ``secret``."""
    parts = [p.partition("=") for p in value.split(",")]
    stamps = [v for k, _, v in parts if k == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit() or abs(now - int(stamps[0])) > tolerance:
        return False
    expected = sign(secret, int(stamps[0]), body)
    return any(k == "v1" and hmac.compare_digest(v, expected) for k, _, v in parts)
