"""search_restaurants by cuisine, area, point and radius, price and rating, with tables on a
date (issue 17), through an MCP client session against the Google Places and Resy stand-ins.

The clock reads Monday 2026-11-23 12:00 UTC; Saturday is 2026-11-28.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.mcp import ok, text_of
from tests.fixtures.resy import ResySandbox
from tests.mcp.test_restaurant_tools import call

pytestmark = pytest.mark.anyio

LILIA = (40.71755, -73.95240)


def names(found: Any) -> list[str]:
    return [hit["name"] for hit in found.structured_content["items"]]


async def test_italian_in_west_village_finds_the_neighbourhoods_italian_places(
    connect_dining, sign_up
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        found = ok(
            await call(client, "search_restaurants", query="italian", location="West Village")
        )
    hits = {hit["name"]: hit for hit in found.structured_content["items"]}
    # Carbone is Italian but in Greenwich Village; Joe's Pizza is in the West Village but pizza.
    assert set(hits) == {"Don Angie", "Via Carota", "I Sodi", "San Sabino"}
    don_angie = hits["Don Angie"]
    assert (don_angie["neighborhood"], don_angie["cuisine"]) == ("West Village", "Italian")
    assert (don_angie["price_level"], don_angie["rating"]) == (3, 4.7)
    assert don_angie["on_resy"] is True
    assert don_angie["resy_url"] == "https://resy.com/cities/ny/don-angie"
    assert hits["San Sabino"]["on_resy"] is not True  # Resy does not list it
    text = text_of(found)
    assert text.startswith("Restaurants for 'italian in West Village':")
    assert "Don Angie - 103 Greenwich Ave" in text
    assert "· Italian · West Village · $$$ · 4.7★ · https://resy.com/cities/ny/don-angie" in text


async def test_near_a_point_within_a_radius(connect_dining, sign_up) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        near = ok(
            await call(
                client,
                "search_restaurants",
                query="italian",
                latitude=LILIA[0],
                longitude=LILIA[1],
                radius_m=1500,
            )
        )
        anywhere = ok(await call(client, "search_restaurants", query="italian", limit=10))
    assert names(near) == ["Lilia"]
    assert near.structured_content["items"][0]["distance_m"] < 50
    assert "Lilia" in names(anywhere)
    assert len(names(anywhere)) > 3


async def test_price_and_rating_filter_the_answers(connect_dining, sign_up) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        splurge = ok(
            await call(client, "search_restaurants", query="italian", min_price=4, limit=10)
        )
        rated = ok(
            await call(
                client,
                "search_restaurants",
                query="italian",
                location="West Village",
                min_rating=4.7,
            )
        )
    # Both Carbones (New York and Miami Beach) are $$$$; no other Italian place is.
    assert names(splurge) == ["Carbone", "Carbone"]
    assert all(hit["price_level"] == 4 for hit in splurge.structured_content["items"])
    assert set(names(rated)) == {"Don Angie", "I Sodi"}


async def test_with_a_date_each_place_on_resy_shows_its_open_tables(
    connect_dining, sign_up
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        found = ok(
            await call(
                client,
                "search_restaurants",
                query="italian",
                location="West Village",
                date="Saturday",
                party_size=2,
            )
        )
    data = found.structured_content
    assert (data["day"], data["party_size"]) == ("2026-11-28", 2)
    hits = {hit["name"]: hit for hit in data["items"]}
    assert hits["Don Angie"]["tables"], text_of(found)
    assert all(t["start"].startswith("2026-11-28T") for t in hits["Don Angie"]["tables"])
    assert hits["San Sabino"]["tables"] is None  # not on Resy: not asked
    assert "Restaurants for 'italian in West Village' with tables on Saturday Nov 28:" in (
        text_of(found)
    )
    assert " · tables: " in text_of(found)


async def test_a_search_that_makes_no_sense_is_worded_for_an_assistant(
    connect_dining, sign_up
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        half = await call(client, "search_restaurants", query="italian", latitude=40.7)
        none = ok(await call(client, "search_restaurants", query="zzqx"))
    assert half.is_error
    assert "Give both latitude and longitude" in text_of(half)
    assert none.structured_content["items"] == []
    assert "Try other words or a wider area" in text_of(none)


async def test_resy_down_still_lists_googles_places_and_says_so(
    connect_dining, sign_up, resy_sandbox: ResySandbox
) -> None:
    me = await sign_up("Dana", "America/New_York")
    async with connect_dining(me) as client:
        resy_sandbox.faults(server_errors=50, server_error_status=503)
        found = ok(
            await call(client, "search_restaurants", query="italian", location="West Village")
        )
    assert "Don Angie" in names(found)
    assert "Resy could not be asked about these" in text_of(found)
    assert found.structured_content["note"]
