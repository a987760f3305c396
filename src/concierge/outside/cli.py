"""``concierge calendars``: connect, list, test and remove a person's outside calendars."""

from __future__ import annotations

from typing import Annotated

import typer

from concierge.clock import SystemClock
from concierge.config import Settings
from concierge.db import Database
from concierge.outside import service
from concierge.outside.views import view

app = typer.Typer(
    help="Outside calendars (CalDAV, ICS): their busy times count as taken time.",
    no_args_is_help=True,
)

UserOpt = Annotated[int, typer.Argument(help="The person's user id")]


@app.command("connect")
def connect(
    user_id: UserOpt,
    name: Annotated[str, typer.Argument(help="A name for it, e.g. Work")],
    url: Annotated[str, typer.Argument(help="The ICS address, or the CalDAV server's")],
    username: Annotated[str | None, typer.Option(help="CalDAV: the login")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="CalDAV: the (app) password; asked for when --username is given"),
    ] = None,
    write_to: Annotated[
        str | None, typer.Option(help="CalDAV: the calendar URL bookings are written into")
    ] = None,
) -> None:
    """Connect an ICS feed, or with --username a CalDAV account, and read it once."""
    from concierge.cli import console, run_with_db

    if username and password is None:
        password = typer.prompt("Password", hide_input=True)
    kind = "caldav" if username else "ics"

    async def work(db: Database, settings: Settings) -> str:
        now = SystemClock().now()
        user = await service.owner(db, user_id)
        asked = service.Connect(kind, name, url, username, password, None, write_to)
        async with db.unit_of_work() as session:
            done = await service.connect(session, user, asked, now, settings)
            found = ", ".join(f"{c.name} ({c.href})" for c in done.available if c.events)
            busy = len(done.reading.busy or [])
            return (
                f"Connected '{name}' as calendar {done.calendar.id}: {busy} busy interval(s) "
                f"ahead." + (f" Calendars on the account: {found}." if found else "")
            )

    console.print(run_with_db(work), highlight=False, soft_wrap=True)


@app.command("list")
def listing(user_id: UserOpt) -> None:
    """The person's calendars and how fresh their busy times are."""
    from concierge.cli import console, run_with_db

    async def work(db: Database, settings: Settings) -> list[str]:
        now = SystemClock().now()
        async with db.unit_of_work(write=False) as session:
            rows = await service.listed(session, user_id)
            lines = []
            for row in rows:
                shown = view(row, now, settings)
                state = "fresh" if shown.fresh else f"stale ({shown.error or 'not read lately'})"
                lines.append(f"{shown.id}  {shown.kind:6}  {shown.name}  {shown.host}  {state}")
            return lines or ["No outside calendars."]

    for line in run_with_db(work):
        console.print(line, highlight=False, soft_wrap=True)


@app.command("test")
def test(user_id: UserOpt, calendar_id: Annotated[int, typer.Argument()]) -> None:
    """Read the calendar now and say what came back."""
    from concierge.cli import console, run_with_db

    async def work(db: Database, settings: Settings) -> str:
        got = await service.test(db, user_id, calendar_id, SystemClock().now(), settings)
        if got.error:
            return f"Could not read it: {got.error}."
        return f"Read {got.events} event(s) in {got.requests} request(s)."

    console.print(run_with_db(work), highlight=False, soft_wrap=True)


@app.command("remove")
def remove(user_id: UserOpt, calendar_id: Annotated[int, typer.Argument()]) -> None:
    """Disconnect the calendar; its busy times are free again at once."""
    from concierge.cli import console, run_with_db

    async def work(db: Database, _: Settings) -> None:
        async with db.unit_of_work() as session:
            await service.remove(session, user_id, calendar_id)

    run_with_db(work)
    console.print(f"Removed calendar {calendar_id}.")
