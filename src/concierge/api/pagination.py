"""Cursor paging: ``?limit=&cursor=`` in, ``{"items": [...], "next_cursor": ...}`` out."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from concierge.errors import InvalidRequest

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (1-500)")]
Cursor = Annotated[
    str | None, Query(max_length=512, description="Opaque cursor from the previous page")
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(position: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    """The position a cursor names, or a 422 for a cursor we did not issue."""
    if cursor is None:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequest("Invalid cursor: pass next_cursor from a previous page.") from exc
    if not isinstance(position, list):
        raise InvalidRequest("Invalid cursor: pass next_cursor from a previous page.")
    return position
