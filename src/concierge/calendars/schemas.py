"""What the calendar endpoints answer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class CalendarUrl(BaseModel):
    url: str = Field(
        description="Subscribe to this address in a calendar app. It holds a secret key: shown "
        "this once, stored only as a hash; asking again issues a new one and retires this one."
    )
    created_at: datetime
