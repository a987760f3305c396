"""``concierge``: run the service, manage the database and users, load demo data."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from concierge import migrate
from concierge.accounts import service as accounts
from concierge.accounts.schemas import UserCreate
from concierge.clock import SystemClock
from concierge.config import Settings, get_settings
from concierge.db import Database, is_sqlite
from concierge.dining.cli import dining_app
from concierge.dining.watch_cli import watches_app
from concierge.errors import ConciergeError
from concierge.integrations.resy.cli import resy_app
from concierge.mcp.cli import mcp as mcp_command
from concierge.observability.logs import configure_logging
from concierge.outbox.cli import app as outbox_app
from concierge.outbox.cli import where_emails_go
from concierge.outside.cli import app as calendars_app
from concierge.reservations.cli import app as holds_app
from concierge.sandbox.cli import sandbox_app
from concierge.venue_sync.cli import app as venue_sync_app

T = TypeVar("T")

app = typer.Typer(
    help="Concierge: appointments, Resy tables and a venue's ResyOS mirror, in one service.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
db_app = typer.Typer(help="Database schema: upgrade and inspect.", no_args_is_help=True)
users_app = typer.Typer(
    help="Create users and admins (admins are made only here).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(holds_app, name="holds")
app.add_typer(resy_app, name="resy")
app.add_typer(dining_app, name="dining")
app.add_typer(venue_sync_app, name="venue-sync")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(calendars_app, name="calendars")
app.add_typer(watches_app, name="watches")
app.command("mcp")(mcp_command)
app.add_typer(outbox_app, name="outbox")

console = Console()
err = Console(stderr=True)


def run_with_db(work: Callable[[Database, Settings], Awaitable[T]]) -> T:
    """Run one piece of async work against the configured database, turning domain errors into
    a red line and exit code 1."""
    settings = get_settings()

    async def main() -> T:
        db = Database(settings.database_url)
        try:
            return await work(db, settings)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except ConciergeError as exc:
        err.print(f"[red]{escape(exc.detail)}[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from exc


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration the database lacks (safe to run again)."""
    settings = get_settings()
    migrate.upgrade(settings.database_url)
    console.print(f"Database at head: {_safe_url(settings)}")


@db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="File to write, or a folder to put a dated file in")],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing file")
    ] = False,
) -> None:
    """Copy the live database to PATH (SQLite online backup; safe while the service runs)."""
    from concierge import db_admin

    settings = get_settings()
    if not is_sqlite(settings.database_url):
        err.print(
            "PostgreSQL is backed up with its own tool; concierge does not copy it. Run:\n  "
            + db_admin.pg_dump_command(settings.database_url, path),
            soft_wrap=True,
        )
        raise typer.Exit(1)
    try:
        done = db_admin.backup_sqlite(settings.database_url, path, overwrite=overwrite)
    except db_admin.BackupError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"Backed up to {done.path} ({done.bytes} bytes, integrity {done.integrity}).")


@db_app.command("check")
def db_check() -> None:
    """Check that migrations are at head and the no-double-booking guard is in place; exit 1
    saying what to do otherwise."""
    from concierge import db_admin

    settings = get_settings()
    problems = db_admin.check(settings.database_url)
    for problem in problems:
        err.print(f"[red]✗[/red] {problem}")
    if problems:
        raise typer.Exit(1)
    console.print(f"Database OK: {_safe_url(settings)} (migrations at head, overlap guard present)")


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Option(help="Full name, shown to people booking them")],
    email: Annotated[str, typer.Option(help="Email address (unique)")],
    timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. Europe/London")] = "UTC",
    phone: Annotated[str | None, typer.Option(help="Phone number")] = None,
    admin: Annotated[
        bool, typer.Option("--admin", help="Make an admin (may act for anyone)")
    ] = False,
) -> None:
    """Create a user and print their API token, alone on the last line."""
    try:  # the same rules as POST /v1/users: no control characters, a known zone...
        asked = UserCreate(name=name, email=email, timezone=timezone, phone=phone)
    except ValidationError as exc:
        for problem in exc.errors():
            where = ".".join(str(p) for p in problem["loc"])
            err.print(f"[red]--{where}: {escape(problem['msg'])}[/red]", highlight=False)
        raise typer.Exit(1) from None
    migrate.upgrade(get_settings().database_url)

    async def work(db: Database, settings: Settings) -> tuple[int, str]:
        async with db.unit_of_work() as session:
            user, token = await accounts.create_user(
                session,
                name=asked.name,
                email=str(asked.email),
                timezone=asked.timezone,
                phone=asked.phone,
                now=SystemClock().now(),
                settings=settings,
                is_admin=admin,
            )
            return user.id, token

    user_id, token = run_with_db(work)
    kind = "admin" if admin else "user"
    err.print(
        f"Created {kind} {name} <{email}> with id {user_id}. Their API token (shown once):",
        soft_wrap=True,
        highlight=False,
    )
    print(token)


