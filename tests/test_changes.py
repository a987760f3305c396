"""What a committed unit of work tells the caches: whose accounts and whose availability it
touched, through the ORM or through bulk statements; nothing when it rolls back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, update

from concierge.accounts import service as accounts
from concierge.changes import ACCOUNTS, AVAILABILITY, Change, reading_since, touching
from concierge.config import Settings
from concierge.db import Database
from concierge.models import (
    DateOverride,
    IdempotencyRecord,
    Reservation,
    ReservationStatus,
    User,
    WeeklySchedule,
)
from concierge.reservations import transitions

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


class Recorder:
    """A listener that keeps what the feed tells it."""

    def __init__(self, db: Database) -> None:
        self.changes: list[Change] = []
        db.changes.subscribe(self)

    def changed(self, change: Change) -> None:
        self.changes.append(change)

    def told(self) -> dict[str, frozenset[int] | None]:
        """Users touched per topic since the last call (None: everyone)."""
        result: dict[str, frozenset[int] | None] = {}
        for change in self.changes:
            known = result.get(change.topic, frozenset())
            result[change.topic] = (
                None if change.users is None or known is None else known | change.users
            )
        self.changes.clear()
        return result


@pytest.fixture
def recorder(db: Database) -> Recorder:
    return Recorder(db)


async def make_user(db: Database, settings: Settings, name: str) -> User:
    async with db.unit_of_work() as session:
        user, _ = await accounts.create_user(
            session,
            name=name,
            email=f"{name.lower()}@example.com",
            timezone="UTC",
            now=NOW,
            settings=settings,
        )
    return user


async def rename_then_fail(db: Database, user_id: int, in_savepoint: bool = False) -> None:
    """Rename a user and flush it (inside a released savepoint, if asked), then fail the unit."""
    async with db.unit_of_work() as session:
        if in_savepoint:
            async with session.begin_nested():
                (await session.get_one(User, user_id)).name = "Lost"
        else:
            (await session.get_one(User, user_id)).name = "Never"
            await session.flush()
        raise RuntimeError("the unit of work fails after the flush")


async def test_a_commit_tells_whose_account_and_availability_it_touched(
    db: Database, settings: Settings, recorder: Recorder
) -> None:
    ada = await make_user(db, settings, "Ada")
    assert recorder.told() == {ACCOUNTS: {ada.id}, AVAILABILITY: {ada.id}}

    async with db.unit_of_work() as session:
        await accounts.issue_token(session, ada, NOW, label="laptop")
    assert recorder.told() == {ACCOUNTS: {ada.id}}

    async with db.unit_of_work() as session:
        schedule = await session.get(WeeklySchedule, ada.id)
        assert schedule is not None
        schedule.days = {}
        session.add(DateOverride(user_id=ada.id, day=NOW.date(), timezone="UTC", windows=[]))
    assert recorder.told() == {AVAILABILITY: {ada.id}}

    async with db.unit_of_work() as session:
        (await session.get_one(User, ada.id)).name = "Ada L."
    assert recorder.told() == {ACCOUNTS: {ada.id}, AVAILABILITY: {ada.id}}


async def test_a_reservation_touches_its_host_and_its_guest(
    db: Database, settings: Settings, recorder: Recorder
) -> None:
    host, guest = await make_user(db, settings, "Host"), await make_user(db, settings, "Guest")
    recorder.told()
    async with db.unit_of_work() as session:
        booked = Reservation(
            host_id=host.id,
            guest_id=guest.id,
            start_at=NOW + timedelta(days=2),
            end_at=NOW + timedelta(days=2, minutes=15),
            status=ReservationStatus.CONFIRMED,
            created_at=NOW,
        )
        session.add(booked)
        await session.flush()
        transitions.created(session, booked)
    assert recorder.told() == {AVAILABILITY: {host.id, guest.id}}
    async with db.unit_of_work() as session:
        await transitions.move(session, Reservation.id == booked.id, "cancelled", cancelled_at=NOW)
    assert recorder.told() == {AVAILABILITY: {host.id, guest.id}}


async def test_a_rolled_back_unit_tells_nothing(
    db: Database, settings: Settings, recorder: Recorder
) -> None:
    ada = await make_user(db, settings, "Ada")
    recorder.told()
    with pytest.raises(RuntimeError):
        await rename_then_fail(db, ada.id)
    assert recorder.told() == {}


async def test_a_released_savepoint_tells_only_when_the_whole_transaction_commits(
    db: Database, settings: Settings, recorder: Recorder
) -> None:
    ada = await make_user(db, settings, "Ada")
    recorder.told()
    async with db.unit_of_work() as session:
        async with session.begin_nested():
            (await session.get_one(User, ada.id)).name = "Inner"
        assert recorder.told() == {}
    assert recorder.told() == {ACCOUNTS: {ada.id}, AVAILABILITY: {ada.id}}

    with pytest.raises(RuntimeError):
        await rename_then_fail(db, ada.id, in_savepoint=True)
    assert recorder.told() == {}


async def test_a_bulk_statement_touches_whom_it_names_or_else_everyone(
    db: Database, settings: Settings, recorder: Recorder
) -> None:
    ada = await make_user(db, settings, "Ada")
    recorder.told()
    async with db.unit_of_work() as session:
        await session.execute(
            delete(DateOverride)
            .where(DateOverride.user_id == ada.id)
            .execution_options(**touching(ada.id))
        )
    assert recorder.told() == {AVAILABILITY: {ada.id}}
    async with db.unit_of_work() as session:
        await session.execute(update(User).where(User.id == ada.id).values(phone="+1 555"))
    assert recorder.told() == {ACCOUNTS: None, AVAILABILITY: None}


async def test_tables_no_cache_reads_from_tell_nothing(
    db: Database, settings: Settings, recorder: Recorder
) -> None:
    ada = await make_user(db, settings, "Ada")
    recorder.told()
    async with db.unit_of_work() as session:
        await session.execute(
            insert(IdempotencyRecord),
            [
                {
                    "user_id": ada.id,
                    "key": "k",
                    "request_fingerprint": "f",
                    "status_code": 201,
                    "body": {},
                    "created_at": NOW,
                }
            ],
        )
    assert recorder.told() == {}


async def test_a_reader_knows_the_change_its_transaction_began_after(
    db: Database, settings: Settings
) -> None:
    ada = await make_user(db, settings, "Ada")
    async with db.unit_of_work(write=False) as reader:
        before_reading = reading_since(reader)
        async with db.unit_of_work() as writer:  # commits before the reader reads anything
            (await writer.get_one(User, ada.id)).name = "Ada L."
        await reader.get_one(User, ada.id)
        # The reader's transaction began after that commit: what it read includes it.
        assert reading_since(reader) == db.changes.seq
        assert before_reading is not None
        assert reading_since(reader) > before_reading
        async with db.unit_of_work() as writer:  # commits while the reader's is open
            (await writer.get_one(User, ada.id)).name = "Ada King"
        assert db.changes.touched_since(reading_since(reader) or 0, ACCOUNTS, ada.id)
