"""The mirror's rows: what a cycle reads before it plans, writes after it fetched, and what
readers list. Every function takes a session and only flushes; callers own the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.integrations.resyos.schemas import Guest, ReservationDetail
from concierge.models import VenueGuest, VenueReservation, VenueReservationState, VenueSyncCycle
from concierge.venue_sync.plan import Known, chunks, local_to_utc

# Stay well under SQLite's bound-parameter limit in ``IN (...)`` lists.
_IN_CHUNK = 500


async def load_known(session: AsyncSession, venue_id: str) -> dict[str, Known]:
    # Through Core, not the ORM: this reads every row of the venue on every cycle.
    connection = await session.connection()
    rows = await connection.execute(
        select(
            VenueReservation.resyos_id,
            VenueReservation.last_updated,
            VenueReservation.booked_at,
            VenueReservation.vanished_at,
        ).where(VenueReservation.venue_id == venue_id)
    )
    return {
        rid: Known(last_updated, booked_at, vanished_at is not None)
        for rid, last_updated, booked_at, vanished_at in rows.all()
    }


async def missing_guests(session: AsyncSession, venue_id: str, also: Iterable[str]) -> list[str]:
    """User ids the mirror has never asked ResyOS about: those of stored reservations without a
    guest row, and those of ``also`` (reservations fetched but not stored yet) likewise."""
    guest = and_(
        VenueGuest.venue_id == VenueReservation.venue_id,
        VenueGuest.user_id == VenueReservation.user_id,
    )
    orphans = await session.scalars(
        select(VenueReservation.user_id)
        .distinct()
        .outerjoin(VenueGuest, guest)
        .where(
            VenueReservation.venue_id == venue_id,
            VenueReservation.user_id.is_not(None),
            VenueGuest.user_id.is_(None),
        )
    )
    missing = {uid for uid in orphans if uid}
    candidates = sorted(set(also) - missing)
    for ids in chunks(candidates, _IN_CHUNK):
        seen = set(
            await session.scalars(
                select(VenueGuest.user_id).where(
                    VenueGuest.venue_id == venue_id, VenueGuest.user_id.in_(ids)
                )
            )
        )
        missing.update(uid for uid in ids if uid not in seen)
    return sorted(missing, key=lambda uid: (len(uid), uid))


def _columns(
    detail: ReservationDetail, last_updated: datetime | None, tz: ZoneInfo, now: datetime
) -> dict[str, object]:
    wall = detail.specs.booked_local()
    cancelled = detail.specs.is_cancelled
    return {
        "user_id": detail.user_id,
        "seats": detail.specs.num_seats,
        "booked_at": local_to_utc(wall, tz) if wall else None,
        "booked_local": detail.specs.booked_datetime,
        "is_cancelled": cancelled,
        "flag": detail.flag,
        "state": VenueReservationState.CANCELLED if cancelled else VenueReservationState.BOOKED,
        "last_updated": detail.last_updated or last_updated or now,
        "last_synced_at": now,
        "vanished_at": None,
        "raw": detail.raw,
    }


async def store_details(
    session: AsyncSession,
    venue_id: str,
    details: Sequence[ReservationDetail],
    updated_at: Mapping[str, datetime],
    tz: ZoneInfo,
    now: datetime,
) -> tuple[int, int, int]:
    """Insert or update one row per reservation; ``(created, updated, newly cancelled)``."""
    latest = {d.reservation_id: d for d in details}
    existing: dict[str, VenueReservation] = {}
    for ids in chunks(list(latest), _IN_CHUNK):
        rows = await session.scalars(
            select(VenueReservation).where(
                VenueReservation.venue_id == venue_id, VenueReservation.resyos_id.in_(ids)
            )
        )
        existing.update((row.resyos_id, row) for row in rows)
    fresh: list[dict[str, object]] = []
    updated = cancelled = 0
    for rid, detail in latest.items():
        values = _columns(detail, updated_at.get(rid), tz, now)
        row = existing.get(rid)
        if row is None:
            fresh.append({"venue_id": venue_id, "resyos_id": rid, "first_seen_at": now, **values})
            continue
        if values["is_cancelled"] and not row.is_cancelled:
            cancelled += 1
        for name, value in values.items():
            setattr(row, name, value)
        updated += 1
    await session.flush()
    if fresh:
        # A Core executemany: one short statement, not the 750-placeholder multi-row INSERT
        # the ORM would build per batch (which psycopg re-parses every time).
        await session.execute(insert(VenueReservation), fresh)
    return len(fresh), updated, cancelled


async def store_guests(
    session: AsyncSession,
    venue_id: str,
    asked: Sequence[str],
    guests: Sequence[Guest],
    now: datetime,
) -> int:
    """One row per user id asked about; ids ResyOS did not return get a row without ``raw``,
    so they are not asked about every cycle. Returns the number of guests ResyOS returned."""
    returned = {g.user_id: g for g in guests}
    wanted = set(asked) | set(returned)
    existing: dict[str, VenueGuest] = {}
    for ids in chunks(sorted(wanted), _IN_CHUNK):
        rows = await session.scalars(
            select(VenueGuest).where(VenueGuest.venue_id == venue_id, VenueGuest.user_id.in_(ids))
        )
        existing.update((row.user_id, row) for row in rows)
    fresh: list[dict[str, object]] = []
    for uid in sorted(wanted):
        guest = returned.get(uid)
        values = {
            "first_name": guest.first_name if guest else None,
            "last_name": guest.last_name if guest else None,
            "raw": guest.raw if guest else None,
        }
        row = existing.get(uid)
        if row is None:
            fresh.append({"venue_id": venue_id, "user_id": uid, "first_seen_at": now, **values})
        elif guest is not None:
            for name, value in values.items():
                setattr(row, name, value)
    await session.flush()
    if fresh:
        await session.execute(insert(VenueGuest), fresh)
    return len(returned)


async def mark_vanished(
    session: AsyncSession, venue_id: str, ids: Sequence[str], now: datetime
) -> int:
    marked = 0
    for chunk in chunks(ids, _IN_CHUNK):
        result = await session.execute(
            update(VenueReservation)
            .where(
                VenueReservation.venue_id == venue_id,
                VenueReservation.resyos_id.in_(chunk),
                VenueReservation.vanished_at.is_(None),
            )
            .values(vanished_at=now, state=VenueReservationState.VANISHED)
            .execution_options(synchronize_session=False)
        )
        marked += _rowcount(result)
    return marked


async def mark_reappeared(session: AsyncSession, venue_id: str, ids: Sequence[str]) -> int:
    """Clear the vanished mark of reservations listed again (their details, when changed, were
    stored already, which cleared it too)."""
    for chunk in chunks(ids, _IN_CHUNK):
        await session.execute(
            update(VenueReservation)
            .where(
                VenueReservation.venue_id == venue_id,
                VenueReservation.resyos_id.in_(chunk),
                VenueReservation.vanished_at.is_not(None),
            )
            .values(
                vanished_at=None,
                state=case(
                    (VenueReservation.is_cancelled, VenueReservationState.CANCELLED),
                    else_=VenueReservationState.BOOKED,
                ),
            )
            .execution_options(synchronize_session=False)
        )
    return len(ids)


def _rowcount(result: object) -> int:
    count = getattr(result, "rowcount", 0)
    return int(count) if isinstance(count, int) and count > 0 else 0


@dataclass(frozen=True)
class MirroredReservation:
    reservation: VenueReservation
    guest: VenueGuest | None


async def list_reservations(
    session: AsyncSession,
    venue_id: str,
    start: datetime,
    end: datetime,
    *,
    states: Sequence[str] | None = None,
    limit: int = 50,
    after: tuple[datetime, int] | None = None,
) -> list[MirroredReservation]:
    """Reservations booked in ``[start, end)``, by booked time, with their guests; at most
    ``limit + 1`` so the caller can tell whether another page follows."""
    guest = and_(
        VenueGuest.venue_id == VenueReservation.venue_id,
        VenueGuest.user_id == VenueReservation.user_id,
    )
    query = (
        select(VenueReservation, VenueGuest)
        .outerjoin(VenueGuest, guest)
        .where(
            VenueReservation.venue_id == venue_id,
            VenueReservation.booked_at >= start,
            VenueReservation.booked_at < end,
        )
        .order_by(VenueReservation.booked_at, VenueReservation.id)
        .limit(limit + 1)
    )
    if states:
        query = query.where(VenueReservation.state.in_(list(states)))
    if after is not None:
        at, last_id = after
        query = query.where(
            or_(
                VenueReservation.booked_at > at,
                and_(VenueReservation.booked_at == at, VenueReservation.id > last_id),
            )
        )
    rows = await session.execute(query)
    return [MirroredReservation(r, g) for r, g in rows]


async def last_cycles(
    session: AsyncSession, venue_id: str, limit: int = 10
) -> list[VenueSyncCycle]:
    rows = await session.scalars(
        select(VenueSyncCycle)
        .where(VenueSyncCycle.venue_id == venue_id)
        .order_by(VenueSyncCycle.started_at.desc(), VenueSyncCycle.id.desc())
        .limit(limit)
    )
    return list(rows)
