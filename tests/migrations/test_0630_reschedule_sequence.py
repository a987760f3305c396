"""Migration 0630 adds a reservation's calendar SEQUENCE, cancel reason and last move, keeps
every row (a cancelled one starts at SEQUENCE 1: calendars saw it change once), and its
downgrade drops them again without losing the triggers that keep participants in step."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select, update

from concierge import migrate
from concierge.models import Reservation, ReservationParticipant
from tests.fixtures.database import BACKENDS
from tests.migrations.revisions import database_at, previous
from tests.migrations.test_0500_participants import SOON, add_meeting, add_people, engine_for

REVISION = "0630"
BEFORE = previous(REVISION)
NEW_COLUMNS = {"sequence", "cancel_reason", "rescheduled_at"}


@pytest.fixture(params=BACKENDS)
def at_0500(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_at(request, tmp_path, BEFORE) as url:
        yield url


def columns(url: str) -> set[str]:
    return {c["name"] for c in inspect(engine_for(url)).get_columns("reservations")}


def test_up_keeps_every_row_and_down_keeps_the_participant_triggers(at_0500: str) -> None:
    engine = engine_for(at_0500)
    ada, bob = add_people(engine, "ada", "bob")
    add_meeting(engine, ada, bob, 9, 60, "confirmed")
    add_meeting(engine, ada, bob, 11, 60, "cancelled", cancelled_at=SOON)
    assert not NEW_COLUMNS & columns(at_0500)

    migrate.upgrade(at_0500, REVISION)

    assert columns(at_0500) >= NEW_COLUMNS
    table = Reservation.__table__
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.c.status, table.c.sequence, table.c.cancel_reason).order_by(table.c.id)
        ).all()
    assert [tuple(r) for r in rows] == [("confirmed", 0, None), ("cancelled", 1, None)]
    # A row written without a sequence starts at 0.
    fresh = add_meeting(engine, ada, None, 14, 30, "confirmed")
    with engine.connect() as connection:
        assert connection.scalar(select(table.c.sequence).where(table.c.id == fresh)) == 0

    command.downgrade(migrate.alembic_config(at_0500), BEFORE)

    assert not NEW_COLUMNS & columns(at_0500)
    # The participant rows still follow a moved reservation, and the guard still holds.
    moved = SOON.replace(hour=15)
    table = Reservation.__table__
    people = ReservationParticipant.__table__
    with engine.begin() as connection:
        connection.execute(
            update(table)
            .where(table.c.id == fresh)
            .values(start_at=moved, end_at=moved + timedelta(minutes=30))
        )
        starts = connection.scalars(
            select(people.c.start_at).where(people.c.reservation_id == fresh)
        ).all()
    assert list(starts) == [moved]
    migrate.upgrade(at_0500, REVISION)
    assert columns(at_0500) >= NEW_COLUMNS
    with engine.begin() as connection:
        connection.execute(update(table).where(table.c.id == fresh).values(sequence=5))
