"""Token guessing: unrecognised bearer tokens count per address and per token prefix (shared
across processes when Redis is configured). Once either allowance is spent, a token that is not
already known (in the token cache) is refused with 429 before it is looked up, so a guesser
learns nothing more, not even whether a guess was right."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from concierge.ratelimit.keys import address_key, token_prefix_key
from concierge.ratelimit.limiter import RateLimiter


def _keys(scope: Mapping[str, Any], token: str) -> tuple[str, str]:
    return address_key(scope), token_prefix_key(token)


async def refuse_if_spent(limiter: RateLimiter, scope: Mapping[str, Any], token: str) -> None:
    for who in _keys(scope, token):
        await limiter.check("auth_failures", who)


async def count_failure(limiter: RateLimiter, scope: Mapping[str, Any], token: str) -> None:
    for who in _keys(scope, token):
        await limiter.hit("auth_failures", who)
