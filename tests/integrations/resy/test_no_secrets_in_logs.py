"""No password, token or key reaches the logs, at DEBUG, httpx's own logs included."""

from __future__ import annotations

import logging
from datetime import date

import httpx
import pytest

from concierge.config import Settings
from concierge.credentials import CredentialStore
from concierge.integrations.resy.auth import ResyAuthManager
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, ResySandbox

pytestmark = pytest.mark.anyio


async def test_a_full_flow_with_faults_logs_no_secret(
    resy_http: httpx.AsyncClient,
    resy_settings: Settings,
    resy_sandbox: ResySandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    store = CredentialStore.for_owner(resy_settings, 1)
    manager = ResyAuthManager(
        resy_http, resy_settings, store, clock=resy_sandbox.clock, backoff=0.01
    )
    first = (await manager.login(DEMO_EMAIL, DEMO_PASSWORD)).token.get_secret_value()
    client = manager.client()

    [hit] = await client.venue_search("don angie")
    resy_sandbox.faults(rate_limit=1, server_errors=1)
    slot = (await client.find(hit.venue_id, date(2026, 11, 27), 2)).slots[0]
    details = await client.details(slot, 2)
    resy_sandbox.faults(lost_book_response="drop", expire_tokens=True)
    booking = await client.book(details, payment_method_id=11223344)
    await client.my_reservations()
    await client.cancel(booking.resy_token)

    saved = store.get("resy")
    assert saved is not None
    assert saved.auth_token is not None
    second = saved.auth_token.get_secret_value()
    assert second != first  # the flow did log in again mid-session
    key = (resy_settings.data_dir / "credentials" / ".key").read_text().strip()
    logged = caplog.text
    assert "HTTP Request: POST" in logged  # httpx's own lines were captured
    assert "retry" in logged
    for secret in (DEMO_PASSWORD, first, second, details.book_token, key):
        assert secret not in logged
    for part in (first, second):  # not even the signature or payload alone
        for piece in part.split(".")[1:]:
            assert piece not in logged
