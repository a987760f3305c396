"""One pass around every HTTP request: its id, its latency metric, its log line, and a
problem+json 500 (with the id to quote) when something escapes every handler."""

from __future__ import annotations

import logging
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from concierge.api.problems import problem_response
from concierge.observability import metrics, request_id
from concierge.observability.redaction import MASK, is_secret_name

log = logging.getLogger("concierge.http")

_HEADER = request_id.HEADER.lower().encode()


def loggable_path(scope: Scope) -> str:
    """The path, with path parameters that are secrets (a manage link's ``{token}``) masked:
    the redaction filter cannot tell them from any other path segment."""
    path: str = scope["path"]
    for name, value in (scope.get("path_params") or {}).items():
        if is_secret_name(name) and isinstance(value, str) and value:
            path = path.replace(value, MASK)
    return path


def route_template(scope: Scope) -> str:
    """The route a request matched (``/v1/users/{user_id}``), never the raw path: raw paths
    would give every id its own time series."""
    route = scope.get("route")
    # path_format: the template without its convertors ({user_id}, not {user_id:not_me}).
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) and path else "unmatched"


class RequestObservation:
    def __init__(self, app: ASGIApp, *, metrics_enabled: bool = True) -> None:
        self.app = app
        self.metrics_enabled = metrics_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v for k, v in scope["headers"] if k == _HEADER), None)
        rid = request_id.accept(incoming.decode("latin-1") if incoming else None)
        token = request_id.current.set(rid)
        started = perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", ()), (_HEADER, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error")
            if response_started:
                raise
            response = problem_response(
                500,
                "internal_error",
                "Internal error",
                f"Something failed on our side. Quote request id {rid} if you report it.",
            )
            await response(scope, receive, send_with_id)
        finally:
            elapsed = perf_counter() - started
            route = route_template(scope)
            path = loggable_path(scope)
            if self.metrics_enabled:
                metrics.HTTP_LATENCY.labels(scope["method"], route, str(status)).observe(elapsed)
            log.info(
                "%s %s %d",
                scope["method"],
                path,
                status,
                extra={
                    "method": scope["method"],
                    "path": path,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "client": (scope.get("client") or ("?",))[0],
                },
            )
            request_id.current.reset(token)
