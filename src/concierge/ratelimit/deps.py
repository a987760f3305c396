"""Rate limits as FastAPI dependencies, and the default limit on every request as middleware.

Routes add ``dependencies=[Depends(limit_by_address("signup"))]`` (anonymous front doors: sign-up,
public booking pages) or ``Depends(limit_by_account("reservations"))`` (authenticated work).
Non-HTTP front doors (MCP tools) call :func:`check_account` with the app's limiter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from concierge.api.deps import CurrentUser
from concierge.api.problems import problem_response
from concierge.errors import RateLimited
from concierge.ratelimit.keys import account_key, address_key, bearer_token, token_key
from concierge.ratelimit.limiter import LimitName, RateLimiter

# Probes and scrapes come from the infrastructure, often and from one address.
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def limiter_of(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def limit_by_address(name: LimitName) -> Callable[[Request], Awaitable[None]]:
    """A dependency counting each request against ``name`` for the client's address."""

    async def check(request: Request) -> None:
        await limiter_of(request).hit(name, address_key(request.scope))

    check.__name__ = f"rate_limit_{name}_by_address"
    return check


def limit_by_account(name: LimitName) -> Callable[[Request, Any], Awaitable[None]]:
    """A dependency counting each request against ``name`` for the signed-in account (all of its
    tokens together, so a second token is not a second allowance)."""

    async def check(request: Request, user: CurrentUser) -> None:
        await limiter_of(request).hit(name, account_key(user.id))

    check.__name__ = f"rate_limit_{name}_by_account"
    return check


async def check_account(limiter: RateLimiter, name: LimitName, user_id: int) -> None:
    """For front doors without a Request (MCP tools): raises ``RateLimited`` when spent."""
    await limiter.hit(name, account_key(user_id))


class DefaultRateLimit:
    """The ``default`` limit on every request: per token when one is sent, else per address.

    Counted before routing and before the database is touched, so a flood costs little.
    """

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter
        self.active = limiter.enabled and bool(limiter.limits("default"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.active or scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope["headers"])
        who = token_key(token) if token else address_key(scope)
        try:
            await self.limiter.hit("default", who)
        except RateLimited as exc:
            # A front door that answers people in its own words (the booking pages' HTML for a
            # browser) registers ``refusal_page`` on the app; it returns None for anyone else.
            page = getattr(scope["app"].state, "refusal_page", None) if "app" in scope else None
            response = page(scope, exc) if page is not None else None
            if response is None:
                response = problem_response(
                    exc.status,
                    exc.code,
                    exc.title,
                    exc.detail,
                    headers={"Retry-After": str(exc.extra["retry_after"])},
                )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
