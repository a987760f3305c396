"""The MCP endpoint of the web app: streamable HTTP at ``/mcp``, behind the API's bearer tokens.

The endpoint is stateless (every POST carries its own token and gets its own answer), so any
number of ``concierge serve`` processes can answer it behind a load balancer, exactly like the
REST API. The token is checked against the same table as the REST API before the MCP layer
sees the request; the tools read the user it names from the request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from concierge.accounts import service as accounts
from concierge.accounts.tokens import token_hash
from concierge.api.problems import problem_response
from concierge.db import Database
from concierge.errors import RateLimited, Unauthenticated
from concierge.mcp.origins import ALLOWED_METHODS, OriginGate, listed_origins
from concierge.mcp.runtime import Runtime
from concierge.mcp.server import build_server
from concierge.ratelimit import auth_failures
from concierge.ratelimit.limiter import RateLimiter

PATH = "/mcp"


class BearerGate:
    """Answers 401 (problem+json, like the REST API) unless the request carries a live API
    token; otherwise marks the request with the token's user and passes it on."""

    def __init__(self, app: ASGIApp, db: Database, limiter: RateLimiter | None = None) -> None:
        self.app = app
        self.db = db
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("authorization", "")
        scheme, _, given = header.partition(" ")
        token = given.strip() if scheme.lower() == "bearer" else ""
        guard = self.limiter if token else None  # token guessing, counted as on the REST API
        try:
            if guard is not None:
                await auth_failures.refuse_if_spent(guard, scope, token)
            try:
                async with self.db.unit_of_work(write=False) as session:
                    user = await accounts.authenticate(session, token)
            except Unauthenticated:
                if guard is not None:
                    await auth_failures.count_failure(guard, scope, token)
                raise
        except (Unauthenticated, RateLimited) as exc:
            headers = (
                {"Retry-After": str(exc.extra["retry_after"])}
                if isinstance(exc, RateLimited)
                else {"WWW-Authenticate": 'Bearer realm="concierge"'}
            )
            response = problem_response(exc.status, exc.code, exc.title, exc.detail, headers)
            await response(scope, receive, send)
            return
        # The user id travels on (never the token itself); the SDK binds sessions to it.
        principal = AccessToken(token=token_hash(token), client_id=str(user.id), scopes=[])
        scope["user"] = AuthenticatedUser(principal)
        scope["auth"] = AuthCredentials([])
        await self.app(scope, receive, send)


class McpEndpoint:
    """The mounted endpoint and the session manager that must run while the app runs."""

    def __init__(self, runtime: Runtime, limiter: RateLimiter | None = None) -> None:
        self.server: MCPServer[Runtime] = build_server(runtime)
        # Builds the session manager; the Starlette app it returns is not used, we mount our own
        # gate in front of the manager instead.
        self.server.streamable_http_app(
            streamable_http_path=PATH,
            stateless_http=True,
            json_response=True,
            # Every request needs a bearer token a rebinding page cannot have, and the service
            # is reached under whatever host name it is deployed at.
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        settings = runtime.settings
        self.asgi: ASGIApp = OriginGate(
            BearerGate(self.server.session_manager.handle_request, runtime.db, limiter),
            listed_origins(settings.mcp_allowed_origins, settings.public_url),
        )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with self.server.session_manager.run():
            yield


def mount(app: Starlette, runtime: Runtime) -> McpEndpoint:
    """Serve the MCP endpoint at ``/mcp`` of ``app``; run ``endpoint.running()`` in its lifespan."""
    endpoint = McpEndpoint(runtime, getattr(app.state, "rate_limiter", None))
    # Stateless: no GET stream to open and no session to DELETE, so those are 405 (the
    # streamable HTTP transport's answer when a server offers no stream).
    methods = [m.strip() for m in ALLOWED_METHODS.split(",")]
    app.router.routes.append(
        Route(PATH, endpoint=endpoint.asgi, methods=methods, include_in_schema=False)
    )
    return endpoint
