"""``concierge db backup`` and ``concierge db check``."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from concierge import db_admin, migrate
from concierge.accounts import service as accounts
from concierge.cli import app as cli
from concierge.clock import SystemClock
from concierge.config import Settings, get_settings
from concierge.db import Database
from tests.fixtures.database import _admin_connection

pytestmark = pytest.mark.anyio


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/live.db"
    migrate.upgrade(url)
    return url


async def add_people(db: Database, names: list[str]) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    for name in names:
        async with db.unit_of_work() as session:
            await accounts.create_user(
                session,
                name=name,
                email=f"{name}@example.com",
                timezone="UTC",
                now=SystemClock().now(),
                settings=settings,
            )


async def test_a_backup_taken_while_the_service_writes_is_whole_and_consistent(
    sqlite_file: str, tmp_path: Path
) -> None:
    db = Database(sqlite_file)
    try:
        await add_people(db, [f"before{n}" for n in range(20)])
        writer = asyncio.create_task(add_people(db, [f"during{n}" for n in range(40)]))
        done = await asyncio.to_thread(db_admin.backup_sqlite, sqlite_file, tmp_path / "b.db")
        await writer
    finally:
        await db.dispose()

    assert done.integrity == "ok"
    copy = sqlite3.connect(done.path)
    try:
        users = copy.execute("SELECT count(*) FROM users").fetchone()[0]
        tokens = copy.execute("SELECT count(*) FROM api_tokens").fetchone()[0]
    finally:
        copy.close()
    assert 20 <= users <= 60
    assert tokens == users  # each sign-up is one transaction: never a user without its token
    assert db_admin.check(f"sqlite:///{done.path}") == []


def test_a_backup_never_overwrites_by_accident_and_dates_files_in_a_folder(
    sqlite_file: str, tmp_path: Path
) -> None:
    first = db_admin.backup_sqlite(sqlite_file, tmp_path / "b.db")
    with pytest.raises(db_admin.BackupError, match="--overwrite"):
        db_admin.backup_sqlite(sqlite_file, first.path)
    assert db_admin.backup_sqlite(sqlite_file, first.path, overwrite=True).path == first.path
    folder = tmp_path / "backups"
    folder.mkdir()
    dated = db_admin.backup_sqlite(sqlite_file, folder)
    assert dated.path.parent == folder
    assert dated.path.name.startswith("concierge-")
    assert not list(folder.glob(".*partial"))


def test_check_passes_on_a_database_at_head(sqlite_file: str) -> None:
    assert db_admin.check(sqlite_file) == []


def test_check_names_pending_migrations_and_missing_tables(tmp_path: Path) -> None:
    problems = db_admin.check(f"sqlite:///{tmp_path}/empty.db")
    assert any("not applied" in p and "concierge db upgrade" in p for p in problems)
    assert any("Tables missing" in p and "reservations" in p for p in problems)


def test_check_notices_a_missing_double_booking_trigger(sqlite_file: str) -> None:
    engine = create_engine(sqlite_file)
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER participants_no_overlap_update"))
    engine.dispose()
    (problem,) = db_admin.check(sqlite_file)
    assert "participants_no_overlap_update" in problem


@pytest.fixture
def private_postgres(postgres_url: str) -> Iterator[str]:
    """A migrated PostgreSQL database of this test's own, to break at will."""
    name = f"concierge_check_{secrets.token_hex(4)}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    yield url
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_check_on_postgres_sees_the_exclusion_constraint_go(private_postgres: str) -> None:
    assert db_admin.check(private_postgres) == []
    engine = create_engine(private_postgres.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(
            text("ALTER TABLE reservation_participants DROP CONSTRAINT participants_no_overlap")
        )
    engine.dispose()
    (problem,) = db_admin.check(private_postgres)
    assert "exclusion constraint participants_no_overlap" in problem


RunCli = Callable[..., tuple[int, str]]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunCli]:
    def run(database_url: str, *args: str) -> tuple[int, str]:
        monkeypatch.setenv("CONCIERGE_DATABASE_URL", database_url)
        get_settings.cache_clear()
        result = CliRunner().invoke(cli, list(args))
        return result.exit_code, result.output

    yield run
    get_settings.cache_clear()


def test_the_cli_backs_up_sqlite_and_shows_pg_dump_for_postgres(
    run_cli: RunCli, sqlite_file: str, tmp_path: Path
) -> None:
    run = run_cli
    code, output = run(sqlite_file, "db", "backup", str(tmp_path / "cli.db"))
    assert code == 0, output
    assert (tmp_path / "cli.db").exists()
    code, output = run("postgresql://app:pw@db.internal:5432/concierge", "db", "backup", "x.dump")
    assert code == 1
    assert "pg_dump --format=custom --file=x.dump" in output
    assert "pw@" not in output


def test_the_cli_check_exits_non_zero_with_what_to_do(run_cli: RunCli, tmp_path: Path) -> None:
    run = run_cli
    code, output = run(f"sqlite:///{tmp_path}/empty.db", "db", "check")
    assert code == 1
    assert "concierge db upgrade" in output
