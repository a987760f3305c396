"""``concierge venue-sync``: run the ResyOS sync, look at the mirror."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, TypeVar

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.table import Table

from concierge import migrate
from concierge.backoff import pause_after
from concierge.clock import SystemClock
from concierge.config import Settings, get_settings
from concierge.db import Database
from concierge.errors import ConciergeError
from concierge.integrations.resyos.client import ResyOSClient
from concierge.observability.logs import configure_logging
from concierge.venue_sync import service
from concierge.venue_sync.mirror import MirroredReservation, last_cycles
from concierge.venue_sync.plan import SyncConfig

app = typer.Typer(
    help="Mirror the venue's ResyOS book into this database, and read the mirror.",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)
log = logging.getLogger("concierge.venue_sync")
T = TypeVar("T")
_PAGE = 500
Rows = list[MirroredReservation]


def _configure_logging(settings: Settings) -> None:
    if not logging.getLogger().handlers:
        configure_logging(settings)  # JSON off a terminal, secrets redacted
    # httpx logs each request at INFO: the cycle line already counts them.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


class _Bar:
    """A Rich progress bar, shown only once a catch-up cycle (the first full sync) reports."""

    def __init__(self) -> None:
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not err.is_terminal:
            return
        if self._progress is None:
            self._progress = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
            )
            self._progress.start()
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(f"Fetching {stage}", total=total)
        self._progress.update(self._tasks[stage], completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
            self._tasks.clear()


def _client(http: httpx.AsyncClient, settings: Settings, venue_id: str) -> ResyOSClient:
    # The long-lived token comes from the setting. (When a CredentialStore exists, it is the
    # place to keep it encrypted; this module would read it from there instead.)
    token = settings.resyos_token.get_secret_value() if settings.resyos_token else ""
    if not token:
        raise typer.BadParameter(
            "Set CONCIERGE_RESYOS_TOKEN to the venue's long-lived ResyOS token.",
            param_hint="CONCIERGE_RESYOS_TOKEN",
        )
    return ResyOSClient(
        http,
        api_url=settings.resyos_api_url,
        auth_url=settings.resyos_auth_url,
        venue_id=venue_id,
        token=token,
        retries=settings.resyos_retries,
    )


async def _loop(settings: Settings, config: SyncConfig, every: float | None) -> None:
    stop = asyncio.Event()
    main = asyncio.current_task()
    received = 0

    def on_signal() -> None:
        nonlocal received
        received += 1
        if received == 1:
            log.info("venue-sync stopping after the current cycle (signal again to abort it)")
            stop.set()
        elif main is not None:
            main.cancel()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    db = Database(settings.database_url)
    try:
        async with httpx.AsyncClient(timeout=settings.resyos_timeout) as http:
            client = _client(http, settings, config.venue_id)
            failures = 0
            while True:
                began = time.monotonic()
                bar = _Bar()
                try:
                    await service.run_cycle(db, client, config, SystemClock(), bar)
                    failures = 0
                except ConciergeError:
                    if every is None:
                        raise
                    failures += 1
                except Exception:
                    if every is None:
                        raise
                    failures += 1
                    log.exception("venue-sync cycle failed; the next cycle will try again")
                finally:
                    bar.close()
                if every is None or stop.is_set():
                    return
                pause = max(0.0, pause_after(every, failures) - (time.monotonic() - began))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=pause)
                if stop.is_set():
                    return
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await db.dispose()


@app.command("run")
def run(
    once: Annotated[bool, typer.Option("--once", help="Run one cycle and exit")] = False,
    every: Annotated[
        float | None,
        typer.Option("--every", min=1, help="Run a cycle every SECONDS until SIGINT/SIGTERM"),
    ] = None,
    venue_id: Annotated[
        str | None, typer.Option(help="ResyOS venue id (default CONCIERGE_RESYOS_VENUE_ID)")
    ] = None,
) -> None:
    """Sync the venue's ResyOS reservations and guests into the database.

    A quiet cycle costs one request. The first sync of a large book commits batch by batch and
    shows a progress bar; stopped or killed, it resumes where it was. SIGINT or SIGTERM stops
    after the current cycle.
    """
    if once == (every is not None):
        raise typer.BadParameter("Pass either --once or --every SECONDS.")
    settings = get_settings()
    _configure_logging(settings)
    try:
        config = SyncConfig.from_settings(settings, venue_id)
        migrate.upgrade(settings.database_url)
        asyncio.run(_loop(settings, config, every))
    except ConciergeError as exc:
        err.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc
    except asyncio.CancelledError:
        err.print("[yellow]Stopped in the middle of a cycle; the next run resumes.[/yellow]")
        raise typer.Exit(130) from None


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter("Use YYYY-MM-DD.", param_hint=name) from exc


@app.command("list")
def list_book(
    first: Annotated[
        str | None, typer.Option("--from", help="First venue-local date (default today)")
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last date, inclusive (default from + 6 days)")
    ] = None,
    venue_id: Annotated[
        str | None, typer.Option(help="ResyOS venue id (default CONCIERGE_RESYOS_VENUE_ID)")
    ] = None,
) -> None:
    """The mirrored reservations of these dates, by time, with guest names."""
    start_day, end_day = _date(first, "--from"), _date(last, "--to")

    async def work(
        db: Database, settings: Settings
    ) -> tuple[SyncConfig, list[MirroredReservation]]:
        rows: list[MirroredReservation] = []
        after = None
        async with db.unit_of_work(write=False) as session:
            while True:
                config, page = await service.read_book(
                    session,
                    settings,
                    today_at=SystemClock().now(),
                    venue_id=venue_id,
                    first=start_day,
                    last=end_day,
                    limit=_PAGE,
                    after=after,
                )
                rows.extend(page[:_PAGE])
                if len(page) <= _PAGE:
                    return config, rows
                tail = page[_PAGE - 1].reservation
                assert tail.booked_at is not None
                after = (tail.booked_at, tail.id)

    migrate.upgrade(get_settings().database_url)
    config, rows = _run_with_db(work)
    table = Table(title=f"Venue {config.venue_id} ({config.zone.key})")
    for column in ("booked (local)", "seats", "guest", "state", "ResyOS id"):
        table.add_column(column)
    for row in rows:
        r, g = row.reservation, row.guest
        name = " ".join(p for p in (g.first_name, g.last_name) if p) if g else ""
        table.add_row(
            r.booked_local or "",
            str(r.seats or ""),
            name or (r.user_id or ""),
            r.state,
            r.resyos_id,
        )
    console.print(table)
    err.print(f"{len(rows)} reservation(s)")


@app.command("status")
def status(
    venue_id: Annotated[
        str | None, typer.Option(help="ResyOS venue id (default CONCIERGE_RESYOS_VENUE_ID)")
    ] = None,
) -> None:
    """The last ten sync cycles: when, what they changed, what they cost."""

    async def work(db: Database, settings: Settings) -> list[tuple[str, ...]]:
        config = SyncConfig.from_settings(settings, venue_id)
        async with db.unit_of_work(write=False) as session:
            cycles = await last_cycles(session, config.venue_id)
        return [
            (
                c.started_at.isoformat(timespec="seconds"),
                c.mode,
                "ok" if c.ok else (c.error or "failed")[:60],
                str(c.listed),
                str(c.fetched),
                str(c.guests_added),
                str(c.vanished),
                str(c.requests),
            )
            for c in cycles
        ]

    migrate.upgrade(get_settings().database_url)
    rows = _run_with_db(work)
    table = Table(title="Venue sync cycles, newest first")
    columns = ("started (UTC)", "mode", "outcome", "listed", "fetched", "guests", "vanished")
    for column in (*columns, "requests"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _run_with_db(work: Callable[[Database, Settings], Awaitable[T]]) -> T:
    # Imported here: the root CLI imports this module to mount it.
    from concierge.cli import run_with_db

    return run_with_db(work)
