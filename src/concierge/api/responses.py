"""JSON answers that carry many instants, rendered by orjson.

A month of slots is hundreds of instants: formatting each in Python and validating the result
again against its model cost more than finding the slots. orjson writes aware datetimes as
RFC 3339 itself, in C.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from fastapi import Response

_BASE = orjson.OPT_OMIT_MICROSECONDS


def in_zone(instant: datetime, tz: ZoneInfo | None) -> datetime:
    """The instant as it will be written: in ``tz`` with its offset, or in UTC."""
    if tz is not None:
        return instant.astimezone(tz)
    return instant if instant.tzinfo is UTC else instant.astimezone(UTC)


def instants_json(content: Any, tz: ZoneInfo | None) -> Response:
    """``content`` as JSON; its datetimes (already put ``in_zone``) as RFC 3339 strings, UTC
    ones with ``Z`` when no zone was asked for, and every other with its offset."""
    option = _BASE if tz is not None else _BASE | orjson.OPT_UTC_Z
    return Response(orjson.dumps(content, option=option), media_type="application/json")
