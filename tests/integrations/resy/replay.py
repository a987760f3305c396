"""A recorded Resy on loopback: real HTTP serving captured bodies, statuses and headers.

Each route ("GET /4/find") holds a queue of answers; the last one repeats. Every request is kept
so a test can say how many calls were made and what they carried.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from concierge.config import Settings


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: Any = None  # JSON-able, or str/bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode(), "text/html; charset=utf-8"
        return json.dumps(self.body).encode(), "application/json"


def html(status: int, page: str, **headers: str) -> Answer:
    return Answer(status, page, dict(headers))


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: str


class RecordedResy:
    def __init__(self) -> None:
        self.routes: dict[str, list[Answer]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self.url = ""

    def on(self, route: str, *answers: Answer | Any) -> None:
        """Answer ``route`` ("POST /3/book") with these, in order; the last one repeats."""
        self.routes[route] = [a if isinstance(a, Answer) else Answer(200, a) for a in answers]

    def count(self, route: str) -> int:
        return sum(1 for s in self.seen if f"{s.method} {s.path}" == route)

    def settings(self, data_dir: Path) -> Settings:
        return Settings(  # type: ignore[call-arg]
            _env_file=None,
            resy_base_url=self.url,
            resy_web_url=self.url,
            resy_min_delay=0,
            resy_max_delay=0,
            resy_timeout=5.0,
            resy_retries=1,
            data_dir=data_dir,
        )

    def answer(self, method: str, target: str, headers: dict[str, str], body: str) -> Answer:
        parts = urlsplit(target)
        with self._lock:
            self.seen.append(Seen(method, parts.path, parse_qs(parts.query), headers, body))
            queue = self.routes.get(f"{method} {parts.path}")
            if not queue:
                return Answer(404, {"message": "Not Found"})
            return queue.pop(0) if len(queue) > 1 else queue[0]


def _handler(resy: RecordedResy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            answer = resy.answer(self.command, self.path, dict(self.headers.items()), body)
            payload, kind = answer.encoded()
            self.send_response(answer.status)
            headers = {"Content-Type": kind, **answer.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _serve  # noqa: N815 (the names http.server dispatches to)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def recorded_resy() -> Iterator[RecordedResy]:
    resy = RecordedResy()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(resy))
    resy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield resy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
