"""``/``: what Concierge is and where to go next, as a page for people or JSON for clients.

A browser (or curl, which accepts anything) gets the page; a client that prefers
``application/json`` in its Accept header gets the same links as JSON.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from concierge import demo
from concierge.api.deps import get_database
from concierge.web import rendering

router = APIRouter(include_in_schema=False)

LINKS = {
    "docs": "/docs",
    "redoc": "/redoc",
    "openapi": "/openapi.json",
    "health": "/healthz",
    "ready": "/readyz",
    "mcp": "/mcp",
}


def _quality(accept: str, wanted: tuple[str, ...]) -> float:
    """The highest q the Accept header gives any of ``wanted`` (exact types only: a wildcard
    says nothing about which the client prefers)."""
    best = 0.0
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if media.lower() not in wanted:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best = max(best, q)
    return best


def wants_json(accept: str) -> bool:
    return _quality(accept, ("application/json",)) > _quality(
        accept, ("text/html", "application/xhtml+xml")
    )


@router.get("/")
async def home(request: Request) -> Response:
    async with get_database(request).unit_of_work(write=False) as session:
        hosts = [(user.name, f"/book/{user.slug}") for user in await demo.hosts(session)]
    if wants_json(request.headers.get("accept", "")):
        body: dict[str, Any] = {
            "name": request.app.title,
            "description": "Reservations: appointments, restaurant tables, a venue's book.",
            "links": LINKS,
            "booking_pages": [{"name": name, "url": url} for name, url in hosts],
        }
        return JSONResponse(body, headers={"Vary": "Accept"})
    response = rendering.page(request, "home.html", {"links": LINKS, "hosts": hosts})
    response.headers["Vary"] = "Accept"
    return response
