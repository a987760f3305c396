"""Booking pages in Chromium, against real servers: what a person with a browser experiences."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from concierge.clock import FrozenClock
from tests.fixtures.browser import DESKTOP, PHONE
from tests.fixtures.server import ServerPool

pytestmark = [pytest.mark.anyio, pytest.mark.browser, pytest.mark.slow]

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")


async def open_host(base_url: str, name: str, tz: str, day: date) -> dict[str, object]:
    """Sign a host up on the server at ``base_url``, bookable only 09:00-10:00 on ``day``."""
    async with httpx.AsyncClient(base_url=base_url) as api:
        email = f"{name.split()[0].lower()}@example.com"
        signed = await api.post("/v1/users", json={"name": name, "email": email, "timezone": tz})
        assert signed.status_code == 201, signed.text
        user, token = signed.json()["user"], signed.json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        week = {d: [] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}
        put = await api.put(
            f"/v1/users/{user['id']}/weekly-hours", json={"days": week}, headers=auth
        )
        assert put.status_code == 200, put.text
        put = await api.put(
            f"/v1/users/{user['id']}/availability",
            json={"dates": {day.isoformat(): [{"start": "09:00", "end": "10:00"}]}},
            headers=auth,
        )
        assert put.status_code == 200, put.text
        return {**user, "auth": auth}


async def host_slots(base_url: str, host: dict[str, object], day: date) -> list[str]:
    async with httpx.AsyncClient(base_url=base_url) as api:
        response = await api.get(
            f"/v1/users/{host['id']}/slots",
            params={"from": day.isoformat(), "to": day.isoformat(), "duration": 30},
            headers=host["auth"],  # type: ignore[arg-type]
        )
        assert response.status_code == 200, response.text
        return list(response.json()["days"][day.isoformat()])


def label(start: datetime, tz: ZoneInfo) -> str:
    """The accessible name of a slot: 'Tuesday 1 December, 18:00' in ``tz``."""
    local = start.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M}"


def a_bookable_day() -> tuple[date, datetime]:
    """A day three days ahead in New York (clear of the 24-hour notice) and its 09:00 there."""
    day = datetime.now(NEW_YORK).date() + timedelta(days=3)
    return day, datetime(day.year, day.month, day.day, 9, 0, tzinfo=NEW_YORK).astimezone(UTC)


async def fill_details(page: Page, name: str, email: str) -> None:
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Email").fill(email)


async def test_a_visitor_in_another_zone_books_end_to_end(
    browser: Browser, live_servers: ServerPool, database_url: str, db, test_output: Path
) -> None:
    (server,) = live_servers.start(database_url)
    day, nine = a_bookable_day()
    host = await open_host(server.url, "Grace Hopper", "America/New_York", day)
    assert nine.isoformat().replace("+00:00", "Z") in await host_slots(server.url, host, day)
    context = await browser.new_context(timezone_id="Asia/Tokyo", viewport=DESKTOP)
    page = await context.new_page()

    await page.goto(f"{server.url}/book/{host['slug']}")

    # The browser's zone was detected and the page re-listed the times in it.
    await expect(page).to_have_url(f"{server.url}/book/{host['slug']}?tz=Asia%2FTokyo")
    await expect(page.get_by_label("Show times in")).to_have_value("Asia/Tokyo")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Book time with Grace Hopper")
    await page.get_by_label("Meeting length").select_option("30")
    await expect(page).to_have_url(f"{server.url}/book/{host['slug']}?tz=Asia%2FTokyo&duration=30")
    await page.screenshot(path=test_output / "booking-page-desktop.png", full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=test_output / "booking-page-phone.png", full_page=True)
    await page.set_viewport_size(DESKTOP)

    # By keyboard: select the first time with Space, move to the next with an arrow key.
    first = page.get_by_role("radio", name=label(nine, TOKYO))
    await first.focus()
    await page.keyboard.press("Space")
    await page.keyboard.press("ArrowRight")
    chosen = page.get_by_role("radio", name=label(nine + timedelta(minutes=15), TOKYO))
    await expect(chosen).to_be_checked()
    await expect(page.locator("[data-chosen]")).to_contain_text("Chosen:")
    await fill_details(page, "Kenji Sato", "kenji@example.com")
    await page.get_by_role("button", name="Hold this time").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your booking")
    timer = page.get_by_role("timer")
    await expect(timer).to_contain_text("29:")  # ticking down from 30:00
    await page.screenshot(path=test_output / "booking-held-desktop.png", full_page=True)
    start = (nine + timedelta(minutes=15)).astimezone(TOKYO)
    await page.get_by_role("button", name="Confirm booking").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    await expect(page.locator("[data-status]")).to_have_text("Confirmed")
    when = f"{start:%A} {start.day} {start:%B} {start.year}, {start:%H:%M}–"
    await expect(page.locator("time")).to_contain_text(when)
    await expect(page.get_by_text("Asia/Tokyo", exact=True)).to_be_visible()
    manage = await page.locator("[data-manage-link]").get_attribute("href")
    assert manage
    assert manage.startswith(f"{server.url}/bookings/")
    await page.screenshot(path=test_output / "booking-confirmed-desktop.png", full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=test_output / "booking-confirmed-phone.png", full_page=True)

    # The host's slots no longer offer the time (nor the ones overlapping it).
    free = await host_slots(server.url, host, day)
    booked = (nine + timedelta(minutes=15)).isoformat().replace("+00:00", "Z")
    assert booked not in free
    assert nine.isoformat().replace("+00:00", "Z") not in free  # 09:00-09:30 overlaps it
    await context.close()


async def test_two_browsers_race_for_one_slot_one_wins_the_other_is_told(
    browser: Browser, live_servers: ServerPool, database_url: str, db, test_output: Path
) -> None:
    (server,) = live_servers.start(database_url)
    day, nine = a_bookable_day()
    host = await open_host(server.url, "Alan Turing", "America/New_York", day)
    pages = []
    for name, tz in (("Ana", "Europe/Madrid"), ("Ben", "Australia/Sydney")):
        context = await browser.new_context(timezone_id=tz, viewport=PHONE)
        page = await context.new_page()
        await page.goto(f"{server.url}/book/{host['slug']}?tz={tz}&duration=30")
        await page.get_by_role("radio", name=label(nine, ZoneInfo(tz))).check()
        await fill_details(page, name, f"{name.lower()}@example.com")
        pages.append(page)

    await asyncio.gather(*(p.get_by_role("button", name="Hold this time").click() for p in pages))

    outcomes = []
    for page in pages:
        held = page.get_by_role("heading", name="Confirm your booking")
        await expect(held.or_(page.get_by_role("alert"))).to_be_visible()
        outcomes.append(await page.get_by_role("heading", level=1).inner_text())
    assert sorted(outcomes) == ["Book time with Alan Turing", "Confirm your booking"]
    loser = pages[outcomes.index("Book time with Alan Turing")]
    alert = loser.get_by_role("alert")
    await expect(alert).to_contain_text("That time was just taken")
    await expect(alert).to_be_focused()
    await loser.screenshot(path=test_output / "booking-taken-phone.png", full_page=True)
    loser_tz = "Europe/Madrid" if loser is pages[0] else "Australia/Sydney"
    await expect(loser.get_by_role("radio", name=label(nine, ZoneInfo(loser_tz)))).to_have_count(0)
    await expect(loser.get_by_label("Your name")).not_to_have_value("")


async def test_a_hold_left_alone_expires_and_the_slot_comes_back(
    browser: Browser, clocked_server: str, clock: FrozenClock, make_host, client, db
) -> None:
    from tests.fixtures.web import slug_of

    ada = await make_host("Ada Lovelace", "Europe/London", {"2026-12-01": [("09:00", "10:00")]})
    slug = await slug_of(client, ada)
    nine = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    holder = await (await browser.new_context(timezone_id="Europe/London")).new_page()
    await holder.goto(f"{clocked_server}/book/{slug}?tz=Europe/London&duration=30")
    await holder.get_by_role("radio", name=label(nine, ZoneInfo("Europe/London"))).check()
    await fill_details(holder, "Hal Holder", "hal@example.com")
    await holder.get_by_role("button", name="Hold this time").click()
    await expect(holder.get_by_role("timer")).to_be_visible()
    await expect(holder.get_by_role("timer")).not_to_have_text("30:00")  # it counts down
    other = await (await browser.new_context(timezone_id="Asia/Tokyo")).new_page()
    await other.goto(f"{clocked_server}/book/{slug}?tz=Asia/Tokyo&duration=30")
    taken = other.get_by_role("radio", name=label(nine, TOKYO))
    await expect(taken).to_have_count(0)

    clock.advance(minutes=31)  # nobody confirmed

    await other.reload()
    await expect(taken).to_have_count(1)
    await holder.get_by_role("button", name="Confirm booking").click()
    alert = holder.get_by_role("alert")
    await expect(alert).to_contain_text("Your hold expired")
    await expect(
        holder.get_by_role("radio", name=label(nine, ZoneInfo("Europe/London")))
    ).to_have_count(1)
    await expect(holder.get_by_label("Email")).to_have_value("hal@example.com")


async def test_the_manage_link_cancels(
    browser: Browser, live_servers: ServerPool, database_url: str, db
) -> None:
    (server,) = live_servers.start(database_url)
    day, nine = a_bookable_day()
    host = await open_host(server.url, "Edsger Dijkstra", "America/New_York", day)
    booking = await (await browser.new_context(timezone_id="America/New_York")).new_page()
    await booking.goto(f"{server.url}/book/{host['slug']}?tz=America/New_York&duration=30")
    await booking.get_by_role("radio", name=label(nine, NEW_YORK)).check()
    await fill_details(booking, "Mia Manager", "mia@example.com")
    await booking.get_by_role("button", name="Hold this time").click()
    await booking.get_by_role("button", name="Confirm booking").click()
    manage = await booking.locator("[data-manage-link]").get_attribute("href")
    assert manage
    assert nine.isoformat().replace("+00:00", "Z") not in await host_slots(server.url, host, day)

    # Days later, from the link alone, in a fresh browser.
    later = await (await browser.new_context(timezone_id="Europe/Berlin")).new_page()
    await later.goto(manage)
    await expect(later.locator("[data-status]")).to_have_text("Confirmed")
    await later.get_by_role("button", name="Cancel this booking").click()

    await expect(later.get_by_role("heading", level=1)).to_have_text("Booking cancelled")
    await expect(later.locator("[data-status]")).to_have_text("Cancelled")
    assert nine.isoformat().replace("+00:00", "Z") in await host_slots(server.url, host, day)
