"""Migration 0640 adds the outbox, webhooks and notification settings, and one nullable column
to manage links; its downgrade takes them away again and keeps every other row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from concierge import migrate
from concierge.db import sync_url
from tests.fixtures.database import BACKENDS
from tests.migrations.revisions import database_at, previous

REVISION = "0640"
NEW_TABLES = {"outbox_messages", "webhook_subscriptions", "webhook_deliveries",
              "notification_settings"}  # fmt: skip
AT = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_at(request, tmp_path, None) as url:
        yield url


def test_upgrade_and_downgrade_keep_the_manage_links_and_bookings(fresh_url: str) -> None:
    migrate.upgrade(fresh_url, previous(REVISION))
    engine = create_engine(sync_url(fresh_url))
    stamp = AT.isoformat() if fresh_url.startswith("sqlite") else AT
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (name, email, timezone, slug, min_notice_minutes, "
                    "horizon_days, is_admin, created_at) VALUES "
                    "('Hana', 'h@example.com', 'UTC', 'hana', 0, 60, false, :at)"
                ),
                {"at": stamp},
            )
            connection.execute(
                text(
                    "INSERT INTO reservations (host_id, guest_name, guest_email, start_at, "
                    "end_at, status, created_at) VALUES "
                    "(1, 'Vera', 'v@example.com', :at, :end, 'cancelled', :at)"
                ),
                {"at": stamp, "end": (AT.replace(hour=13)).isoformat()
                 if fresh_url.startswith("sqlite") else AT.replace(hour=13)},
            )  # fmt: skip
            connection.execute(
                text(
                    "INSERT INTO manage_links (reservation_id, token_hash, timezone, created_at) "
                    "VALUES (1, 'abc', 'Asia/Tokyo', :at)"
                ),
                {"at": stamp},
            )
        migrate.upgrade(fresh_url)
        tables = set(inspect(engine).get_table_names())
        assert tables >= NEW_TABLES
        with engine.begin() as connection:
            row = connection.execute(
                text("SELECT token_hash, timezone, token_sealed FROM manage_links")
            ).one()
            assert tuple(row) == ("abc", "Asia/Tokyo", None)

        command.downgrade(migrate.alembic_config(fresh_url), previous(REVISION))
        engine.dispose()
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        with engine.begin() as connection:
            links = connection.execute(text("SELECT token_hash, timezone FROM manage_links")).all()
            assert [tuple(r) for r in links] == [("abc", "Asia/Tokyo")]
            assert connection.execute(text("SELECT count(*) FROM reservations")).scalar() == 1
        migrate.upgrade(fresh_url)  # and up again
        assert set(inspect(engine).get_table_names()) >= NEW_TABLES
    finally:
        engine.dispose()
