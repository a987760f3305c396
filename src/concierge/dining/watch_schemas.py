"""What a watch looks like to the person: its state, its window, and its log."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from concierge.dining.schemas import WallClockTime, clock_text, day_text
from concierge.models import DiningWatch, DiningWatchEntry, WatchStatus


class WatchLogLine(BaseModel):
    at: dt.datetime = Field(description="When, in the restaurant's zone")
    kind: str
    message: str


class WatchView(BaseModel):
    id: int
    restaurant: str
    day: dt.date
    earliest: WallClockTime
    latest: WallClockTime
    time_zone: str = Field(description="The restaurant's zone: day and times are its local ones")
    party_size: int
    seating: list[str] = Field(description="Table kinds accepted; empty: any")
    status: str = Field(description="watching, booked, cancelled, ended or failed")
    release_at: dt.datetime | None = Field(
        default=None, description="When the day's tables are released; None: open already"
    )
    next_check_at: dt.datetime | None = None
    checks: int = 0
    confirmation: str | None = None
    booked_time: WallClockTime | None = None
    booked_seating: str | None = None
    special_requests: str | None = Field(
        default=None,
        description="Kept with the watch and its table in Concierge; Resy's booking call takes "
        "no notes, so it does not reach the restaurant",
    )
    created_at: dt.datetime
    log: list[WatchLogLine] = []

    @classmethod
    def of(cls, watch: DiningWatch, log: list[DiningWatchEntry] | None = None) -> WatchView:
        tz = ZoneInfo(watch.time_zone)
        watching = watch.status == WatchStatus.WATCHING
        return cls(
            id=watch.id,
            restaurant=watch.restaurant_name,
            day=watch.day,
            earliest=watch.earliest,
            latest=watch.latest,
            time_zone=watch.time_zone,
            party_size=watch.party_size,
            seating=watch.seating_kinds,
            status=watch.status,
            release_at=watch.release_at.astimezone(tz) if watch.release_at else None,
            next_check_at=watch.next_check_at.astimezone(tz) if watching else None,
            checks=watch.checks,
            confirmation=watch.confirmation,
            booked_time=watch.booked_time,
            booked_seating=watch.booked_seating,
            special_requests=watch.special_requests,
            created_at=watch.created_at.astimezone(tz),
            log=[
                WatchLogLine(at=e.at.astimezone(tz), kind=e.kind, message=e.message)
                for e in log or []
            ],
        )

    def what(self) -> str:
        seats = " or ".join(self.seating) if self.seating else "any table"
        return (
            f"{self.restaurant}, {day_text(self.day)} between {clock_text(self.earliest)} and "
            f"{clock_text(self.latest)}, party of {self.party_size}, {seats}"
        )

    def line(self) -> str:
        if self.status == WatchStatus.BOOKED and self.booked_time is not None:
            kind = f" ({self.booked_seating})" if self.booked_seating else ""
            state = f"BOOKED {clock_text(self.booked_time)}{kind}, confirmation {self.confirmation}"
        elif self.status == WatchStatus.WATCHING:
            state = (
                f"watching; tables released {self.release_at:%a %b %d %H:%M:%S %Z}"
                if self.release_at
                else "watching for a cancellation"
            )
        else:
            state = self.status
        return f"Watch {self.id}: {self.what()} - {state}"

    def text(self) -> str:
        lines = [self.line()]
        if self.special_requests:
            lines.append(
                f'  Note "{self.special_requests}": Resy\'s booking call takes no special '
                "requests, so it will NOT reach the restaurant through Resy; Concierge keeps it "
                "with the table. Tell the person to mention it to the restaurant."
            )
        lines += [f"  {e.at:%b %d %H:%M:%S} {e.message}" for e in self.log]
        return "\n".join(lines)


class Watches(BaseModel):
    items: list[WatchView]

    def text(self) -> str:
        if not self.items:
            return "You have no watches."
        return "\n".join(w.line() for w in self.items)
