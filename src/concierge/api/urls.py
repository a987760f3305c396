"""Absolute addresses for links people keep (feed URLs, manage links)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from concierge.config import Settings


def public_base_url(request: Request) -> str:
    """``CONCIERGE_PUBLIC_URL`` when set (behind a proxy), else the address this request came to:
    a link handed out must work from where the person stands."""
    settings: Settings = request.app.state.settings
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


BaseUrl = Annotated[str, Depends(public_base_url)]
