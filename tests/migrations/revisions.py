"""Where a migration sits in the chain, so a test of one migration starts just before it
whatever is added ahead of it later, on a database of its own."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from concierge import migrate
from tests.fixtures.database import _admin_connection


def previous(revision: str) -> str:
    """The revision ``revision`` upgrades from."""
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    down = script.get_revision(revision).down_revision
    assert isinstance(down, str)
    return down


@contextmanager
def database_at(
    request: pytest.FixtureRequest, tmp_path: Path, revision: str | None
) -> Iterator[str]:
    """An empty database of its own on the test's backend (``request.param``), migrated up to
    ``revision`` (``None``: left empty); a PostgreSQL one is dropped afterwards."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/before.db"
        if revision is not None:
            migrate.upgrade(url, revision)
        yield url
        return
    postgres_url: str = request.getfixturevalue("postgres_url")
    name = f"concierge_mig_{secrets.token_hex(4)}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        if revision is not None:
            migrate.upgrade(url, revision)
        yield url
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
