"""Secrets never reach a log line.

Everything a handler writes passes through :class:`RedactingFilter`: the formatted message, the
traceback and every extra field. Three nets, because no single one catches everything:

* values registered as secret (the settings' keys and tokens) are replaced wherever they appear;
* our own API tokens (``cnc_...``) and ``Bearer``/``Basic`` credentials are recognised by shape;
* anything written as ``name=value`` or ``"name": "value"`` whose name says secret (password,
  token, api_key, authorization, cookie, credential, secret, key...) loses its value, which also
  covers query strings in the URLs httpx logs.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "[REDACTED]"

# A pattern of names, not a password.
_SECRET_NAME = "".join(
    (
        r"(?:[\w.-]*(?:password|passwd|secret|token|api[_-]?key|apikey|authorization",
        r"|credentials?|cookie|private[_-]?key|signature)|key|pwd|pass|auth)",
    )
)
_NAME_RE = re.compile(rf"^{_SECRET_NAME}$", re.IGNORECASE)

_SCHEME_CREDENTIAL = re.compile(r"\b(Bearer|Basic|Token)\s+[^\s\"',;&]+", re.IGNORECASE)
_OUR_TOKEN = re.compile(r"\bcnc_[A-Za-z0-9_-]{8,}")
_NAMED_VALUE = re.compile(
    rf"""(?P<name>["']?\b{_SECRET_NAME}\b["']?\s*[:=]\s*)"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s"',;&}\]]+)""",
    re.IGNORECASE,
)
_URL_PASSWORD = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s/]+@", re.I)

_known: set[str] = set()
_known_pattern: re.Pattern[str] | None = None
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Mask this exact value wherever it appears in a log line from now on."""
    global _known_pattern
    if not value or len(value) < 6:  # too short to mask without mangling ordinary words
        return
    with _lock:
        if value in _known:
            return
        _known.add(value)
        ordered = sorted(_known, key=len, reverse=True)
        _known_pattern = re.compile("|".join(re.escape(v) for v in ordered))


def _mask_named(match: re.Match[str]) -> str:
    value = match.group("value")
    quote = value[0] if value[:1] in {'"', "'"} else ""
    return f"{match.group('name')}{quote}{MASK}{quote}"


def redact_text(text: str) -> str:
    if _known_pattern is not None:
        text = _known_pattern.sub(MASK, text)
    text = _OUR_TOKEN.sub(MASK, text)
    text = _SCHEME_CREDENTIAL.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)
    return _NAMED_VALUE.sub(_mask_named, text)


def is_secret_name(name: str) -> bool:
    return bool(_NAME_RE.match(name))


def redact_value(value: Any, name: str = "") -> Any:
    """A copy of ``value`` fit for a log: secrets by name masked, strings scrubbed."""
    if name and is_secret_name(name) and value is not None:
        return MASK
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {str(k): redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [redact_value(v) for v in value]
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return redact_text(str(value))


# Attributes every LogRecord has; anything else on a record came from ``extra=``.
STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()
    | {"message", "asctime", "request_id", "taskName", "color_message"}
)


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in STANDARD_ATTRIBUTES}


class RedactingFilter(logging.Filter):
    """Rewrite each record in place so that no handler after it can see a secret."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        for key, value in extra_fields(record).items():
            setattr(record, key, redact_value(value, key))
        return True


def register_secrets(values: Iterable[str | None]) -> None:
    for value in values:
        register_secret(value)
