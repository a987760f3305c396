"""What a cycle must do, decided without I/O: the window it covers and the diff between what
ResyOS lists and what the mirror holds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from concierge.config import Settings
from concierge.errors import InvalidRequest
from concierge.integrations.resyos.schemas import ReservationStamp
from concierge.timezones import zone


@dataclass(frozen=True)
class SyncConfig:
    venue_id: str
    zone: ZoneInfo
    batch: int = 50
    days_back: int = 30
    days_ahead: int = 180
    atomic_limit: int = 1000

    @classmethod
    def from_settings(cls, settings: Settings, venue_id: str | None = None) -> SyncConfig:
        venue = venue_id or settings.resyos_venue_id
        if not venue:
            raise InvalidRequest(
                "No venue: set CONCIERGE_RESYOS_VENUE_ID to the ResyOS venue id to mirror."
            )
        if settings.resyos_batch < 1:
            raise InvalidRequest("CONCIERGE_RESYOS_BATCH must be at least 1.")
        return cls(
            venue_id=venue,
            zone=zone(settings.resyos_timezone),
            batch=settings.resyos_batch,
            days_back=settings.resyos_days_back,
            days_ahead=settings.resyos_days_ahead,
            atomic_limit=settings.resyos_atomic_limit,
        )


@dataclass(frozen=True)
class Window:
    """Whole venue-local days from ``days_back`` before today to ``days_ahead`` after it."""

    start_local: datetime
    end_local: datetime
    start: datetime
    end: datetime

    def covers(self, instant: datetime | None) -> bool:
        return instant is not None and self.start <= instant <= self.end


def window(now: datetime, config: SyncConfig) -> Window:
    today = now.astimezone(config.zone).date()
    start_local = datetime.combine(today - timedelta(days=config.days_back), time(0, 0))
    end_local = datetime.combine(today + timedelta(days=config.days_ahead), time(23, 59, 59))
    return Window(
        start_local,
        end_local,
        local_to_utc(start_local, config.zone),
        local_to_utc(end_local, config.zone),
    )


def local_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=tz).astimezone(UTC)


def day_range(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants from local midnight of ``first`` to local midnight after ``last``."""
    start = local_to_utc(datetime.combine(first, time(0, 0)), tz)
    end = local_to_utc(datetime.combine(last + timedelta(days=1), time(0, 0)), tz)
    return start, end


@dataclass(frozen=True)
class Known:
    """What the mirror holds about one reservation, as much as planning needs."""

    last_updated: datetime
    booked_at: datetime | None
    vanished: bool


@dataclass(frozen=True)
class Plan:
    stale: list[str]
    """New ids and ids whose ``last_updated`` changed, in the order ResyOS listed them."""
    new: int
    vanished: list[str]
    """Known, not yet vanished, booked inside the window, and absent from the list."""
    reappeared: list[str]
    """Marked vanished before, listed again."""


def plan_cycle(
    stamps: Sequence[ReservationStamp], known: Mapping[str, Known], span: Window
) -> Plan:
    listed: dict[str, ReservationStamp] = {}
    for stamp in stamps:
        listed[stamp.id] = stamp
    stale: list[str] = []
    new = 0
    reappeared: list[str] = []
    for rid, stamp in listed.items():
        mine = known.get(rid)
        if mine is None:
            stale.append(rid)
            new += 1
            continue
        if mine.last_updated != stamp.last_updated:
            stale.append(rid)
        if mine.vanished:
            reappeared.append(rid)
    vanished = [
        rid
        for rid, mine in known.items()
        if rid not in listed and not mine.vanished and span.covers(mine.booked_at)
    ]
    return Plan(stale=stale, new=new, vanished=vanished, reappeared=reappeared)


def chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
