"""Migration 0500 copies every person of every reservation into participants, and refuses to
finish while existing rows already put someone into two meetings at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, func, insert, inspect, select

from concierge import migrate
from concierge.db import sync_url
from concierge.models import Reservation, ReservationParticipant, User
from tests.fixtures.database import BACKENDS
from tests.migrations.revisions import database_at

REVISION = "0500"
# Far enough ahead that the migration, which reads the real clock, sees live holds as live.
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)


def before_participants() -> str:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    down = script.get_revision(REVISION).down_revision
    assert isinstance(down, str)
    return down


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own, migrated up to just before participants."""
    with database_at(request, tmp_path, before_participants()) as url:
        yield url


def engine_for(url: str) -> Engine:
    return create_engine(sync_url(url))


def add_people(engine: Engine, *names: str) -> list[int]:
    with engine.begin() as connection:
        return [
            connection.execute(
                insert(User.__table__)
                .values(
                    name=name,
                    email=f"{name}@example.com",
                    timezone="UTC",
                    slug=name,
                    min_notice_minutes=0,
                    horizon_days=60,
                    is_admin=False,
                    created_at=SOON,
                )
                .returning(User.__table__.c.id)
            ).scalar_one()
            for name in names
        ]


def add_meeting(
    engine: Engine, host: int, guest: int | None, hour: int, minutes: int, status: str, **more: Any
) -> int:
    start = SOON.replace(hour=hour)
    values = {
        "host_id": host,
        "guest_id": guest,
        "start_at": start,
        "end_at": start + timedelta(minutes=minutes),
        "status": status,
        "hold_expires_at": SOON if status == "held" else None,
        "created_at": SOON,
        **more,
    }
    with engine.begin() as connection:
        return int(
            connection.execute(
                insert(Reservation.__table__).values(**values).returning(Reservation.__table__.c.id)
            ).scalar_one()
        )


def test_on_clean_data_it_fills_participants(fresh_url: str) -> None:
    engine = engine_for(fresh_url)
    ada, bob, carol = add_people(engine, "ada", "bob", "carol")
    first = add_meeting(engine, ada, bob, 10, 60, "confirmed")
    second = add_meeting(engine, carol, bob, 11, 30, "held")
    gone = add_meeting(engine, carol, bob, 10, 60, "cancelled", cancelled_at=SOON)
    visitor = add_meeting(engine, ada, None, 12, 30, "confirmed")
    migrate.upgrade(fresh_url, REVISION)
    table = ReservationParticipant.__table__
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.c.reservation_id, table.c.user_id, table.c.role, table.c.active).order_by(
                table.c.reservation_id, table.c.role
            )
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        (first, bob, "guest", True),
        (first, ada, "host", True),
        (second, bob, "guest", True),
        (second, carol, "host", True),
        (gone, bob, "guest", False),
        (gone, carol, "host", False),
        (visitor, ada, "host", True),
    ]


def test_a_lapsed_hold_is_tidied_rather_than_counted_as_an_overlap(fresh_url: str) -> None:
    engine = engine_for(fresh_url)
    ada, bob, carol = add_people(engine, "ada", "bob", "carol")
    add_meeting(engine, ada, bob, 10, 60, "confirmed")
    lapsed = add_meeting(
        engine, carol, bob, 10, 60, "held", hold_expires_at=SOON - timedelta(days=60)
    )
    migrate.upgrade(fresh_url, REVISION)
    with engine.connect() as connection:
        status = connection.execute(
            select(Reservation.__table__.c.status).where(Reservation.__table__.c.id == lapsed)
        ).scalar_one()
    engine.dispose()
    assert status == "expired"


def test_on_overlapping_data_it_refuses_and_lists_the_overlaps(fresh_url: str) -> None:
    engine = engine_for(fresh_url)
    ada, bob, carol, dan = add_people(engine, "ada", "bob", "carol", "dan")
    first = add_meeting(engine, ada, bob, 10, 60, "confirmed")
    second = add_meeting(engine, carol, bob, 10, 30, "held")  # Bob as guest twice
    third = add_meeting(engine, bob, dan, 10, 15, "confirmed")  # and as host
    with pytest.raises(RuntimeError) as refusal:
        migrate.upgrade(fresh_url, REVISION)
    message = str(refusal.value)
    assert "3 pair(s)" in message
    for a, b in ((first, second), (first, third), (second, third)):
        assert f"user {bob}: reservations {a} and {b}" in message
    tables = inspect(engine).get_table_names()
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(Reservation.__table__))
        assert total.scalar_one() == 3
    engine.dispose()
    assert "reservation_participants" not in tables
    assert migrate.pending(fresh_url) != []
