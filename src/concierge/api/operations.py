"""Everything that wraps the routes when the service runs: request ids and logs, metrics, body
and rate limits, a trusted proxy's client address. ``create_app`` calls :func:`install` once and
enters :func:`running` in its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from concierge.api.body_limit import BodySizeLimit
from concierge.api.clean_address import CleanAddress
from concierge.api.db_retry import RetryOnDatabaseHiccup
from concierge.config import Settings
from concierge.observability.endpoints import MetricsServer
from concierge.observability.endpoints import router as metrics_router
from concierge.observability.middleware import RequestObservation
from concierge.ratelimit import RateLimiter
from concierge.ratelimit.deps import EXEMPT_PATHS, DefaultRateLimit

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def install(app: FastAPI, settings: Settings) -> None:
    limiter = RateLimiter(settings)
    app.state.rate_limiter = limiter
    app.state.metrics_server = MetricsServer(settings)
    # Added innermost first: the last one added sees the request first.
    app.add_middleware(RetryOnDatabaseHiccup)  # innermost: a retry is not counted twice
    app.add_middleware(DefaultRateLimit, limiter=limiter)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(CleanAddress)
    app.add_middleware(RequestObservation, metrics_enabled=settings.metrics_enabled)
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    if settings.metrics_enabled and settings.metrics_port is None:
        app.include_router(metrics_router)


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[None]:
    server: MetricsServer = app.state.metrics_server
    server.start()
    try:
        yield
    finally:
        server.stop()
        await app.state.rate_limiter.close()


def document(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Add the answers every operation can give because of these wrappers: 429 when the default
    limit applies, 413 where a body is accepted."""
    default_limit = settings.rate_limits_enabled and bool(settings.rate_limit_default.strip())
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if default_limit and path not in EXEMPT_PATHS:
                responses.setdefault(
                    "429", {"description": "Problem: `rate_limited` (see Retry-After)"}
                )
            if "requestBody" in operation:
                responses.setdefault(
                    "413", {"description": "Problem: `payload_too_large`", "content": _PROBLEM}
                )
            if "429" in responses:
                responses["429"].setdefault("content", _PROBLEM)
                responses["429"].setdefault(
                    "headers",
                    {
                        "Retry-After": {
                            "description": "Seconds to wait before trying again",
                            "schema": {"type": "integer", "minimum": 1},
                        }
                    },
                )
    return schema
