"""/metrics: for admins on the main port, or unauthenticated on a private port of its own."""

from __future__ import annotations

import logging
import threading
from typing import Any
from wsgiref.simple_server import WSGIServer

from fastapi import APIRouter, Response
from prometheus_client import start_http_server

from concierge.api.deps import CurrentUser
from concierge.api.problems import documented
from concierge.config import Settings
from concierge.errors import Forbidden
from concierge.observability import metrics

log = logging.getLogger(__name__)

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text exposition format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **documented(401, 403),
    },
)
async def scrape(actor: CurrentUser) -> Response:
    """Prometheus metrics (admins only; or set CONCIERGE_METRICS_PORT to scrape a private port
    without a token)."""
    if not actor.is_admin:
        raise Forbidden("Only admins may read metrics.")
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


class MetricsServer:
    """Prometheus' own small HTTP server on a separate port, for the life of the app."""

    def __init__(self, settings: Settings) -> None:
        self.host = settings.metrics_host
        self.port = settings.metrics_port
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.port is None:
            return
        try:
            started: Any = start_http_server(self.port, addr=self.host)
        except OSError as exc:
            # Another worker process of the same service got the port first; it serves for all
            # when PROMETHEUS_MULTIPROC_DIR is set.
            log.warning("metrics port %s:%s unavailable: %s", self.host, self.port, exc)
            return
        self._server, self._thread = started
        log.info("metrics on http://%s:%s/metrics", self.host, self.port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
