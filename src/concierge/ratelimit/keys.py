"""Who a request counts against: an address, a token, or an account.

The client address is the socket peer. Behind a reverse proxy set ``CONCIERGE_TRUSTED_PROXIES``
to the proxy's addresses: only then is ``X-Forwarded-For`` believed (uvicorn's
``ProxyHeadersMiddleware`` rewrites the peer to the first address, from the right, that is not a
trusted proxy). Believing it from anyone would let every client pick its own address and escape
its limit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any


def address_key(scope: Mapping[str, Any]) -> str:
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"


def bearer_token(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


def token_key(token: str) -> str:
    """A stable key for a token that does not store the token (or its database hash) in Redis."""
    digest = hashlib.sha256(b"concierge-rate-limit:" + token.encode()).hexdigest()
    return f"token:{digest[:32]}"


def token_prefix_key(token: str) -> str:
    """Guesses that share a beginning count together, from whatever addresses they come."""
    digest = hashlib.sha256(b"concierge-token-prefix:" + token[:12].encode()).hexdigest()
    return f"token-prefix:{digest[:32]}"


def account_key(user_id: int) -> str:
    return f"user:{user_id}"
