"""``concierge resy login|status|logout``: the Resy login Concierge books with.

Whose login: ``--user`` names a Concierge user (id or email), whose assistant will then book
with it; without ``--user`` the login belongs to the ``local`` owner, for a one-person setup.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated, NoReturn

import httpx
import typer
from rich.console import Console

from concierge.config import Settings, get_settings
from concierge.credentials import LOCAL_OWNER, CredentialStore, StoredCredentials
from concierge.errors import ConciergeError
from concierge.integrations.resy.auth import PLATFORM, ResyAuthManager
from concierge.integrations.resy.errors import BadCredentials, ResyError

resy_app = typer.Typer(
    help="Your Resy login: saved encrypted, kept valid, used to book tables.",
    no_args_is_help=True,
)
out = Console()
err = Console(stderr=True)

UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        help="Whose login: a Concierge user's id or email (default: the local owner)",
    ),
]


@resy_app.command("login")
def login(
    email: Annotated[str, typer.Option(prompt="Resy email", help="Your Resy account email")],
    user: UserOption = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
) -> None:
    """Save your Resy email and password (encrypted), log in to check them, show your card."""
    settings = get_settings()
    owner = _owner(settings, user)
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Resy password", hide_input=True)
    )
    if not password:
        _fail("No password given.")
    store = CredentialStore.for_owner(settings, owner)

    async def work() -> str | None:
        async with httpx.AsyncClient() as http:
            saved = await ResyAuthManager(http, settings, store).login(email, password)
        card = saved.default_payment_method()
        return card.label if card else None

    try:
        label = asyncio.run(work())
    except BadCredentials as exc:
        _fail(exc.message)
    except ResyError as exc:
        # Resy is unreachable, not refusing: keep the login, it is checked on first use.
        store.save(PLATFORM, StoredCredentials(email=email, password=password))
        err.print(f"[yellow]Credentials saved but not verified: {exc.message}[/yellow]")
        return
    except ConciergeError as exc:
        _fail(exc.detail)
    if label:
        out.print(f"Credentials saved and verified. Payment method: {label}")
    else:
        out.print(
            "Credentials saved and verified. No payment method on file: add a card on resy.com "
            "to book venues that charge a fee."
        )


@resy_app.command("status")
def status(
    user: UserOption = None,
    check: Annotated[
        bool, typer.Option("--check", help="Also ask Resy whether the login still works")
    ] = False,
) -> None:
    """Show the saved Resy login (never the password or token)."""
    settings = get_settings()
    owner = _owner(settings, user)
    store = CredentialStore.for_owner(settings, owner)
    try:
        saved = store.get(PLATFORM)
    except ConciergeError as exc:
        _fail(exc.detail)
    if saved is None:
        _fail(f"No Resy login saved for {owner}. Run `concierge resy login`.")
    out.print(f"Resy login for {owner}: {saved.email}")
    out.print(f"Payment method: {saved.payment_method_label or 'none on file'}")
    if saved.token_expires_at:
        out.print(f"Token valid until {saved.token_expires_at:%Y-%m-%d %H:%M} UTC")
    else:
        out.print("Not logged in yet: Concierge logs in when it first needs Resy.")
    if check:

        async def work() -> str:
            async with httpx.AsyncClient() as http:
                me = await ResyAuthManager(http, settings, store).client().current_user()
            return f"{me.first_name or ''} {me.last_name or ''}".strip() or str(me.email)

        try:
            name = asyncio.run(work())
        except ResyError as exc:
            _fail(exc.message)
        out.print(f"Checked with Resy: logged in as {name}.")


@resy_app.command("logout")
def logout(user: UserOption = None) -> None:
    """Forget the saved Resy login."""
    settings = get_settings()
    owner = _owner(settings, user)
    if CredentialStore.for_owner(settings, owner).delete(PLATFORM):
        out.print(f"Resy login forgotten for {owner}.")
    else:
        out.print(f"No Resy login was saved for {owner}.")


def _owner(settings: Settings, user: str | None) -> str:
    if user is None:
        return LOCAL_OWNER
    if user.isdigit():
        return user
    if "@" not in user:
        _fail("--user takes a Concierge user's id or email.")
    return str(_user_id_by_email(settings, user))


def _user_id_by_email(settings: Settings, email: str) -> int:
    from concierge import migrate
    from concierge.accounts import service as accounts
    from concierge.db import Database

    migrate.upgrade(settings.database_url)

    async def work() -> int | None:
        db = Database(settings.database_url)
        try:
            async with db.unit_of_work(write=False) as session:
                found = await accounts.find_by_email(session, email)
                return found.id if found else None
        finally:
            await db.dispose()

    user_id = asyncio.run(work())
    if user_id is None:
        _fail(f"No Concierge user has the email {email}. Create one with `concierge users create`.")
    return user_id


def _fail(message: str) -> NoReturn:
    err.print(f"[red]{message}[/red]")
    raise typer.Exit(1)
