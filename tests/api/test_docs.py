"""/docs and /redoc load everything they need from Concierge itself, never another host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, Route

pytestmark = pytest.mark.anyio

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_each_page_names_only_files_of_this_service(
    client: httpx.AsyncClient, path: str
) -> None:
    page = await client.get(path)
    assert page.status_code == 200
    addresses = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert addresses, page.text
    assert all(address.startswith("/") for address in addresses), addresses
    assert "fonts.googleapis" not in page.text
    for address in addresses:
        asset = await client.get(address)
        assert asset.status_code == 200, address
        assert len(asset.content) > 1000, address


async def test_the_asset_addresses_change_with_their_content(client: httpx.AsyncClient) -> None:
    page = (await client.get("/docs")).text
    assert re.search(r"/docs/assets/swagger-ui-bundle\.js\?v=[0-9a-f]{10}", page)


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # about pages, not storage
async def test_the_docs_list_the_operations_with_other_hosts_unreachable(
    browser: Browser, clocked_server: str
) -> None:
    elsewhere: list[str] = []

    async def only_this_host(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    context = await browser.new_context()
    await context.route("**/*", only_this_host)
    page = await context.new_page()

    await page.goto(f"{clocked_server}/docs")
    operations = page.locator(".opblock-summary-path")
    await operations.first.wait_for(timeout=20_000)
    paths = set(await operations.all_inner_texts())
    assert {"/v1/users", "/v1/reservations"} <= {p.replace("\u200b", "") for p in paths}

    await page.goto(f"{clocked_server}/redoc")
    sections = page.locator("[data-section-id^='operation/']")
    await sections.first.wait_for(state="attached", timeout=20_000)
    assert await sections.count() >= 13
    assert await page.get_by_role("heading", name="Concierge").first.is_visible()

    await context.close()
    assert elsewhere == [], f"the docs asked other hosts for {elsewhere}"
