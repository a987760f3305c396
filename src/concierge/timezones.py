"""IANA zone names: checked once, rendered consistently."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from concierge.errors import InvalidRequest


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The zone called ``name``, or a 422 that says what a valid name looks like."""
    try:
        if not name or name != name.strip() or name.startswith(("/", ".")):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise InvalidRequest(
            f"Unknown time zone {name!r}: use an IANA name such as 'America/New_York' or 'UTC'.",
            field="timezone",
        ) from exc


def render(instant: datetime, tz: ZoneInfo | None = None) -> str:
    """RFC 3339: UTC with ``Z``, or in ``tz`` with its offset."""
    if tz is None:
        return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return instant.astimezone(tz).isoformat(timespec="seconds")
