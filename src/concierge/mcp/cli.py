"""``concierge mcp``: the MCP server over stdio, for an assistant on this machine."""

from __future__ import annotations

import asyncio
import sys
from functools import partial
from typing import Annotated

import typer

from concierge import migrate
from concierge.accounts import service as accounts
from concierge.clock import SystemClock
from concierge.config import Settings, get_settings
from concierge.db import Database
from concierge.errors import ConciergeError, NotFound
from concierge.ratelimit import RateLimiter
from concierge.ratelimit.deps import check_account


def mcp(
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            metavar="EMAIL",
            help="Act as this user (operators only; otherwise CONCIERGE_MCP_TOKEN names the user)",
        ),
    ] = None,
) -> None:
    """Serve Concierge's tools over stdio, acting as the user whose API token is in
    CONCIERGE_MCP_TOKEN (or the one named with --user). Standard output carries only the MCP
    protocol; messages go to standard error."""
    settings = get_settings()
    if user is None and settings.mcp_token is None:
        _fail("Set CONCIERGE_MCP_TOKEN to your API token (or pass --user EMAIL).", code=2)
    migrate.upgrade(settings.database_url)
    try:
        asyncio.run(_serve(settings, user))
    except ConciergeError as exc:
        _fail(exc.detail)


async def _serve(settings: Settings, email: str | None) -> None:
    # The SDK is imported here, not at the top: every other command starts faster without it.
    from concierge.mcp.runtime import Runtime
    from concierge.mcp.server import build_server

    db = Database(settings.database_url)
    limiter = RateLimiter(settings)  # in memory, or shared through CONCIERGE_REDIS_URL
    try:
        runtime = Runtime(
            db=db,
            clock=SystemClock(),
            settings=settings,
            booking_guard=partial(check_account, limiter, "mcp_booking"),
        )
        async with db.unit_of_work(write=False) as session:
            if email is not None:
                found = await accounts.find_by_email(session, email)
                if found is None:
                    raise NotFound(f"Nobody is registered with the email {email}.")
                runtime.user_id = found.id
            else:
                assert settings.mcp_token is not None
                runtime.token = settings.mcp_token.get_secret_value()
                await accounts.authenticate(session, runtime.token)
        await build_server(runtime).run_stdio_async()
    finally:
        await limiter.close()
        await db.dispose()


def _fail(message: str, code: int = 1) -> None:
    print(message, file=sys.stderr)
    raise typer.Exit(code)
