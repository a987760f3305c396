"""Engine, sessions and the unit of work.

A request, tool call, CLI command or worker tick opens exactly one unit of work and commits once;
services and repositories only flush. On SQLite a *write* unit starts with ``BEGIN IMMEDIATE`` so
it holds the write lock before it reads anything it will decide on: two writers can never both
see a free slot. Read units use a plain deferred ``BEGIN`` and run concurrently under WAL.

Each ``Database`` tells its ``changes`` feed what its committed transactions changed (for the
in-process caches).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from concierge import changes

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
_WRITE = "concierge_write"
_Columns = TypeVarTuple("_Columns")


def async_url(url: str | URL) -> URL:
    """Accept plain ``sqlite:///path`` or ``postgresql://...`` URLs and pick our async driver."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(f"Unsupported database {backend!r}: use sqlite:/// or postgresql://")
    return parsed.set(drivername=_ASYNC_DRIVERS[backend])


def sync_url(url: str | URL) -> URL:
    """The same database through a synchronous driver (Alembic, backups)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    driver = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}[backend]
    return parsed.set(drivername=driver)


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_dir(url: str | URL) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        ensure_sqlite_dir(target)
        engine = create_async_engine(target, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_async_engine(target, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


async def core_rows(
    session: AsyncSession, statement: Select[*_Columns], params: Mapping[str, Any]
) -> Sequence[Row[*_Columns]]:
    """The rows of a SELECT of plain columns, run on ``session``'s connection in its transaction:
    this skips the ORM's row loading, which costs microseconds a row and loads nothing here."""
    connection = await session.connection()
    return (await connection.execute(statement, params)).all()


class Database:
    """One engine and its session factories; created once per process."""

    def __init__(self, url: str | URL, **engine_kwargs: Any) -> None:
        self.url = make_url(url)
        self.engine = create_engine(url, **engine_kwargs)
        self.changes = changes.ChangeFeed()
        info = changes.attach({}, self.changes)
        self._writer = async_sessionmaker(
            self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False, info=info
        )
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False, info=info)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @asynccontextmanager
    async def unit_of_work(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """One transaction: committed on success, rolled back on any exception."""
        factory = self._writer if write else self._reader
        async with factory() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
