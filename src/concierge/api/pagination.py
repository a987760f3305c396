"""Cursor paging: ``?limit=&cursor=`` in, ``{"items": [...], "next_cursor": ...}`` out.

A cursor is base64 of a JSON list; each list route says what each item must be (``an_id``,
``an_instant``), so a cursor we did not issue is a 422 ``invalid_cursor``, never a query."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from concierge.api.params import MAX_ID
from concierge.errors import InvalidCursor
from concierge.validation import instant_in_range

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (1-500)")]
Cursor = Annotated[
    str | None,
    Query(max_length=512, description="Opaque cursor from the previous page"),
]

_INVALID = "Invalid cursor: pass next_cursor from a previous page."


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(position: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def an_id(value: Any) -> int:
    if type(value) is not int or not 0 <= value <= MAX_ID:
        raise ValueError(value)
    return value


def an_instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(value)
    instant = datetime.fromisoformat(value)
    if instant.tzinfo is None:
        raise ValueError(value)
    return instant_in_range(instant)


def decode_cursor(cursor: str | None, *items: Callable[[Any], Any]) -> tuple[Any, ...] | None:
    """The position a cursor names, one value per reader in ``items``; None for no cursor."""
    if cursor is None:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(position, list) or len(position) != len(items):
            raise ValueError(cursor)
        return tuple(read(value) for read, value in zip(items, position, strict=True))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError) as exc:
        raise InvalidCursor(_INVALID, field="cursor") from exc
