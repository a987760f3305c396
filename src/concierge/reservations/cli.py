"""``concierge holds``: tidy lapsed holds from the command line or a cron job."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from concierge.clock import SystemClock
from concierge.config import Settings
from concierge.db import Database
from concierge.reservations import expiry

app = typer.Typer(help="Holds: expire the lapsed ones.", no_args_is_help=True)


@app.command("expire")
def expire(
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"expired": [ids]} instead of a sentence')
    ] = False,
) -> None:
    """Mark every hold past its deadline expired, once (safe beside running servers and other
    sweeps: each hold is expired by exactly one of them)."""
    from concierge.cli import console, run_with_db  # the root CLI imports this module

    async def work(db: Database, _: Settings) -> list[int]:
        return await expiry.sweep_once(db, SystemClock())

    ids = run_with_db(work)
    if as_json:
        print(json.dumps({"expired": ids}))
    else:
        console.print(f"Expired {len(ids)} lapsed hold{'' if len(ids) == 1 else 's'}.")
