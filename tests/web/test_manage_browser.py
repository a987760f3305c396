"""The manage link in Chromium, with and without JavaScript, on a laptop and a phone: move the
booking to another free time, then cancel it after saying yes, with a reason.

Against a real ``concierge serve`` (system clock): the host is bookable 09:00-10:00 New York
time on a day three days ahead.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from concierge.db import Database
from concierge.models import Reservation
from tests.fixtures.browser import PHONE
from tests.fixtures.server import ServerPool
from tests.web.test_browser import (
    NEW_YORK,
    a_host,
    fill_details,
    host_slots,
    label,
    no_axe_violations,
)

pytestmark = [pytest.mark.anyio, pytest.mark.browser, pytest.mark.slow]

LAPTOP = {"width": 1280, "height": 800}


def z(instant: object) -> str:
    return str(instant).replace(" ", "T").replace("+00:00", "Z")


async def accessible(page: Page, javascript: bool) -> None:
    """axe runs as a script in the page, so only where scripts run; the pages' HTML is the
    server's either way (the script only adds to it)."""
    if javascript:
        await no_axe_violations(page)


async def book(
    page: Page,
    base_url: str,
    host: dict[str, object],
    day: date,
    start: datetime,
    name: str,
    javascript: bool,
) -> None:
    """Book ``start`` on the host's page as a visitor would."""
    await page.goto(f"{base_url}/book/{host['slug']}?tz=America/New_York&duration=30&clock=24")
    await page.get_by_role("radio", name=label(start, NEW_YORK)).check()
    if javascript:  # the page holds the time as it is picked: let that land first
        for _ in range(50):
            if z(start.isoformat()) not in await host_slots(base_url, host, day):
                break
            await asyncio.sleep(0.1)
    await fill_details(page, name, f"{name.split()[0].lower()}@example.com")
    await page.get_by_role("button", name="Book", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "You are booked", timeout=15_000
    )


async def sequence_of(db: Database) -> int:
    async with db.unit_of_work(write=False) as session:
        (row,) = await session.scalars(select(Reservation))
        return row.sequence


@pytest.mark.parametrize(
    ("viewport", "javascript"),
    [(LAPTOP, True), (PHONE, True), (LAPTOP, False), (PHONE, False)],
    ids=["laptop", "phone", "laptop-no-js", "phone-no-js"],
)
async def test_a_guest_moves_then_cancels_from_the_manage_link(
    browser: Browser,
    live_servers: ServerPool,
    database_url: str,
    db: Database,
    test_output: Path,
    viewport: dict[str, int],
    javascript: bool,
) -> None:
    server, day, nine, host = await a_host(live_servers, database_url, "Barbara Liskov")
    half_past = nine + timedelta(minutes=30)
    context = await browser.new_context(
        timezone_id="America/New_York", viewport=viewport, java_script_enabled=javascript
    )
    page = await context.new_page()
    shot = f"{'phone' if viewport['width'] < 600 else 'laptop'}{'' if javascript else '-nojs'}"
    await book(page, server.url, host, day, nine, "Mo Mover", javascript)
    booked_sequence = await sequence_of(db)

    await page.get_by_role("link", name="Move to another time").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Move your booking with Barbara Liskov"
    )
    await accessible(page, javascript)
    await page.screenshot(path=test_output / f"reschedule-{shot}.png", full_page=True)
    await page.get_by_role("radio", name=label(half_past, NEW_YORK)).check()
    await page.get_by_role("button", name="Move booking").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    await expect(page.get_by_role("status")).to_contain_text("Your booking has moved")
    await expect(page.locator("time")).to_contain_text("09:30")
    await accessible(page, javascript)
    free = await host_slots(server.url, host, day)
    assert z(nine.isoformat()) in free
    assert z(half_past.isoformat()) not in free

    await page.get_by_role("link", name="Cancel this booking").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your booking?")
    await accessible(page, javascript)
    await page.screenshot(path=test_output / f"cancel-confirm-{shot}.png", full_page=True)
    await page.get_by_label("Reason").fill("Moving house that week")
    await page.get_by_role("button", name="Yes, cancel booking").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Booking cancelled")
    await expect(page.locator("[data-status]")).to_have_text("Cancelled")
    await expect(page.get_by_role("link", name="Remove from your calendar (.ics)")).to_be_visible()
    await accessible(page, javascript)
    assert z(half_past.isoformat()) in await host_slots(server.url, host, day)
    async with db.unit_of_work(write=False) as session:
        (row,) = await session.scalars(select(Reservation))
    assert (row.status, row.cancel_reason, row.sequence) == (
        "cancelled",
        "Moving house that week",
        booked_sequence + 2,  # moved, then cancelled
    )
    await context.close()


async def test_keeping_the_booking_on_the_question_changes_nothing(
    browser: Browser, live_servers: ServerPool, database_url: str, db: Database
) -> None:
    server, day, nine, host = await a_host(live_servers, database_url, "Frances Allen")
    context = await browser.new_context(timezone_id="America/New_York", viewport=PHONE)
    page = await context.new_page()
    await book(page, server.url, host, day, nine, "Kai Keeper", javascript=True)
    await page.get_by_role("link", name="Cancel this booking").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your booking?")

    await page.get_by_role("link", name="Keep my booking").click()

    await expect(page.locator("[data-status]")).to_have_text("Confirmed")
    assert z(nine.isoformat()) not in await host_slots(server.url, host, day)
    await context.close()
