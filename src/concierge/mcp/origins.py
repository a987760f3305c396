"""Which web pages may call ``/mcp``: the Origin check, and CORS for the configured ones.

A request without an Origin comes from a program (an assistant's MCP client), not a page,
and passes. A page's request passes when it comes from this machine (localhost, 127.0.0.1,
::1 on any port), from the service's own public address, or from an origin listed in
``CONCIERGE_MCP_ALLOWED_ORIGINS``; any other page gets 403 before its token is even read.
Only listed origins (and the service's own) get CORS headers, so only their pages can read
the answers. The preflight is answered here, ahead of the bearer check: browsers send it
without the Authorization header.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from concierge.api.problems import problem_response

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
ALLOWED_METHODS = "POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, Accept, Mcp-Protocol-Version, Mcp-Session-Id"
EXPOSED_HEADERS = "Mcp-Session-Id, WWW-Authenticate"
PREFLIGHT_MAX_AGE = "600"


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased: how browsers spell an Origin."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not a web origin such as https://app.example.com")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def listed_origins(configured: str, public_url: str | None) -> frozenset[str]:
    """The comma-separated ``configured`` origins and the service's own public one."""
    listed = {origin_of(part) for part in configured.split(",") if part.strip()}
    if public_url:
        listed.add(origin_of(public_url))
    return frozenset(listed)


def _loopback(origin: str) -> bool:
    try:
        return urlsplit(origin).hostname in LOOPBACK
    except ValueError:
        return False


class OriginGate:
    """403 for a page of a foreign origin; CORS headers and preflights for listed ones."""

    def __init__(self, app: ASGIApp, listed: frozenset[str]) -> None:
        self.app = app
        self.listed = listed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = Headers(scope=scope).get("origin")
        if origin is None:
            # Not a page: a program asking what the endpoint allows is told, no token needed.
            if scope["method"] == "OPTIONS":
                await _preflight(None)(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        spelled = origin.strip().lower()
        cors = spelled in self.listed
        if not cors and not _loopback(spelled):
            refusal = problem_response(
                403,
                "origin_not_allowed",
                "Origin not allowed",
                "Pages of this origin may not call the MCP endpoint; whoever runs this "
                "Concierge can allow it with CONCIERGE_MCP_ALLOWED_ORIGINS.",
                headers={"Vary": "Origin"},
            )
            await refusal(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await _preflight(origin if cors else None)(scope, receive, send)
            return
        if not cors:
            await self.app(scope, receive, send)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Access-Control-Allow-Origin"] = origin
                headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
                headers.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, with_cors)


def _preflight(origin: str | None) -> Response:
    headers = {"Allow": ALLOWED_METHODS, "Vary": "Origin"}
    if origin is not None:
        headers |= {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": ALLOWED_METHODS,
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
    return Response(status_code=204, headers=headers)
