"""Path and query parameters shared by routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from starlette.convertors import Convertor, register_url_convertor

# Ids are INTEGER columns: 32-bit on PostgreSQL. A larger number cannot name a row, and sent to
# the database it would fail there (500) instead of here (422).
MAX_ID = 2_147_483_647


class NotMe(Convertor[str]):
    """A path segment other than ``me``: ``/v1/users/{user_id:not_me}`` leaves ``/v1/users/me``
    to its own routes, so a method they do not serve is 405 there, not a 422 about "me" not
    being a number (any other word still is)."""

    regex = r"(?!me(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("not_me", NotMe())

UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="A user id")]
ReservationId = Annotated[int, Path(ge=1, le=MAX_ID, description="A reservation id")]
