"""What a sync cycle reports, and what the venue reservations endpoint returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field

INCREMENTAL = "incremental"
CATCH_UP = "catch_up"


@dataclass
class CycleReport:
    """One cycle's counts and cost; also stored as a ``venue_sync_cycles`` row."""

    venue_id: str
    started_at: datetime
    window_start: datetime
    window_end: datetime
    mode: str = INCREMENTAL
    ok: bool = True
    listed: int = 0
    fetched: int = 0
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    vanished: int = 0
    reappeared: int = 0
    guests_added: int = 0
    requests: int = 0
    finished_at: datetime | None = None
    error: str | None = None

    @property
    def seconds(self) -> float:
        end = self.finished_at or self.started_at
        return (end - self.started_at).total_seconds()

    def line(self) -> str:
        """The one log line a cycle writes."""
        outcome = "ok" if self.ok else f"FAILED: {self.error}"
        return (
            f"venue-sync venue={self.venue_id} mode={self.mode} listed={self.listed} "
            f"fetched={self.fetched} created={self.created} updated={self.updated} "
            f"cancelled={self.cancelled} vanished={self.vanished} reappeared={self.reappeared} "
            f"guests={self.guests_added} requests={self.requests} "
            f"took={self.seconds:.2f}s {outcome}"
        )


class GuestOut(BaseModel):
    user_id: str
    first_name: str | None
    last_name: str | None
    name: str | None = Field(description="First and last name, as ResyOS spells them")


class VenueReservationOut(BaseModel):
    id: str = Field(description="The ResyOS reservation id, e.g. fly_669864221")
    venue_id: str
    booked_at: str | None = Field(description="RFC 3339 instant of the booked time")
    booked_local: str | None = Field(description="The venue's wall time, as ResyOS sent it")
    seats: int | None
    state: str = Field(description="booked, cancelled, or vanished (gone from ResyOS's list)")
    is_cancelled: bool
    vanished_at: str | None
    user_id: str | None
    guest: GuestOut | None = Field(description="The guest, once the sync has fetched them")
    last_updated: str = Field(description="When ResyOS last changed the reservation")
    last_synced_at: str = Field(description="When this mirror last fetched its details")
