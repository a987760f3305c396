"""Where the client has its own confirmation dialog (MCP elicitation), the preview is put to
the person there: a yes books (or cancels) in the same call, a no changes nothing. Through the
Python SDK's Client in memory, against the stand-ins, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from mcp import Client
from mcp.types import ElicitRequestParams, ElicitResult

from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.mcp.runtime import Runtime
from concierge.mcp.server import build_server
from tests.fixtures.mcp import ok, text_of
from tests.fixtures.resy import ResySandbox
from tests.mcp.test_restaurant_tools import call, first_table, login

pytestmark = pytest.mark.anyio

Dialog = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture
def connect_with_dialog(db: Database, clock: FrozenClock, dining_settings: Settings) -> Dialog:
    """A session whose client answers every confirmation dialog with ``answer`` and keeps
    the messages it was shown in ``shown``."""

    @asynccontextmanager
    async def connect(person: Any, answer: bool, shown: list[str]) -> AsyncIterator[Client]:
        async def dialog(context: Any, params: ElicitRequestParams) -> ElicitResult:
            shown.append(params.message)
            return ElicitResult(action="accept", content={"confirm": answer})

        runtime = Runtime(
            db=db,
            clock=clock,
            settings=dining_settings,
            token=person.token,
            resy_options={"backoff": 0.01, "backoff_max": 0.05},
        )
        async with Client(
            build_server(runtime), mode="legacy", elicitation_callback=dialog
        ) as client:
            yield client

    return connect


async def test_a_yes_in_the_dialog_books_after_showing_the_terms(
    connect_with_dialog: Dialog, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    shown: list[str] = []
    async with connect_with_dialog(me, True, shown) as client:
        await login(client)
        at = await first_table(client, "Lilia")
        done = ok(
            await call(
                client, "make_reservation", restaurant_name="Lilia", date="Saturday", time=at
            )
        )
        cancelled = ok(await call(client, "cancel_reservation", restaurant_name="Lilia"))
    assert done.structured_content["booked"] is True
    assert text_of(done).startswith("Booked! Lilia, Saturday Nov 28")
    booking, cancelling = shown
    assert "Card: Visa ending in 1234" in booking
    assert "Cancellation fee: $25 if cancelled after Friday Nov 27" in booking
    assert "confirmation_token" not in booking  # the person is not told to call a tool
    assert "cancellation fee of $25" in cancelling
    assert cancelled.structured_content["cancelled"] is True
    assert [r["status"] for r in resy_sandbox.reservations()] == ["cancelled"]


async def test_a_no_in_the_dialog_books_nothing(
    connect_with_dialog: Dialog, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    shown: list[str] = []
    async with connect_with_dialog(me, False, shown) as client:
        await login(client)
        at = await first_table(client, "Don Angie")
        declined = ok(
            await call(
                client, "make_reservation", restaurant_name="Don Angie", date="Saturday", time=at
            )
        )
    assert declined.structured_content["booked"] is False
    assert text_of(declined).startswith("The person declined in the dialog: nothing was booked.")
    assert len(shown) == 1
    assert resy_sandbox.reservations() == []
    assert resy_sandbox.count("POST /3/book") == 0
