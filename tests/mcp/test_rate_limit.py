"""MCP booking tools count against the per-account limit of the real limiter."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from mcp import Client

from concierge.app import create_app
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.errors import RateLimited
from concierge.mcp.server import build_server
from concierge.ratelimit import RateLimiter
from concierge.ratelimit.deps import check_account

pytestmark = pytest.mark.anyio


async def test_booking_tools_stop_at_the_configured_limit(
    sign_up: Any, mcp_runtime: Any, settings: Settings
) -> None:
    me = await sign_up("Grace", "UTC")
    await sign_up("Ada", "UTC")
    limiter = RateLimiter(settings.model_copy(update={"rate_limit_mcp_booking": "1/minute"}))
    runtime = mcp_runtime(me.token)
    runtime.booking_guard = partial(check_account, limiter, "mcp_booking")
    async with Client(build_server(runtime), mode="legacy") as client:
        first = await client.call_tool(
            "book_appointment", {"person": "Ada", "start": "2026-11-25T10:00"}
        )
        second = await client.call_tool(
            "book_appointment", {"person": "Ada", "start": "2026-11-25T11:00"}
        )
        listed = await client.call_tool("my_appointments", {})  # reading is not counted
    assert not first.is_error
    assert second.is_error
    assert "Too many booking tool calls" in str(second.content)
    assert not listed.is_error


async def test_the_app_guards_its_mcp_endpoint_with_its_own_limiter(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    app = create_app(
        settings.model_copy(update={"rate_limit_mcp_booking": "2/minute"}), db=db, clock=clock
    )
    guard = app.state.mcp_runtime.booking_guard
    await guard(7)
    await guard(7)
    with pytest.raises(RateLimited):
        await guard(7)
    await guard(8)
