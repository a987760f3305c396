"""What the outside-calendar endpoints read and write. Secrets go in, never out."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class CalendarConnect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["caldav", "ics"] = Field(
        description="`ics`: a feed's secret address (Google's 'secret address in iCal format', "
        "Outlook's published ICS link); `caldav`: an account (iCloud, Fastmail, Nextcloud, ...)"
    )
    name: str = Field(min_length=1, max_length=200, examples=["Work"])
    url: str = Field(
        min_length=8,
        max_length=2000,
        description="http(s) (webcal:// is read as https://); stored encrypted, never shown",
        examples=["https://caldav.fastmail.com/"],
    )
    username: str | None = Field(default=None, max_length=200, description="CalDAV only")
    password: SecretStr | None = Field(
        default=None, description="CalDAV only: the password or an app password; stored encrypted"
    )
    collections: list[str] | None = Field(
        default=None,
        max_length=50,
        description="CalDAV: the calendars to read (their URLs from `available`); default all",
    )
    write_to: str | None = Field(
        default=None,
        description="CalDAV: the calendar confirmed bookings are written into; default none",
    )


class Collection(BaseModel):
    href: str
    name: str


class CalendarOut(BaseModel):
    id: int
    kind: str
    name: str
    host: str = Field(description="The server's host name (the address itself stays secret)")
    collections: list[Collection]
    write_to: str | None
    created_at: datetime
    refreshed_at: datetime | None = Field(description="Last successful read")
    checked_at: datetime | None = Field(description="Last read attempted")
    changed_at: datetime | None = Field(description="Last read that found a change")
    fresh: bool = Field(
        description="Read successfully within two refresh periods: its busy times are current"
    )
    error: str | None = Field(description="Why the last read failed; the last busy times stay")


class CalendarConnected(CalendarOut):
    available: list[Collection] = Field(
        description="CalDAV: every calendar of events found on the account"
    )


class CalendarList(BaseModel):
    items: list[CalendarOut]


class CalendarTest(BaseModel):
    ok: bool
    error: str | None
    requests: int = Field(description="HTTP requests the read took")
    events: int = Field(description="Events read (a recurring series counts once)")
    busy_intervals: int | None = Field(description="Busy intervals found ahead")
    seconds: float
