"""A booking page honours its host's meeting limit: a full day lists no times, and a time picked
from an older list is refused in the page's words."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.web import Visitor, slug_of

pytestmark = pytest.mark.anyio

NINE = "2026-12-01T09:00:00+00:00"
NINE_THIRTY = "2026-12-01T09:30:00+00:00"


async def test_a_day_at_the_hosts_limit_is_refused_in_the_pages_words(
    client: httpx.AsyncClient, other_browser: httpx.AsyncClient, make_host
) -> None:
    ada = await make_host("Ada Lovelace", "Europe/London", {"2026-12-01": [("09:00", "10:00")]})
    limited = await client.patch(f"/v1/users/{ada.id}", json={"max_per_day": 1}, headers=ada.auth)
    assert limited.status_code == 200
    slug = await slug_of(client, ada)
    visitor = Visitor(client, slug, tz="Europe/London")
    rival = Visitor(other_browser, slug, tz="Europe/London")
    assert (await rival.book(NINE, name="Rita Rival", email="rita@example.com")).status_code == 303

    refused = await visitor.pick(NINE_THIRTY)

    assert refused.status_code == 409
    assert refused.json() == {
        "title": "That time cannot be booked",
        "message": "Ada Lovelace does not take bookings at 09:30 on Tuesday 1 December. "
        "Pick a time from the list below.",
    }
