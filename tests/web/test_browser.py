"""Booking pages in Chromium, against real servers: what a person with a browser experiences."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, expect

from concierge.clock import FrozenClock
from tests.fixtures.browser import DESKTOP, PHONE
from tests.fixtures.server import ServerPool, ServerProcess

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


def label(start: datetime, tz: ZoneInfo, clock: int = 24) -> str:
    """The accessible name of a slot: 'Tuesday 1 December, 18:00' in ``tz`` (or '6:00 pm')."""
    local = start.astimezone(tz)
    time = f"{local:%H:%M}"
    if clock == 12:
        time = f"{local.hour % 12 or 12}:{local:%M} {'am' if local.hour < 12 else 'pm'}"
    return f"{local:%A} {local.day} {local:%B}, {time}"


async def a_host(
    live_servers: ServerPool, database_url: str, name: str
) -> tuple[ServerProcess, date, datetime, dict[str, object]]:
    """A real server, and a host in New York on it bookable 09:00-10:00 on a day soon."""
    (server,) = live_servers.start(database_url)
    day, nine = a_bookable_day()
    return server, day, nine, await open_host(server.url, name, "America/New_York", day)


def a_bookable_day() -> tuple[date, datetime]:
    """A day three days ahead in New York (clear of the 24-hour notice) and its 09:00 there."""
    day = datetime.now(NEW_YORK).date() + timedelta(days=3)
    return day, datetime(day.year, day.month, day.day, 9, 0, tzinfo=NEW_YORK).astimezone(UTC)


async def fill_details(page: Page, name: str, email: str) -> None:
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Email").fill(email)


async def visit(
    browser: Browser,
    base_url: str,
    slug: object,
    tz: str = "Asia/Tokyo",
    viewport: dict[str, int] = DESKTOP,
    **options: Any,
) -> Page:
    """A new browser (its own cookies) in ``tz`` on the booking page, times listed in ``tz``."""
    context = await browser.new_context(timezone_id=tz, viewport=viewport, **options)
    page = await context.new_page()
    await page.goto(f"{base_url}/book/{slug}?tz={tz}&duration=30&clock=24")
    return page


async def no_axe_violations(page: Page) -> None:
    results = await Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


SIZES = pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONE], ids=lambda v: "phone" if v["width"] < 600 else "desktop"
)


def size_name(viewport: dict[str, int]) -> str:
    return "phone" if viewport["width"] < 600 else "desktop"


@SIZES
async def test_a_visitor_far_from_the_host_books_in_one_step(
    browser: Browser,
    live_servers: ServerPool,
    database_url: str,
    db,
    test_output: Path,
    viewport: dict[str, int],
) -> None:
    server, day, nine, host = await a_host(live_servers, database_url, "Grace Hopper")
    context = await browser.new_context(timezone_id="Asia/Tokyo", viewport=viewport)
    page = await context.new_page()
    size = size_name(viewport)

    await page.goto(f"{server.url}/book/{host['slug']}")

    # The browser's zone and clock (en-US: 12 hours) were detected, and the times re-listed
    # in them at once.
    await expect(page).to_have_url(f"{server.url}/book/{host['slug']}?tz=Asia%2FTokyo&clock=12")
    await expect(page.get_by_label("Show times in")).to_have_value("Asia/Tokyo")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Book time with Grace Hopper")
    await expect(page.locator("[data-zone-now]")).to_contain_text(
        "Times are shown in Asia/Tokyo (UTC+09:00), where it is now"
    )
    await page.get_by_label("Meeting length").select_option("30")
    await expect(page).to_have_url(re.compile(r"duration=30"))
    assert "tz=Asia%2FTokyo" in page.url
    assert f"day={nine.astimezone(TOKYO).date().isoformat()}" in page.url
    await no_axe_violations(page)
    await page.screenshot(path=test_output / f"book-{size}.png", full_page=True)

    await page.get_by_role("radio", name=label(nine, TOKYO, clock=12)).click()

    # The form comes into view, and the time is held: nobody else is offered it now.
    await expect(page.get_by_label("Your name")).to_be_in_viewport()
    await expect(page.locator("[data-chosen]")).to_contain_text("Chosen:")
    booked = nine.isoformat().replace("+00:00", "Z")
    for _ in range(50):
        if booked not in await host_slots(server.url, host, day):
            break
        await asyncio.sleep(0.1)
    assert booked not in await host_slots(server.url, host, day)
    await page.screenshot(path=test_output / f"book-chosen-{size}.png")
    book = page.get_by_role("button", name="Book", exact=True)
    box = await book.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    await fill_details(page, "Kenji Sato", "kenji@example.com")
    await book.click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    await expect(page.locator("[data-status]")).to_have_text("Confirmed")
    start = nine.astimezone(TOKYO)
    when = f"{start:%A} {start.day} {start:%B} {start.year}, "
    await expect(page.locator("time")).to_contain_text(when)
    await expect(page.get_by_text("Asia/Tokyo", exact=True)).to_be_visible()
    await expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    manage = await page.locator("[data-manage-link]").get_attribute("href")
    assert manage
    assert manage.startswith(f"{server.url}/bookings/")
    await no_axe_violations(page)
    await page.screenshot(path=test_output / f"booked-{size}.png", full_page=True)
    assert booked not in await host_slots(server.url, host, day)
    await context.close()


async def test_tap_targets_on_a_phone_are_at_least_44_px(
    browser: Browser, live_servers: ServerPool, database_url: str, db
) -> None:
    server, _day, _, host = await a_host(live_servers, database_url, "Hedy Lamarr")
    page = await visit(browser, server.url, host["slug"], viewport=PHONE)

    targets = page.locator(
        "main label[for^=slot-], main summary, main button, main input, main select"
    ).filter(visible=True)
    heights = [
        box["height"]
        for i in range(await targets.count())
        if (box := await targets.nth(i).bounding_box()) is not None
    ]
    assert heights
    assert min(heights) >= 44, heights


async def test_keyboard_only_booking_and_enter_on_a_time_moves_on_to_the_details(
    browser: Browser, live_servers: ServerPool, database_url: str, db, test_output: Path
) -> None:
    server, _day, nine, host = await a_host(live_servers, database_url, "Barbara Liskov")
    page = await visit(browser, server.url, host["slug"], viewport=DESKTOP)
    first = page.get_by_role("radio", name=label(nine, TOKYO))
    while not await first.evaluate("el => el === document.activeElement"):
        await page.keyboard.press("Tab")

    await page.keyboard.press("ArrowRight")
    second = page.get_by_role("radio", name=label(nine + timedelta(minutes=15), TOKYO))
    await expect(second).to_be_checked()
    await page.keyboard.press("Enter")

    # Enter chose the time and moved on: no half-filled form was sent.
    await expect(page.get_by_label("Your name")).to_be_focused()
    await expect(page.get_by_role("alert")).to_have_count(0)
    await page.keyboard.type("Kenji Sato")
    await page.keyboard.press("Tab")
    await page.keyboard.type("kenji@example.com")
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    start = (nine + timedelta(minutes=15)).astimezone(TOKYO)
    await expect(page.locator("time")).to_contain_text(f"{start:%H:%M}–")


async def test_back_or_a_page_left_open_finds_the_visitors_own_booking(
    browser: Browser, live_servers: ServerPool, database_url: str, db, test_output: Path
) -> None:
    server, _day, nine, host = await a_host(live_servers, database_url, "Frances Allen")
    context = await browser.new_context(timezone_id="Asia/Tokyo", viewport=PHONE)
    page, stale = await context.new_page(), await context.new_page()
    url = f"{server.url}/book/{host['slug']}?tz=Asia/Tokyo&duration=30&clock=24"
    await stale.goto(url)  # the form as Back shows it from the browser's cache
    await page.goto(url)
    await page.get_by_role("radio", name=label(nine, TOKYO)).check()
    await fill_details(page, "Kenji Sato", "kenji@example.com")
    await page.get_by_role("button", name="Book", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    booking_url = page.url

    await stale.get_by_role("radio", name=label(nine, TOKYO)).check()
    await fill_details(stale, "Kenji Sato", "kenji@example.com")
    await expect(stale.locator("[data-hold-problem]")).to_be_hidden()
    await stale.get_by_role("button", name="Book", exact=True).click()

    # Their own booking, not "someone else booked this time".
    await expect(stale.get_by_role("heading", level=1)).to_have_text("You are booked")
    assert stale.url == booking_url
    await page.go_back()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Book time with Frances Allen")
    await expect(page.get_by_role("alert")).to_have_count(0)
    await context.close()


async def test_changing_the_chosen_time_never_holds_two(
    browser: Browser, live_servers: ServerPool, database_url: str, db
) -> None:
    server, day, nine, host = await a_host(live_servers, database_url, "Radia Perlman")
    page = await visit(browser, server.url, host["slug"], viewport=DESKTOP)
    later = nine + timedelta(minutes=30)
    first, second = (f"{t.isoformat().replace('+00:00', 'Z')}" for t in (nine, later))

    await page.get_by_role("radio", name=label(nine, TOKYO)).check()
    await page.get_by_role("radio", name=label(later, TOKYO)).check()

    for _ in range(50):
        slots = await host_slots(server.url, host, day)
        if first in slots and second not in slots:
            break
        await asyncio.sleep(0.1)
    assert first in slots  # released when the second was chosen
    assert second not in slots  # held

    await page.goto("about:blank")  # leaving the page gives the time back
    for _ in range(50):
        if second in await host_slots(server.url, host, day):
            break
        await asyncio.sleep(0.1)
    assert second in await host_slots(server.url, host, day)


async def test_without_javascript_book_still_books(
    browser: Browser, live_servers: ServerPool, database_url: str, db, test_output: Path
) -> None:
    server, day, nine, host = await a_host(live_servers, database_url, "Margaret Hamilton")
    page = await visit(browser, server.url, host["slug"], viewport=PHONE, java_script_enabled=False)
    await page.get_by_role("radio", name=label(nine, TOKYO)).check()
    await fill_details(page, "Kenji Sato", "kenji@example.com")
    await page.screenshot(path=test_output / "book-no-js-phone.png", full_page=True)

    await page.get_by_role("button", name="Book", exact=True).click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    assert nine.isoformat().replace("+00:00", "Z") not in await host_slots(server.url, host, day)


async def test_two_browsers_race_for_one_slot_one_wins_the_other_is_told(
    browser: Browser, live_servers: ServerPool, database_url: str, db, test_output: Path
) -> None:
    server, _day, nine, host = await a_host(live_servers, database_url, "Alan Turing")
    pages = []
    for name, tz in (("Ana", "Europe/Madrid"), ("Ben", "Australia/Sydney")):
        # Without script, so neither holds the time before the race: Book decides it.
        page = await visit(
            browser, server.url, host["slug"], tz, viewport=PHONE, java_script_enabled=False
        )
        await page.get_by_role("radio", name=label(nine, ZoneInfo(tz))).check()
        await fill_details(page, name, f"{name.lower()}@example.com")
        pages.append(page)

    await asyncio.gather(*(p.get_by_role("button", name="Book", exact=True).click() for p in pages))

    outcomes = []
    for page in pages:
        booked = page.get_by_role("heading", name="You are booked")
        await expect(booked.or_(page.get_by_role("alert"))).to_be_visible()
        outcomes.append(await page.get_by_role("heading", level=1).inner_text())
    assert sorted(outcomes) == ["Book time with Alan Turing", "You are booked"]
    loser = pages[outcomes.index("Book time with Alan Turing")]
    alert = loser.get_by_role("alert")
    await expect(alert).to_contain_text("That time was just taken")
    await loser.screenshot(path=test_output / "booking-taken-phone.png", full_page=True)
    loser_tz = "Europe/Madrid" if loser is pages[0] else "Australia/Sydney"
    await expect(loser.get_by_role("radio", name=label(nine, ZoneInfo(loser_tz)))).to_have_count(0)
    await expect(loser.get_by_label("Your name")).not_to_have_value("")


async def test_a_hold_left_alone_lapses_and_the_slot_comes_back(
    browser: Browser, clocked_server: str, clock: FrozenClock, make_host, client, db
) -> None:
    from tests.fixtures.web import slug_of

    ada = await make_host("Ada Lovelace", "Europe/London", {"2026-12-01": [("09:00", "10:00")]})
    slug = await slug_of(client, ada)
    nine = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    holder = await (await browser.new_context(timezone_id="Europe/London")).new_page()
    await holder.goto(f"{clocked_server}/book/{slug}?tz=Europe/London&duration=30&clock=24")
    await holder.get_by_role("radio", name=label(nine, ZoneInfo("Europe/London"))).check()
    other = await (await browser.new_context(timezone_id="Asia/Tokyo")).new_page()
    taken = other.get_by_role("radio", name=label(nine, TOKYO))
    for _ in range(50):  # the holder's page holds the time a moment after the click
        await other.goto(f"{clocked_server}/book/{slug}?tz=Asia/Tokyo&duration=30&clock=24")
        if not await taken.count():
            break
    await expect(taken).to_have_count(0)

    clock.advance(minutes=31)  # the holder went for coffee

    await other.reload()
    await expect(taken).to_have_count(1)
    # Back at the desk: the time is still free, so Book still books it.
    await fill_details(holder, "Hal Holder", "hal@example.com")
    await holder.get_by_role("button", name="Book", exact=True).click()
    await expect(holder.get_by_role("heading", level=1)).to_have_text("You are booked")


async def test_the_manage_link_cancels(
    browser: Browser, live_servers: ServerPool, database_url: str, db
) -> None:
    server, day, nine, host = await a_host(live_servers, database_url, "Edsger Dijkstra")
    booking = await visit(browser, server.url, host["slug"], tz="America/New_York")
    await booking.get_by_role("radio", name=label(nine, NEW_YORK)).check()
    await fill_details(booking, "Mia Manager", "mia@example.com")
    await booking.get_by_role("button", name="Book", exact=True).click()
    manage = await booking.locator("[data-manage-link]").get_attribute("href")
    assert manage
    assert nine.isoformat().replace("+00:00", "Z") not in await host_slots(server.url, host, day)

    # Days later, from the link alone, in a fresh browser.
    later = await (await browser.new_context(timezone_id="Europe/Berlin")).new_page()
    await later.goto(manage)
    await expect(later.locator("[data-status]")).to_have_text("Confirmed")
    await later.get_by_role("link", name="Cancel this booking").click()
    await expect(later.get_by_role("heading", level=1)).to_have_text("Cancel your booking?")
    await later.get_by_role("button", name="Yes, cancel booking").click()

    await expect(later.get_by_role("heading", level=1)).to_have_text("Booking cancelled")
    await expect(later.locator("[data-status]")).to_have_text("Cancelled")
    assert nine.isoformat().replace("+00:00", "Z") in await host_slots(server.url, host, day)


async def test_a_browser_on_a_wrong_address_gets_a_page_with_a_way_back(
    browser: Browser, live_servers: ServerPool, database_url: str, db, test_output: Path
) -> None:
    (server,) = live_servers.start(database_url)
    page = await (await browser.new_context(viewport=PHONE)).new_page()

    response = await page.goto(f"{server.url}/book/nobody/at/all")

    assert response is not None
    assert response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await expect(page.get_by_role("link", name="Go to the start page")).to_have_attribute(
        "href", "/"
    )
    await no_axe_violations(page)
    await page.screenshot(path=test_output / "not-found-phone.png", full_page=True)
