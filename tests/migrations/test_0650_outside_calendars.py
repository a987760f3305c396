"""Migration 0650 adds the outside-calendar tables without touching a row that was there, and
its downgrade removes them and nothing else. Both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select

from concierge import migrate
from concierge.db import sync_url
from concierge.models import User
from tests.fixtures.database import BACKENDS
from tests.migrations.revisions import database_at, previous

REVISION = "0650"
BEFORE = previous(REVISION)
TABLES = {"outside_calendars", "outside_busy", "calendar_writes"}


@pytest.fixture(params=BACKENDS)
def at_0500(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_at(request, tmp_path, BEFORE) as url:
        yield url


def tables(url: str) -> set[str]:
    engine = create_engine(sync_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_adds_the_tables_keeps_the_rows_and_downgrade_removes_only_them(
    at_0500: str,
) -> None:
    engine = create_engine(sync_url(at_0500))
    with engine.begin() as connection:
        connection.execute(
            User.__table__.insert().values(
                name="Ada", email="ada@example.com", timezone="UTC", slug="ada",
                min_notice_minutes=1440, horizon_days=60,
                created_at=datetime(2026, 11, 1, tzinfo=UTC),
            )
        )  # fmt: skip
    before = tables(at_0500)
    assert not TABLES & before

    migrate.upgrade(at_0500, "0650")
    assert tables(at_0500) == before | TABLES
    with engine.connect() as connection:
        assert connection.execute(select(User.name)).scalars().all() == ["Ada"]

    command.downgrade(migrate.alembic_config(at_0500), BEFORE)
    assert tables(at_0500) == before
    with engine.connect() as connection:
        assert connection.execute(select(User.name)).scalars().all() == ["Ada"]
    engine.dispose()
