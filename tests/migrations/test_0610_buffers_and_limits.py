"""Migration 0610 gives everyone no buffers and no limits, which books them exactly as before,
and its downgrade drops the four settings and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from concierge import migrate
from concierge.db import sync_url
from tests.fixtures.database import BACKENDS
from tests.migrations.revisions import database_at, previous

BEFORE = previous("0610")

COLUMNS = {"buffer_before_minutes", "buffer_after_minutes", "max_per_day", "max_per_week"}


@pytest.fixture(params=BACKENDS)
def url_at_0500(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own, migrated up to 0500."""
    with database_at(request, tmp_path, BEFORE) as url:
        yield url


def test_existing_people_get_no_buffers_and_no_limits_and_downgrade_keeps_them(
    url_at_0500: str,
) -> None:
    engine = create_engine(sync_url(url_at_0500))
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (name, email, timezone, slug, min_notice_minutes,"
                    " horizon_days, is_admin, created_at) VALUES ('Ada', 'ada@example.com',"
                    " 'UTC', 'ada', 60, 30, false, '2026-12-01 10:00:00+00:00')"
                )
            )
        migrate.upgrade(url_at_0500, "0610")
        with engine.begin() as connection:
            row = connection.execute(
                text(
                    "SELECT name, buffer_before_minutes, buffer_after_minutes, max_per_day,"
                    " max_per_week FROM users"
                )
            ).one()
            assert tuple(row) == ("Ada", 0, 0, None, None)
            connection.execute(text("UPDATE users SET max_per_day = 3, buffer_after_minutes = 5"))
        command.downgrade(migrate.alembic_config(url_at_0500), BEFORE)
        assert COLUMNS.isdisjoint(c["name"] for c in inspect(engine).get_columns("users"))
        with engine.begin() as connection:
            kept = connection.execute(text("SELECT name, horizon_days FROM users")).one()
            assert tuple(kept) == ("Ada", 30)
    finally:
        engine.dispose()
