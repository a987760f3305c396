"""Alembic, driven from code: ``concierge db upgrade`` and ``concierge serve`` call this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from concierge.db import ensure_sqlite_dir, is_sqlite, sync_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option(
        "sqlalchemy.url", sync_url(database_url).render_as_string(hide_password=False)
    )
    config.attributes["configure_logger"] = False
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    if is_sqlite(database_url):
        ensure_sqlite_dir(database_url)
    command.upgrade(alembic_config(database_url), revision)


def pending(database_url: str) -> list[str]:
    """Revisions the database still lacks (empty when it is at head)."""
    script = ScriptDirectory.from_config(alembic_config(database_url))
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    heads = set(script.get_heads())
    if current == heads:
        return []
    missing = script.iterate_revisions(tuple(heads), tuple(current) or "base")
    return [rev.revision for rev in missing]
