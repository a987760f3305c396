"""What every tool call needs: the database, the clock, settings, and who is acting.

One ``Runtime`` lives for the whole server (it is the MCP lifespan's value). Who acts is fixed
for a stdio server (one person runs one assistant) and comes from the bearer token of each
request for the HTTP endpoint, where one server serves everybody.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.mcpserver import Context
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.accounts import service as accounts
from concierge.clock import Clock
from concierge.config import Settings
from concierge.credentials import CredentialStore
from concierge.db import Database
from concierge.dining.service import DiningService
from concierge.errors import Unauthenticated
from concierge.integrations.resy.auth import ResyAuthManager
from concierge.models import User


@dataclass
class Runtime:
    db: Database
    clock: Clock
    settings: Settings
    # stdio: exactly one of these names the person; HTTP: neither, each request's token does.
    token: str | None = None
    user_id: int | None = None
    # Counts a booking tool call for a user and raises RateLimited when they are over the
    # limit: the one place MCP booking tools are rate limited (the app wires its limiter here).
    booking_guard: Callable[[int], Awaitable[None]] | None = None
    # Outbound HTTP to Resy and Google; made (and closed) by ``clients()`` unless given.
    http: httpx.AsyncClient | None = None
    # Passed to every ResyClient the auth managers make (tests shorten the retry backoff).
    resy_options: dict[str, Any] = field(default_factory=dict)

    @asynccontextmanager
    async def clients(self) -> AsyncIterator[None]:
        """Outbound HTTP for as long as the server runs."""
        if self.http is not None:
            yield
            return
        async with httpx.AsyncClient(timeout=self.settings.resy_timeout) as http:
            self.http = http
            try:
                yield
            finally:
                self.http = None

    def _outbound(self) -> httpx.AsyncClient:
        if self.http is None:
            raise RuntimeError("outbound HTTP is used outside the server's lifespan")
        return self.http

    def dining(self) -> DiningService:
        return DiningService(http=self._outbound(), settings=self.settings)

    def resy_auth(self, user: User) -> ResyAuthManager:
        """``user``'s own Resy login (stored encrypted under their id): nobody else's."""
        return ResyAuthManager(
            self._outbound(),
            self.settings,
            CredentialStore.for_owner(self.settings, user.id),
            clock=self.clock,
            **self.resy_options,
        )


ToolContext = Context[Runtime, Any]


@dataclass
class Acting:
    """One tool call's unit of work, its caller and its instant."""

    session: AsyncSession
    user: User
    now: datetime
    settings: Settings
    runtime: Runtime


def runtime_of(ctx: ToolContext) -> Runtime:
    runtime: Runtime = ctx.request_context.lifespan_context
    return runtime


def request_user_id(ctx: ToolContext) -> int | None:
    """The user the HTTP gate authenticated for this request, if the call came over HTTP."""
    request = ctx.request_context.request
    scope = getattr(request, "scope", None)
    user = scope.get("user") if isinstance(scope, dict) else None
    if isinstance(user, AuthenticatedUser):
        return int(user.access_token.client_id or 0) or None
    return None


async def caller(session: AsyncSession, runtime: Runtime, ctx: ToolContext) -> User:
    if runtime.token is not None:
        # Checked on every call, so revoking the token stops a running assistant at once.
        return await accounts.authenticate(session, runtime.token)
    user_id = runtime.user_id or request_user_id(ctx)
    if user_id is None:
        raise Unauthenticated(
            "This MCP server does not know who you are: start it with CONCIERGE_MCP_TOKEN set "
            "to your API token (or --user EMAIL), or connect over HTTP with a bearer token."
        )
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise Unauthenticated("Your Concierge account no longer exists; sign up again.")
    return user


@dataclass
class Caller:
    """Who calls and when, for tools whose services open their own short units of work
    (those that talk to Resy or Google: no transaction may stay open across those calls)."""

    user: User
    now: datetime
    runtime: Runtime

    @property
    def db(self) -> Database:
        return self.runtime.db


async def identify(ctx: ToolContext) -> Caller:
    runtime = runtime_of(ctx)
    async with runtime.db.unit_of_work(write=False) as session:
        user = await caller(session, runtime, ctx)
    return Caller(user, runtime.clock.now(), runtime)


@asynccontextmanager
async def acting(ctx: ToolContext, *, write: bool) -> AsyncIterator[Acting]:
    """One unit of work as the calling user, committed once when the tool's work is done."""
    runtime = runtime_of(ctx)
    async with runtime.db.unit_of_work(write=write) as session:
        user = await caller(session, runtime, ctx)
        yield Acting(session, user, runtime.clock.now(), runtime.settings, runtime)


async def count_booking(call: Acting | Caller) -> None:
    """Count one booking tool call of the caller; refuses (RateLimited) when over the limit."""
    if call.runtime.booking_guard is not None:
        await call.runtime.booking_guard(call.user.id)
