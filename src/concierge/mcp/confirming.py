"""Asking the person to confirm a preview through the client's own dialog (MCP elicitation),
where the client offers one. Without it, the assistant asks and calls again with the token:
the preview's text says how. Either way nothing is booked or cancelled before a yes."""

from __future__ import annotations

import logging

from mcp import MCPError
from mcp.types import ClientCapabilities, ElicitationCapability, FormElicitationCapability
from pydantic import BaseModel, Field

from concierge.mcp.runtime import ToolContext

log = logging.getLogger("concierge.mcp")

FORM = ClientCapabilities(elicitation=ElicitationCapability(form=FormElicitationCapability()))


class Confirm(BaseModel):
    confirm: bool = Field(description="Yes, go ahead")


async def ask(ctx: ToolContext, message: str) -> bool | None:
    """True or False when the person answered in the client's dialog; None when the client
    has no such dialog, or it failed (then the assistant asks, and calls again)."""
    session = ctx.request_context.session
    if not session.check_client_capability(FORM):
        return None
    try:
        answer = await ctx.elicit(message, Confirm)
    except (MCPError, ValueError, RuntimeError) as exc:
        log.info("elicitation unavailable (%s); the assistant confirms instead", type(exc).__name__)
        return None
    data = getattr(answer, "data", None)
    return answer.action == "accept" and isinstance(data, Confirm) and data.confirm
