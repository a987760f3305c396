"""Logging for the whole process: JSON lines for machines, readable lines for people.

JSON when stderr is not a terminal (a service manager, a container, a file), unless
``CONCIERGE_LOG_JSON`` says otherwise. Every line carries the request id of the request being
served, and passes the redaction filter first.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from concierge.config import Settings
from concierge.observability import request_id
from concierge.observability.redaction import (
    RedactingFilter,
    extra_fields,
    register_secrets,
)

# Libraries that are chatty below WARNING, or (SQLAlchemy) that would log SQL parameters.
_QUIET = {
    "sqlalchemy": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "asyncio": logging.WARNING,
    "httpcore": logging.INFO,
    "hpack": logging.WARNING,
    "multipart": logging.INFO,
    "python_multipart": logging.INFO,
    "uvicorn.access": logging.WARNING,  # our middleware writes one richer line per request
}
_MARK = "_concierge_handler"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.current.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None)
        if rid:
            line["request_id"] = rid
        line.update(extra_fields(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exc"] = record.exc_text
        return orjson.dumps(line, default=str).decode()


class HumanFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s%(rid)s %(message)s%(fields)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.rid = f" [{rid}]" if rid else ""
        fields = extra_fields(record)
        fields.pop("rid", None)
        fields.pop("fields", None)
        record.fields = "".join(f" {k}={v}" for k, v in fields.items())
        return super().format(record)


def wants_json(settings: Settings, stream: IO[str]) -> bool:
    if settings.log_json is not None:
        return settings.log_json
    isatty = getattr(stream, "isatty", None)
    return not (isatty and isatty())


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """Install the one root handler (replacing ours from an earlier call) and return it."""
    stream = stream or sys.stderr
    register_secrets(
        secret.get_secret_value() if secret else None
        for secret in (
            settings.secret_key,
            settings.mcp_token,
            settings.resyos_token,
            settings.google_places_api_key,
        )
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if wants_json(settings, stream) else HumanFormatter())
    # Redaction first: the request id is ours and safe, everything else is suspect.
    handler.addFilter(RedactingFilter())
    handler.addFilter(RequestIdFilter())
    setattr(handler, _MARK, True)

    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name, level in _QUIET.items():
        logging.getLogger(name).setLevel(max(level, root.level))
    # Uvicorn's own loggers propagate to ours instead of keeping private handlers.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    return handler
