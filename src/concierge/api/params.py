"""Path and query parameters shared by routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

# Ids are INTEGER columns: 32-bit on PostgreSQL. A larger number cannot name a row, and sent to
# the database it would fail there (500) instead of here (422).
MAX_ID = 2_147_483_647

UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="A user id")]
ReservationId = Annotated[int, Path(ge=1, le=MAX_ID, description="A reservation id")]
