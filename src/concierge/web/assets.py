"""The pages' own CSS and script, served from the package with a far-future cache.

Pages name them as ``/static/<name>?v=<content hash>`` (``rendering.static_url``): a browser may
keep one for a year, since any change to the file changes the address it is asked for by.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

_FOREVER = "public, max-age=31536000, immutable"


class HashedStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        versioned = b"v=" in scope.get("query_string", b"")
        if response.status_code == 200 and versioned:
            response.headers["Cache-Control"] = _FOREVER
        return response


def static_files() -> StaticFiles:
    return HashedStaticFiles(packages=[("concierge.web", "static")])
