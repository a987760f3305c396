"""``concierge watches add|list|show|cancel|run``: table watches from the terminal.

``run`` is the worker alone (for deployments that keep it apart from ``concierge serve``,
which runs it too); any number of them may run on one database. The others act as one
Concierge user (``--user EMAIL``), with that user's saved Resy login.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import httpx
import typer

from concierge.accounts import service as accounts
from concierge.clock import SystemClock
from concierge.config import Settings
from concierge.credentials import CredentialStore
from concierge.db import Database
from concierge.dining import watches
from concierge.dining.service import DiningService
from concierge.dining.watch_worker import WatchWorker, watch_loop
from concierge.errors import NotFound
from concierge.integrations.resy.auth import ResyAuthManager
from concierge.models import User

watches_app = typer.Typer(
    help="Table watches: book the first table that opens at a restaurant.", no_args_is_help=True
)

UserOption = Annotated[str, typer.Option("--user", help="The Concierge user's email")]


async def _user(db: Database, email: str) -> User:
    async with db.unit_of_work(write=False) as session:
        user = await accounts.find_by_email(session, email)
    if user is None:
        raise NotFound(f"No Concierge user with email {email}.")
    return user


@watches_app.command("add")
def add(
    restaurant: Annotated[str, typer.Argument(help="The restaurant's name")],
    date: Annotated[str, typer.Option(help='"Saturday", "Dec 19", "2026-12-19"')],
    earliest: Annotated[str, typer.Option(help='Earliest local time: "7pm"')],
    email: UserOption,
    latest: Annotated[str | None, typer.Option(help='Latest local time: "9pm"')] = None,
    party: Annotated[int, typer.Option(help="Party size")] = 2,
    seating: Annotated[
        list[str] | None, typer.Option(help='A kind of table accepted ("Bar"); repeatable')
    ] = None,
    release_time: Annotated[
        str | None, typer.Option(help="When the restaurant opens new days, if known")
    ] = None,
) -> None:
    """Watch RESTAURANT and book the first table that opens in the window."""
    from concierge.cli import console, run_with_db

    async def work(db: Database, settings: Settings) -> str:
        user = await _user(db, email)
        async with httpx.AsyncClient(timeout=settings.resy_timeout) as http:
            store = CredentialStore.for_owner(settings, user.id)
            view = await watches.create_watch(
                db,
                dining=DiningService(http=http, settings=settings),
                auth=ResyAuthManager(http, settings, store),
                user=user,
                settings=settings,
                restaurant=restaurant,
                date_text=date,
                earliest_text=earliest,
                latest_text=latest,
                party_size=party,
                seating=seating or [],
                release_time_text=release_time,
                now=SystemClock().now(),
            )
        return view.text()

    console.print(run_with_db(work), soft_wrap=True, highlight=False)


@watches_app.command("list")
def list_(
    email: UserOption,
    every: Annotated[bool, typer.Option("--all", help="Also those finished long ago")] = False,
) -> None:
    """The user's watches, newest first."""
    from concierge.cli import console, run_with_db

    async def work(db: Database, _: Settings) -> str:
        user = await _user(db, email)
        found = await watches.list_watches(db, user=user, now=SystemClock().now(), every=every)
        return found.text()

    console.print(run_with_db(work), soft_wrap=True, highlight=False)


@watches_app.command("show")
def show(watch_id: int, email: UserOption) -> None:
    """One watch with its log."""
    from concierge.cli import console, run_with_db

    async def work(db: Database, _: Settings) -> str:
        user = await _user(db, email)
        return (await watches.get_watch(db, user=user, watch_id=watch_id)).text()

    console.print(run_with_db(work), soft_wrap=True, highlight=False)


@watches_app.command("cancel")
def cancel(watch_id: int, email: UserOption) -> None:
    """Stop a running watch (a booked table stays booked)."""
    from concierge.cli import console, run_with_db

    async def work(db: Database, _: Settings) -> str:
        user = await _user(db, email)
        view = await watches.cancel_watch(db, user=user, watch_id=watch_id, now=SystemClock().now())
        return view.line()

    console.print(run_with_db(work), soft_wrap=True, highlight=False)


@watches_app.command("run")
def run() -> None:
    """Run the watch worker until interrupted (SIGINT or SIGTERM end it after the look in
    progress)."""
    from concierge.cli import err, run_with_db

    async def work(db: Database, settings: Settings) -> int:
        async with httpx.AsyncClient(timeout=settings.resy_timeout) as http:
            worker = WatchWorker(db, SystemClock(), settings, http)
            loop = watch_loop(worker, settings.watch_tick_seconds or 0.25)
            running = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                running.add_signal_handler(sig, loop.stop)
            err.print(f"Watch worker {worker.owner} running; Ctrl-C stops it.")
            await loop.run()
            return loop.cycles

    run_with_db(work)
