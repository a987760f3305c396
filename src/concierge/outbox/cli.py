"""``concierge outbox``: send what is due from the command line, see what waits, and keep the
SMTP password encrypted."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy import func, select

from concierge.clock import SystemClock
from concierge.config import Settings
from concierge.credentials import CredentialStore, StoredCredentials
from concierge.db import Database
from concierge.models import OutboxMessage
from concierge.notifications import transport
from concierge.outbox.worker import Worker

app = typer.Typer(help="Outbox: emails and webhook deliveries.", no_args_is_help=True)


@app.command("run")
def run(
    until_empty: Annotated[
        bool, typer.Option("--until-empty", help="Stop once nothing is due (else run on)")
    ] = False,
) -> None:
    """Send due messages, like every `concierge serve` does (safe beside running servers:
    each message is claimed by one sender)."""
    from concierge.cli import console, run_with_db  # the root CLI imports this module

    async def work(db: Database, settings: Settings) -> int:
        worker = Worker(db, SystemClock(), settings)
        try:
            if until_empty:
                total = 0
                while sent := await worker.drain():
                    total += sent
                return total
            await worker.loop().run()
            return 0
        finally:
            await worker.aclose()

    sent = run_with_db(work)
    console.print(f"Sent {sent} message{'' if sent == 1 else 's'}.")


@app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """How many messages wait, were sent, or were given up on."""
    from concierge.cli import console, run_with_db

    async def work(db: Database, _: Settings) -> dict[str, int]:
        async with db.unit_of_work(write=False) as session:
            pending = OutboxMessage.sent_at.is_(None) & OutboxMessage.given_up_at.is_(None)
            counts = {}
            for name, where in (
                ("pending", pending),
                ("sent", OutboxMessage.sent_at.is_not(None)),
                ("given_up", OutboxMessage.given_up_at.is_not(None)),
            ):
                counts[name] = int((await session.scalar(select(func.count()).where(where))) or 0)
            return counts

    counts = run_with_db(work)
    if as_json:
        print(json.dumps(counts))
    else:
        console.print(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))


@app.command("smtp-password")
def smtp_password() -> None:
    """Store the SMTP password (asked for, not echoed), encrypted like other secrets."""
    from concierge.cli import console
    from concierge.config import get_settings

    settings = get_settings()
    password = typer.prompt("SMTP password", hide_input=True)
    CredentialStore.for_owner(settings).save(
        transport.SMTP_PLATFORM,
        StoredCredentials(email=settings.smtp_user or "", password=password),
    )
    console.print("SMTP password stored, encrypted.")


def where_emails_go(settings: Settings) -> str:
    if settings.smtp_host is None:
        return f"Emails: written as .eml files into {transport.outbox_dir(settings)}/ (no SMTP set)"
    return f"Emails: SMTP {settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security})"


__all__ = ["app", "where_emails_go"]
