"""Migration 0670 adds the watch tables and nothing else: the rows already there (a booked
table) survive upgrading and downgrading, and downgrading drops only the watches."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, inspect, select

from concierge import migrate
from concierge.db import sync_url
from concierge.models import DiningReservation, DiningWatch, User
from tests.fixtures.database import BACKENDS
from tests.migrations.revisions import database_at, previous
from tests.migrations.test_0500_participants import add_people

REVISION = "0670"
BEFORE = previous(REVISION)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def url_before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_at(request, tmp_path, BEFORE) as url:
        yield url


def test_up_and_down_keep_every_other_row_and_down_drops_only_the_watches(
    url_before: str,
) -> None:
    engine = create_engine(sync_url(url_before))
    [dana] = add_people(engine, "dana")
    table = {
        "user_id": dana,
        "platform": "resy",
        "platform_token": "rr://kept",
        "restaurant_name": "Don Angie",
        "day": date(2026, 11, 28),
        "time": time(19),
        "starts_at": NOW,
        "party_size": 2,
        "status": "confirmed",
        "booked_at": NOW,
    }
    with engine.begin() as connection:
        connection.execute(insert(DiningReservation.__table__).values(**table))
    migrate.upgrade(url_before, REVISION)
    watch = {
        "user_id": dana,
        "restaurant_name": "Don Angie",
        "venue_id": 1505,
        "time_zone": "America/New_York",
        "day": date(2026, 11, 28),
        "earliest": time(19),
        "latest": time(21),
        "party_size": 2,
        "status": "watching",
        "next_check_at": NOW,
        "checks": 0,
        "created_at": NOW,
    }
    with engine.begin() as connection:
        connection.execute(insert(DiningWatch.__table__).values(**watch))
    assert {"dining_watches", "dining_watch_log"} <= set(inspect(engine).get_table_names())
    command.downgrade(migrate.alembic_config(url_before), BEFORE)
    names = set(inspect(engine).get_table_names())
    assert not {"dining_watches", "dining_watch_log"} & names
    with engine.connect() as connection:
        tokens = connection.execute(select(DiningReservation.__table__.c.platform_token)).all()
        users = connection.execute(select(User.__table__.c.id)).all()
    assert [t for (t,) in tokens] == ["rr://kept"]
    assert [u for (u,) in users] == [dana]
    migrate.upgrade(url_before)  # and up again, to the head
    assert "dining_watches" in set(inspect(engine).get_table_names())
    engine.dispose()
