"""IANA zone names: checked once, rendered consistently.

Accepted: the names the IANA tz database lists, canonical ones and their backward-compatible
aliases (``US/Eastern``, ``Europe/Kiev``), as the ``tzdata`` package ships them. Refused, though
a system's zoneinfo directory has files for them: ``right/*`` (leap-second clocks), ``posix/*``,
``localtime`` (the machine's own zone), ``posixrules`` and ``Factory``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from concierge.errors import InvalidRequest

_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})


@cache
def known_names() -> frozenset[str]:
    listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return frozenset(listed) - _NOT_ZONES


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The zone called ``name``, or a 422 that says what a valid name looks like."""
    try:
        if name not in known_names():
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise InvalidRequest(
            f"Unknown time zone {name[:64]!r}: use an IANA name such as 'America/New_York' or "
            "'UTC'.",
            field="timezone",
        ) from exc


def render(instant: datetime, tz: ZoneInfo | None = None) -> str:
    """RFC 3339: UTC with ``Z``, or in ``tz`` with its offset."""
    if tz is None:
        return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return instant.astimezone(tz).isoformat(timespec="seconds")
