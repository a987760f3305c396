"""The cookie by which a visitor's browser remembers its booking with one host.

It carries the manage-link token of the time the visitor holds (or has just booked) on one host's
page, scoped to that page's path: picking another time releases the hold it names, Back and a
second press of Book find the booking it names, so one visitor never holds two of a host's times.
``HttpOnly`` and ``SameSite=Strict`` like the CSRF cookie: no script and no other site reads it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "concierge_hold"
# Long enough to recognise a Back or a second press the next morning; the token's booking decides
# what it still means.
MAX_AGE_SECONDS = 24 * 3600


def _path(slug: str) -> str:
    return f"/book/{slug}"


def read(request: Request) -> str | None:
    return request.cookies.get(COOKIE) or None


def remember(request: Request, response: Response, slug: str, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=_path(slug),
    )


def forget(request: Request, response: Response, slug: str) -> None:
    response.delete_cookie(
        COOKIE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=_path(slug),
    )
