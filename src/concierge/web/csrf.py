"""CSRF protection for the public forms: a double-submit cookie with ``SameSite=Strict``.

Nobody signs in on these pages, so there is no session to tie a token to. Each form carries the
value of a random cookie; another site can neither read that cookie nor make the browser send it
(``SameSite=Strict``), so a forged post never carries a matching pair.
"""

from __future__ import annotations

import hmac
import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "concierge_csrf"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9_-]{43}$")


def token(request: Request) -> str:
    """The token to put in this page's forms: the browser's current one, or a new one."""
    current = request.cookies.get(COOKIE, "")
    return current if _WELL_FORMED.match(current) else secrets.token_urlsafe(32)


def remember(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def verify(request: Request, submitted: str) -> bool:
    cookie = request.cookies.get(COOKIE, "")
    return bool(_WELL_FORMED.match(cookie)) and hmac.compare_digest(cookie, submitted)
