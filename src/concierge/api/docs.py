"""/docs (Swagger UI) and /redoc, with every file they load served by Concierge itself.

FastAPI's own pages pull their scripts, styles and fonts from a CDN, so they stay blank without
internet. The fastapi-offline package ships the same Swagger UI and ReDoc bundles as files; we
serve those from /docs/assets and render FastAPI's page templates pointed at them.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
_PACKAGE = ("fastapi_offline", "static")
# The browser itself refuses any other host: ReDoc's sidebar links a logo on its vendor's CDN.
# Both pages start their bundle with an inline script; ReDoc styles inline and searches in a
# worker made from a blob.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'"
)


@cache
def asset_url(name: str) -> str:
    """``/docs/assets/<name>?v=<content hash>``: cacheable for good, yet new on an upgrade."""
    content = files(_PACKAGE[0]).joinpath(_PACKAGE[1], name).read_bytes()
    return f"{ASSETS}/{name}?v={hashlib.sha256(content).hexdigest()[:10]}"


def install(app: FastAPI) -> None:
    """Serve the two documentation pages; the app must be made with docs_url=redoc_url=None."""
    app.mount(ASSETS, StaticFiles(packages=[_PACKAGE]), name="docs-assets")
    title = f"{app.title} API"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _confined(
            get_swagger_ui_html(
                openapi_url=app.openapi_url or "/openapi.json",
                title=title,
                swagger_js_url=asset_url("swagger-ui-bundle.js"),
                swagger_css_url=asset_url("swagger-ui.css"),
                swagger_favicon_url=asset_url("favicon.png"),
            )
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _confined(
            get_redoc_html(
                openapi_url=app.openapi_url or "/openapi.json",
                title=title,
                redoc_js_url=asset_url("redoc.standalone.js"),
                redoc_favicon_url=asset_url("favicon.png"),
                with_google_fonts=False,
            )
        )


def _confined(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return page
