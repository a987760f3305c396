"""The booking page's weight: everything a first visit downloads, compressed, under 50 KB."""

from __future__ import annotations

import gzip

import httpx
import pytest

from tests.fixtures.web import Visitor, read, slug_of

pytestmark = pytest.mark.anyio

BUDGET_BYTES = 50 * 1024


@pytest.fixture
async def visitor(client: httpx.AsyncClient, make_host) -> Visitor:
    ada = await make_host("Ada Lovelace", "Europe/London", {"2026-12-01": [("09:00", "10:00")]})
    return Visitor(client, await slug_of(client, ada), tz="Asia/Tokyo")


async def test_the_booking_page_with_its_css_and_script_weighs_under_50_kb_compressed(
    visitor: Visitor, capsys: pytest.CaptureFixture[str]
) -> None:
    page = await visitor.open()
    bodies = {"html": page.content}
    for asset in read(page).assets:
        bodies[asset] = (await visitor.client.get(asset)).content

    compressed = {name: len(gzip.compress(body, 9)) for name, body in bodies.items()}

    total = sum(compressed.values())
    with capsys.disabled():
        sizes = ", ".join(f"{name.split('?')[0]} {size} B" for name, size in compressed.items())
        print(f"\nbooking page, gzip -9: {sizes}; total {total} B")
    assert total < BUDGET_BYTES, compressed
    assert len(bodies) == 3  # one stylesheet, one script: nothing else to fetch


async def test_assets_are_named_by_their_content_and_cached_for_good(visitor: Visitor) -> None:
    assets = read(await visitor.open()).assets

    for asset in assets:
        assert "?v=" in asset
        response = await visitor.client.get(asset)
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = await visitor.client.get(assets[0].split("?")[0])
    assert "immutable" not in plain.headers.get("cache-control", "")
