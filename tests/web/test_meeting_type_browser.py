"""Meeting types in Chromium, against real servers: a visitor in Tokyo picks one of a New York
host's meeting types, answers its questions and books it, by mouse, by keyboard alone and
without JavaScript; a first visit is one page load, re-rendered in the visitor's zone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.fixtures.browser import PHONE
from tests.fixtures.server import ServerPool
from tests.web.test_browser import TOKYO, a_host, fill_details, label, no_axe_violations

pytestmark = [pytest.mark.anyio, pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 800}
SIZES = pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONE], ids=lambda v: "phone" if v["width"] < 600 else "desktop"
)
REVIEW = {
    "title": "Design review",
    "slug": "review",
    "description": "We go through your design together.",
    "durations": [30],
    "location": {"kind": "video", "detail": "https://meet.example.com/review"},
    "questions": [
        {"id": "project", "label": "What is your project?", "required": True},
        {"id": "link", "label": "A link to the design"},
    ],
}


async def offer_review(base_url: str, host: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=base_url) as api:
        made = await api.post(
            f"/v1/users/{host['id']}/meeting-types", json=REVIEW, headers=host["auth"]
        )
        assert made.status_code == 201, made.text


def count_documents(page: Page) -> list[str]:
    """Every document the page loads from now on (a fetch is not one)."""
    loads: list[str] = []
    page.on("request", lambda r: loads.append(r.url) if r.resource_type == "document" else None)
    return loads


async def answers_seen_by_host(base_url: str, host: dict[str, Any]) -> list[dict[str, str]]:
    async with httpx.AsyncClient(base_url=base_url) as api:
        listed = await api.get("/v1/reservations", headers=host["auth"])
        (booked,) = listed.json()["items"]
        assert booked["status"] == "confirmed"
        answers: list[dict[str, str]] = booked["answers"]
        return answers


@SIZES
async def test_a_visitor_far_away_picks_a_type_and_books_it_with_answers(
    browser: Browser,
    live_servers: ServerPool,
    database_url: str,
    db: Any,
    test_output: Path,
    viewport: dict[str, int],
) -> None:
    server, _day, nine, host = await a_host(live_servers, database_url, "Grace Hopper")
    await offer_review(server.url, host)
    size = "phone" if viewport["width"] < 600 else "desktop"
    context = await browser.new_context(timezone_id="Asia/Tokyo", viewport=viewport)
    page = await context.new_page()

    await page.goto(f"{server.url}/book/{host['slug']}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Book time with Grace Hopper")
    await expect(page.get_by_role("link", name="Design review")).to_be_visible()
    await expect(page.get_by_text("30 minutes · Video call")).to_be_visible()
    await no_axe_violations(page)
    await page.screenshot(path=test_output / f"types-{size}.png", full_page=True)

    loads = count_documents(page)
    await page.get_by_role("link", name="Design review").click()

    # One load of the type's page, shown in the visitor's zone and clock without a reload.
    typed = f"{server.url}/book/{host['slug']}/review"
    await expect(page).to_have_url(f"{typed}?tz=Asia%2FTokyo&clock=12")
    await expect(page.locator("[data-zone-now]")).to_contain_text("Asia/Tokyo (UTC+09:00)")
    await expect(page.get_by_role("heading", name="Design review")).to_be_visible()
    await expect(page.get_by_text("We go through your design together.")).to_be_visible()
    assert loads == [typed]
    await no_axe_violations(page)
    await page.screenshot(path=test_output / f"type-{size}.png", full_page=True)

    await page.get_by_role("radio", name=label(nine, TOKYO, clock=12)).click()
    await expect(page.get_by_label("Your name")).to_be_in_viewport()
    await fill_details(page, "Kenji Sato", "kenji@example.com")
    await page.get_by_label("What is your project?").fill("A compiler")
    # Of the viewport only: a full-page shot resizes the page under the next click.
    await page.screenshot(path=test_output / f"type-filled-{size}.png")
    await page.get_by_role("button", name="Book", exact=True).click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    await expect(page.get_by_text("What is your project?")).to_be_visible()
    await expect(page.get_by_role("link", name="https://meet.example.com/review")).to_be_visible()
    await no_axe_violations(page)
    await page.screenshot(path=test_output / f"type-booked-{size}.png", full_page=True)
    assert await answers_seen_by_host(server.url, host) == [
        {"question": "What is your project?", "answer": "A compiler"}
    ]
    await context.close()


async def test_a_first_visit_is_a_single_load_in_the_visitors_zone(
    browser: Browser, live_servers: ServerPool, database_url: str, db: Any
) -> None:
    server, _day, nine, host = await a_host(live_servers, database_url, "Ida Rhodes")
    context = await browser.new_context(timezone_id="Asia/Tokyo", viewport=PHONE)
    page = await context.new_page()
    loads = count_documents(page)

    await page.goto(f"{server.url}/book/{host['slug']}")

    await expect(page).to_have_url(f"{server.url}/book/{host['slug']}?tz=Asia%2FTokyo&clock=12")
    await expect(page.get_by_label("Show times in")).to_have_value("Asia/Tokyo")
    await expect(page.get_by_role("radio", name=label(nine, TOKYO, clock=12))).to_be_visible()
    await page.wait_for_load_state("networkidle")
    assert loads == [f"{server.url}/book/{host['slug']}"]
    # The page still works after being re-rendered in place: picking a time holds it.
    await page.get_by_role("radio", name=label(nine, TOKYO, clock=12)).click()
    await expect(page.locator("[data-chosen]")).to_contain_text("Chosen:")
    await context.close()


async def test_keyboard_only_booking_of_a_type_with_its_questions(
    browser: Browser, live_servers: ServerPool, database_url: str, db: Any
) -> None:
    server, _day, nine, host = await a_host(live_servers, database_url, "Karen Jones")
    await offer_review(server.url, host)
    context = await browser.new_context(timezone_id="Asia/Tokyo", viewport=DESKTOP)
    page = await context.new_page()
    await page.goto(f"{server.url}/book/{host['slug']}/review?tz=Asia/Tokyo&clock=24")
    first = page.get_by_role("radio", name=label(nine, TOKYO))
    for _ in range(200):
        if await first.evaluate("el => el === document.activeElement"):
            break
        await page.keyboard.press("Tab")

    await page.keyboard.press("Enter")  # chooses the time and moves on to the details
    await expect(page.get_by_label("Your name")).to_be_focused()
    await page.keyboard.type("Kenji Sato")
    await page.keyboard.press("Tab")
    await page.keyboard.type("kenji@example.com")
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("What is your project?")).to_be_focused()
    await page.keyboard.type("A compiler")
    book = page.get_by_role("button", name="Book", exact=True)
    for _ in range(10):
        if await book.evaluate("el => el === document.activeElement"):
            break
        await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    assert await answers_seen_by_host(server.url, host) == [
        {"question": "What is your project?", "answer": "A compiler"}
    ]
    await context.close()


async def test_without_javascript_a_type_is_booked_and_a_missing_answer_explained(
    browser: Browser, live_servers: ServerPool, database_url: str, db: Any, test_output: Path
) -> None:
    server, _day, nine, host = await a_host(live_servers, database_url, "Jean Sammet")
    await offer_review(server.url, host)
    context = await browser.new_context(
        timezone_id="Asia/Tokyo", viewport=PHONE, java_script_enabled=False
    )
    page = await context.new_page()
    await page.goto(f"{server.url}/book/{host['slug']}")
    await page.get_by_role("link", name="Design review").click()
    # No script to detect the zone: the visitor picks it from the list.
    await page.get_by_label("Show times in").select_option("Asia/Tokyo")
    await page.get_by_role("button", name="Show times").click()
    await page.get_by_role("radio", name=label(nine, TOKYO)).check()
    await fill_details(page, "Kenji Sato", "kenji@example.com")
    await page.get_by_role("button", name="Book", exact=True).click()

    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("Answer 'What is your project?'")
    await expect(page.get_by_label("What is your project?")).to_have_attribute(
        "aria-invalid", "true"
    )
    # (No axe here: it runs as a script, and this browser runs none.)
    await page.screenshot(path=test_output / "type-missing-answer-no-js-phone.png", full_page=True)
    await page.get_by_role("radio", name=label(nine, TOKYO)).check()
    await page.get_by_label("What is your project?").fill("A compiler")
    await page.get_by_role("button", name="Book", exact=True).click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    assert await answers_seen_by_host(server.url, host) == [
        {"question": "What is your project?", "answer": "A compiler"}
    ]
    await context.close()
