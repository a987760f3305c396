"""A request whose path or query holds a control character (a NUL, an escape...) gets 422
before any route sees it: no name, slug, zone or file in this service contains one, and some
parts below would fail on it (PostgreSQL refuses NUL in text, the file system in paths)."""

from __future__ import annotations

from urllib.parse import unquote_plus

from starlette.types import ASGIApp, Receive, Scope, Send

from concierge.api.problems import problem_response
from concierge.validation import has_control_character


class CleanAddress:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _dirty(scope):
            detail = "The address holds a control character: send printable text only."
            response = problem_response(422, "invalid_request", "Invalid request", detail)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _dirty(scope: Scope) -> bool:
    query = unquote_plus(scope.get("query_string", b"").decode("latin-1"), errors="replace")
    return has_control_character(scope.get("path", "")) or has_control_character(query)
