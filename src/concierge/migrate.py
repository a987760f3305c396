"""Alembic, driven from code: ``concierge db upgrade`` and ``concierge serve`` call this.

Any number of processes may upgrade at once (servers starting together): one runs the
migrations while holding a lock, the others wait for it and then find the database at head. The
lock is a PostgreSQL advisory lock, or on SQLite an exclusive ``flock`` on a file beside the
database (``<database>.migrate-lock``): SQLite's own locks do not cover Alembic's several
transactions, and a file lock is freed by the kernel if its holder dies.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

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


# One bigint key of its own: the two-int advisory locks the services take never meet it.
MIGRATION_LOCK = 0x636F6E6369657267  # "concierg"


def upgrade(database_url: str, revision: str = "heads") -> None:
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Held by one process at a time, across processes, for one database."""
    if is_sqlite(database_url):
        ensure_sqlite_dir(database_url)
        database = make_url(database_url).database
        if not database or database == ":memory:":
            yield  # a private in-memory database: nobody else to wait for
            return
        with open(f"{database}.migrate-lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    engine = create_engine(sync_url(database_url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
    finally:
        engine.dispose()


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
