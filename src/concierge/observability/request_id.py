"""The id of the request being served, for every log line written while serving it."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"

# Accept a caller's id (a proxy's, a client's) only when it is short and plain: it goes into every
# log line and a response header, so nothing that could forge a log field or split a header.
_SANE = re.compile(r"^[A-Za-z0-9._:@/+=-]{8,128}$")

current: ContextVar[str | None] = ContextVar("request_id", default=None)


def new() -> str:
    return uuid.uuid4().hex


def accept(incoming: str | None) -> str:
    """The caller's id when it is sane, else a fresh one."""
    if incoming and _SANE.match(incoming):
        return incoming
    return new()
