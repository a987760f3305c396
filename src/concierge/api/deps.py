"""FastAPI dependencies: the unit of work, the clock, settings and the calling user.

Every dependency is a coroutine function, even those that never await: FastAPI runs a plain
function dependency in its thread pool, which costs a thread hop on every request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.accounts import service as accounts
from concierge.clock import Clock
from concierge.config import Settings
from concierge.db import Database
from concierge.errors import Unauthenticated
from concierge.models import User
from concierge.ratelimit import auth_failures
from concierge.ratelimit.limiter import RateLimiter

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def clock_of(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_clock(request: Request) -> Clock:
    return clock_of(request)


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


async def unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed when the endpoint returns and before the response
    is sent, so a client never sees success for work that was not stored."""
    async with get_database(request).unit_of_work(
        write=request.method not in _READ_METHODS
    ) as session:
        yield session


Session = Annotated[AsyncSession, Depends(unit_of_work, scope="function")]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

_bearer = HTTPBearer(auto_error=False, description="An API token from sign-up or the CLI")


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    token = credentials.credentials if credentials else None
    digest = accounts.presented_token(token)
    cache: accounts.TokenCache = request.app.state.token_cache
    now = clock_of(request).now()
    caller = accounts.cached_caller(cache, digest, now)
    if caller is None:
        assert token is not None  # presented_token refused a missing one
        limiter: RateLimiter = request.app.state.rate_limiter
        await auth_failures.refuse_if_spent(limiter, request.scope, token)
        # A short read of its own, before the request's unit of work (if it has one): a caller
        # served from the cache costs no session, no connection and no transaction.
        try:
            async with get_database(request).unit_of_work(write=False) as session:
                caller = await accounts.load_caller(session, digest, cache, now)
        except Unauthenticated:
            await auth_failures.count_failure(limiter, request.scope, token)
            raise
    return caller


# The caller, as a User detached from any session (from the token cache or just read): read its
# columns; load anything else, or anything to change, through the request's session.
CurrentUser = Annotated[User, Depends(current_user)]
