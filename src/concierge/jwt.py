"""The little of JWT Concierge needs: read a token's claims (to know when it lapses, without the
issuer's key) and, for the local stand-ins, sign and verify HS256 tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any


class InvalidToken(ValueError):
    """Not a JWT, a bad signature, or expired (the message never includes the token)."""


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified: only for reading ``exp`` of a token we were given."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not a JWT")
    try:
        payload = json.loads(_b64decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidToken("unreadable JWT payload") from exc
    if not isinstance(payload, dict):
        raise InvalidToken("JWT payload is not an object")
    return payload


def expires_at(token: str) -> datetime | None:
    """When the token lapses (its ``exp``), or None when it does not say."""
    exp = claims(token).get("exp")
    if isinstance(exp, int | float):
        return datetime.fromtimestamp(exp, UTC)
    return None


def encode_hs256(payload: dict[str, Any], secret: bytes) -> str:
    header = _b64encode(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64encode(json.dumps(payload, separators=(",", ":")).encode())
    signing_input = f"{header}.{body}".encode("ascii")
    signature = _b64encode(hmac.new(secret, signing_input, hashlib.sha256).digest())
    return f"{header}.{body}.{signature}"


def decode_hs256(token: str, secret: bytes, *, now: datetime) -> dict[str, Any]:
    """Verified claims; raises ``InvalidToken`` on a bad signature or a lapsed ``exp``."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not a JWT")
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    expected = _b64encode(hmac.new(secret, signing_input, hashlib.sha256).digest())
    if not hmac.compare_digest(expected, parts[2]):
        raise InvalidToken("bad signature")
    payload = claims(token)
    exp = payload.get("exp")
    if isinstance(exp, int | float) and exp <= now.timestamp():
        raise InvalidToken("expired")
    return payload
