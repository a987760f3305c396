"""How a tool answers: structured data with a readable text form, or a helpful tool error.

A tool's failure is the model's to read and act on, so every domain error becomes a tool error
carrying the same message the REST API would send; nothing else (no traceback, no internals)
ever reaches the client.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec

from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel

from concierge.errors import ConciergeError

log = logging.getLogger("concierge.mcp")

P = ParamSpec("P")

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
READ_ONLY_OPEN = ToolAnnotations(read_only_hint=True, open_world_hint=True)
# Booking takes a table or someone's time: not undoable by calling again, so "destructive".
DESTRUCTIVE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False
)
DESTRUCTIVE_OPEN = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
)
# Confirming again changes nothing; saving a login again replaces it with the same.
IDEMPOTENT = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
IDEMPOTENT_OPEN = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True
)

UNEXPECTED = (
    "Concierge hit an unexpected problem and did nothing further. Try again in a moment; "
    "if it keeps happening, tell whoever runs this Concierge (the details are in its log)."
)


def reply(data: BaseModel, text: str) -> CallToolResult:
    """A successful answer: ``data`` for programs, ``text`` for the person reading along."""
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=data.model_dump(mode="json"),
    )


def failure(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def worded(exc: ConciergeError) -> str:
    """The detail, with the next step in an assistant's terms (tools, never REST routes)."""
    if exc.next_step is None:
        return exc.detail
    return f"{exc.detail} Pick another time from find_free_slots for {exc.next_step.host_name}."


def tool_errors(
    fn: Callable[P, Awaitable[CallToolResult]],
) -> Callable[P, Awaitable[CallToolResult]]:
    """Turn domain errors into tool errors with their message, and anything else into a
    generic one (logged here with its traceback)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> CallToolResult:
        try:
            return await fn(*args, **kwargs)
        except ConciergeError as exc:
            log.info("tool %s refused: %s (%s)", fn.__name__, exc.code, exc.detail)
            return failure(worded(exc))
        except Exception:
            log.exception("tool %s failed unexpectedly", fn.__name__)
            return failure(UNEXPECTED)

    return wrapper
