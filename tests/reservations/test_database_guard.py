"""The database refuses a double booking by itself, and the service turns that into a 409."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.errors import SlotUnavailable
from concierge.models import Reservation, ReservationStatus, User
from concierge.reservations import service
from tests.fixtures.app import Person

pytestmark = pytest.mark.anyio

TEN = datetime(2026, 11, 25, 10, tzinfo=UTC)


def row(host: Person, guest: Person, minutes_in: int, length: int, status: str) -> Reservation:
    start = TEN + timedelta(minutes=minutes_in)
    return Reservation(
        host_id=host.id,
        guest_id=guest.id,
        start_at=start,
        end_at=start + timedelta(minutes=length),
        status=status,
        hold_expires_at=TEN if status == ReservationStatus.HELD else None,
        created_at=TEN,
    )


@pytest.mark.parametrize("first", [ReservationStatus.HELD, ReservationStatus.CONFIRMED])
@pytest.mark.parametrize("second", [ReservationStatus.HELD, ReservationStatus.CONFIRMED])
async def test_two_active_rows_of_a_host_never_overlap(
    db: Database, host: Person, guest: Person, first: str, second: str
) -> None:
    async with db.unit_of_work() as session:
        session.add(row(host, guest, 0, 60, first))
    with pytest.raises(IntegrityError, match=service.NO_OVERLAP):
        async with db.unit_of_work() as session:
            session.add(row(host, guest, 45, 30, second))


async def test_cancelled_and_expired_rows_leave_the_time_free(
    db: Database, host: Person, guest: Person
) -> None:
    async with db.unit_of_work() as session:
        session.add(row(host, guest, 0, 60, ReservationStatus.CANCELLED))
        session.add(row(host, guest, 0, 60, ReservationStatus.EXPIRED))
        session.add(row(host, guest, 0, 60, ReservationStatus.CONFIRMED))
        session.add(row(host, guest, 60, 15, ReservationStatus.HELD))  # touching is not overlap


async def test_reviving_a_cancelled_row_over_a_booking_is_refused(
    db: Database, host: Person, guest: Person
) -> None:
    async with db.unit_of_work() as session:
        cancelled = row(host, guest, 0, 30, ReservationStatus.CANCELLED)
        session.add_all([cancelled, row(host, guest, 15, 30, ReservationStatus.CONFIRMED)])
    with pytest.raises(IntegrityError, match=service.NO_OVERLAP):
        async with db.unit_of_work() as session:
            await session.execute(
                update(Reservation)
                .where(Reservation.id == cancelled.id)
                .values(status=ReservationStatus.CONFIRMED)
            )


async def test_a_writer_that_skipped_the_checks_still_gets_slot_unavailable(
    db: Database,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with db.unit_of_work() as session:
        session.add(row(host, guest, 0, 60, ReservationStatus.CONFIRMED))

    async def no_check(*_: object) -> None:
        return None

    monkeypatch.setattr(service, "require_free", no_check)
    async with db.unit_of_work() as session:
        actor = await session.get(User, guest.id)
    assert actor is not None

    async def reserve_over_it() -> None:
        async with db.unit_of_work() as session:
            await service.reserve(
                session,
                guest=actor,
                host_id=host.id,
                start=TEN + timedelta(minutes=30),
                duration_minutes=15,
                now=clock.now(),
                settings=settings,
            )

    with pytest.raises(SlotUnavailable, match="a moment ago"):
        await reserve_over_it()
