"""Errors as pages for people: a browser on ``/``, ``/book`` or ``/bookings`` gets HTML.

The API's problem+json stays the answer for everyone else (an API client, a script, ``curl``):
a request is a browser's when it asks for ``text/html``. The handlers wrap the API's own, so
each error keeps one status, one ``Retry-After`` and one wording of its cause.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

from concierge.errors import ConciergeError, RateLimited
from concierge.web import rendering

Handler = Callable[[Request, Any], Awaitable[Response]]

_PAGES = ("/book", "/bookings")


def for_a_browser(request: Request) -> bool:
    path = request.url.path
    on_pages = path == "/" or any(path == p or path.startswith(p + "/") for p in _PAGES)
    return on_pages and "text/html" in request.headers.get("accept", "")


def _words(status: int, detail: str, retry_after: str | None) -> tuple[str, str]:
    if status == 429:
        wait = f" Please try again in {retry_after} seconds." if retry_after else ""
        return "Too many requests", "This address has asked for pages too often." + wait
    if status == 404:
        return "Page not found", "There is no page at this address. Check that it was copied whole."
    if status == 405:
        return "Page not found", "This page cannot be opened that way."
    return "Something went wrong", detail


def _page(request: Request, status: int, detail: str, headers: dict[str, str]) -> Response:
    retry_after = headers.get("Retry-After")
    heading, message = _words(status, detail, retry_after)
    response = rendering.error_page(request, status, heading, message)
    if retry_after:
        response.headers["Retry-After"] = retry_after
    return response


def install(app: FastAPI) -> None:
    """Put an HTML answer in front of the API's error handlers for browsers on the pages."""
    domain = cast(Handler, app.exception_handlers[ConciergeError])
    http = cast(Handler, app.exception_handlers[StarletteHTTPException])

    async def _domain(request: Request, exc: ConciergeError) -> Response:
        if not for_a_browser(request):
            return await domain(request, exc)
        headers = {}
        if "retry_after" in exc.extra:
            headers["Retry-After"] = str(exc.extra["retry_after"])
        return _page(request, exc.status, exc.detail, headers)

    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not for_a_browser(request):
            return await http(request, exc)
        return _page(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))

    app.add_exception_handler(ConciergeError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    # The app-wide limit refuses before routing, outside these handlers: it asks here instead.
    app.state.refusal_page = refusal_page


def refusal_page(scope: Scope, exc: RateLimited) -> Response | None:
    """The app-wide limit's 429 as a page for a browser on the pages; None for anyone else."""
    request = Request(scope)
    if not for_a_browser(request):
        return None
    return _page(request, exc.status, exc.detail, {"Retry-After": str(exc.extra["retry_after"])})
