"""``concierge db backup`` and ``concierge db check``: a consistent copy, and proof that the
database is the one the code expects (migrations at head, the no-double-booking guard in place).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url

from concierge import migrate
from concierge.db import is_sqlite, sync_url
from concierge.models import Base

SQLITE_OVERLAP_TRIGGERS = (
    "participants_no_overlap_insert",
    "participants_no_overlap_update",
    "reservations_participants_insert",
    "reservations_participants_update",
)
POSTGRES_OVERLAP_CONSTRAINT = "participants_no_overlap"


@dataclass(frozen=True)
class Backup:
    path: Path
    bytes: int
    integrity: str


class BackupError(Exception):
    pass


def pg_dump_command(database_url: str, path: str | Path) -> str:
    url = make_url(database_url).set(drivername="postgresql")
    shown = url.render_as_string(hide_password=True)
    return f"pg_dump --format=custom --file={path} '{shown}'"


def backup_sqlite(database_url: str, target: Path, *, overwrite: bool = False) -> Backup:
    """Copy a live SQLite database with SQLite's online backup API.

    The copy is one consistent snapshot even while the service writes (under WAL writers go on
    meanwhile). It is written beside the target and renamed into place, so ``target`` is never a
    half-written file; then the copy's integrity is checked.
    """
    source = make_url(database_url).database
    if not source or source == ":memory:" or not Path(source).exists():
        raise BackupError(f"No SQLite database file at {source!r}.")
    if target.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = target / f"concierge-{stamp}.db"
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists; choose another path or pass --overwrite.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)

    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one read transaction, one snapshot
            integrity = dst.execute("PRAGMA integrity_check").fetchone()[0]
            # The copy is a standalone file: no -wal beside it to lose.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    if integrity != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed its integrity check: {integrity}")
    os.replace(partial, target)
    return Backup(target, target.stat().st_size, integrity)


def check(database_url: str) -> list[str]:
    """What is wrong with the database, each as a sentence saying what to do; empty when fine."""
    problems: list[str] = []
    try:
        pending = migrate.pending(database_url)
    except Exception as exc:
        return [f"Cannot read the database at {_shown(database_url)}: {exc}"]
    if pending:
        problems.append(
            f"{len(pending)} migration(s) not applied ({', '.join(pending)}): "
            "run `concierge db upgrade`."
        )
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            missing = sorted(set(Base.metadata.tables) - present)
            if missing:
                problems.append(
                    f"Tables missing: {', '.join(missing)}: run `concierge db upgrade`."
                )
            if "reservations" in present:
                problems.extend(_overlap_guard_problems(connection, database_url))
    finally:
        engine.dispose()
    return problems


def _overlap_guard_problems(connection: Connection, database_url: str) -> list[str]:
    if is_sqlite(database_url):
        rows = connection.execute(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('reservations', 'reservation_participants')"
            )
        )
        found = {row[0] for row in rows}
        absent = [name for name in SQLITE_OVERLAP_TRIGGERS if name not in found]
        if absent:
            return [
                f"The triggers that refuse double bookings are missing ({', '.join(absent)}): "
                "restore them by re-applying migration 0500 (participants), or restore a backup."
            ]
        return []
    row = connection.execute(
        text(
            "SELECT contype, convalidated FROM pg_constraint "
            "WHERE conname = :name AND conrelid = 'reservation_participants'::regclass"
        ),
        {"name": POSTGRES_OVERLAP_CONSTRAINT},
    ).first()
    if row is None or row[0] != "x":
        return [
            f"The exclusion constraint {POSTGRES_OVERLAP_CONSTRAINT} that refuses double "
            "bookings is missing: restore it by re-applying migration 0500 (participants)."
        ]
    if not row[1]:
        return [f"The exclusion constraint {POSTGRES_OVERLAP_CONSTRAINT} is not validated."]
    return []


def _shown(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)