@app.command()
def demo() -> None:
    """Load demo people with weekly hours and print their tokens and the URLs to try."""
    migrate.upgrade(get_settings().database_url)
    _load_demo()


def _load_demo(settings: Settings | None = None) -> None:
    from concierge import demo as demo_data

    async def work(
        db: Database, settings: Settings
    ) -> tuple[list[tuple[demo_data.DemoPerson, int, str]], list[tuple[str, str]]]:
        people = await demo_data.load(db, SystemClock(), settings)
        async with db.unit_of_work(write=False) as session:
            pages = [(user.name, user.slug) for user in await demo_data.hosts(session)]
        return people, pages

    people, pages = run_with_db(work)
    base = (settings or get_settings()).base_url  # serve's --host/--port, when it calls
    # Plain lines, never wrapped: a token folded over two lines cannot be copied.
    console.print("[bold]Demo people[/bold] (their tokens are new on every run):")
    for person, user_id, token in people:
        role = "admin" if person.is_admin else ""
        console.print(
            f"  {user_id:>3}  {person.name:<14} {person.timezone:<17} {role:<5}  {token}",
            soft_wrap=True,
            highlight=False,
        )
    ada, grace = people[1], people[2]
    console.print(
        f"Try:  curl -H 'Authorization: Bearer {grace[2]}' "
        f"'{base}/v1/users/{ada[1]}/slots?duration=30'",
        soft_wrap=True,
        highlight=False,
    )
    console.print(
        f"API docs: {base}/docs  ·  {base}/redoc  ·  home {base}/", soft_wrap=True, highlight=False
    )
    console.print("[bold]Booking pages[/bold] (public, for anyone to book a time):")
    for name, slug in pages:
        console.print(f"  {name:<14} {base}/book/{slug}", soft_wrap=True, highlight=False)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to bind (default CONCIERGE_HOST)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default CONCIERGE_PORT)")] = None,
    with_demo: Annotated[bool, typer.Option("--demo", help="Load demo people first")] = False,
    workers: Annotated[int, typer.Option(help="Server processes (PostgreSQL for more than 1)")] = 1,
    no_migrate: Annotated[
        bool,
        typer.Option(
            "--no-migrate",
            help="Serve without upgrading the database (deployments that run "
            "`concierge db upgrade` as a step of their own)",
        ),
    ] = False,
) -> None:
    """Upgrade the database (under a lock: servers may start together), then serve the API,
    booking pages and MCP endpoint."""
    import uvicorn

    settings = get_settings()
    if host or port:
        settings = settings.model_copy(
            update={k: v for k, v in (("host", host), ("port", port)) if v}
        )
    configure_logging(settings)
    if not no_migrate:
        migrate.upgrade(settings.database_url)
    if with_demo:
        _load_demo(settings)
    base = settings.base_url
    console.print(
        f"Concierge on {base}  ·  API docs {base}/docs  ·  OpenAPI {base}/openapi.json",
        soft_wrap=True,
        highlight=False,
    )
    console.print(f"Database: {_safe_url(settings)}", soft_wrap=True, highlight=False)
    console.print(where_emails_go(settings), soft_wrap=True, highlight=False)
    uvicorn.run(
        "concierge.app:create_served_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        # Our handler, our format: one JSON or human line per request, written by the app.
        log_config=None,
        access_log=False,
        # X-Forwarded-For is believed only from CONCIERGE_TRUSTED_PROXIES, by the app itself.
        proxy_headers=False,
        # SIGTERM: stop accepting, let in-flight requests finish, then stop background loops.
        timeout_graceful_shutdown=math.ceil(settings.shutdown_timeout),
        http="concierge.serving:GracefulHttpToolsProtocol",
    )
