"""The slots cache: an answer is served again only while nothing written through this process
has changed the host's availability and the clock alone would not change it; writes made
through another process show within SLOTS_CACHE_SECONDS.

Most tests here run with a TTL of an hour, so an answer that should have been dropped but was
not would show; ``test_the_same_question_is_answered_from_memory`` shows answers are kept.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.models import Reservation, ReservationStatus
from tests.fixtures.app import Person
from tests.fixtures.caches import selects
from tests.fixtures.reservations import WEDNESDAY, Reserve, at
from tests.fixtures.web import Visitor, slug_of

pytestmark = pytest.mark.anyio

# The clock reads Monday 2026-11-23 12:00 UTC; the host works 09:00-17:00 UTC on weekdays.
DAY = "2026-11-25"


def wednesday(hour: int, minute: int = 0) -> str:
    return at(hour, minute, day=WEDNESDAY)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"slots_cache_seconds": 3600})


async def free_on(
    client: httpx.AsyncClient, host: Person, viewer: Person, day: str = DAY, **params: Any
) -> list[str]:
    response = await client.get(
        f"/v1/users/{host.id}/slots",
        params={"from": day, "to": day, "duration": 15, **params},
        headers=viewer.auth,
    )
    assert response.status_code == 200, response.text
    starts: list[str] = response.json()["days"][day]
    return starts


async def book_elsewhere(other: Database, host: Person, guest: Person, start: str) -> None:
    """A confirmed booking written as another server process would write it."""
    begins = datetime.fromisoformat(start)
    async with other.unit_of_work() as session:
        session.add(
            Reservation(
                host_id=host.id,
                guest_id=guest.id,
                start_at=begins,
                end_at=begins + timedelta(minutes=15),
                status=ReservationStatus.CONFIRMED,
                created_at=begins - timedelta(days=2),
            )
        )


async def test_the_same_question_is_answered_from_memory(
    client: httpx.AsyncClient, host: Person, guest: Person, sql_log: list[str]
) -> None:
    first = await free_on(client, host, guest)
    assert len(first) == 32
    selects(sql_log)
    assert await free_on(client, host, guest) == first
    assert selects(sql_log) == []


# ------------------------------------------------------------- writes through this process


async def test_a_hold_made_in_one_request_is_gone_from_the_next(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    assert wednesday(14) in await free_on(client, host, guest)
    assert (await reserve(guest, host, wednesday(14))).status_code == 201
    assert wednesday(14) not in await free_on(client, host, guest)


async def test_confirming_drops_the_answer_that_counted_on_the_hold_lapsing(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    sql_log: list[str],
) -> None:
    held = (await reserve(guest, host, wednesday(14))).json()
    await free_on(client, host, guest)
    confirmed = await client.post(f"/v1/reservations/{held['id']}/confirm", headers=guest.auth)
    assert confirmed.status_code == 200
    selects(sql_log)
    assert wednesday(14) not in await free_on(client, host, guest)
    assert selects(sql_log), "computed afresh after the confirmation"
    clock.advance(minutes=31)
    assert wednesday(14) not in await free_on(client, host, guest)


async def test_cancelling_shows_the_time_again_in_the_next_request(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    booked = (await reserve(guest, host, wednesday(14), confirm=True)).json()
    assert wednesday(14) not in await free_on(client, host, guest)
    cancelled = await client.post(f"/v1/reservations/{booked['id']}/cancel", headers=host.auth)
    assert cancelled.status_code == 200
    assert wednesday(14) in await free_on(client, host, guest)


async def test_expiring_lapsed_holds_drops_cached_answers(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    make_admin: Any,
    sql_log: list[str],
) -> None:
    admin = await make_admin()
    await reserve(guest, host, wednesday(14))
    clock.advance(minutes=31)
    free = await free_on(client, host, guest)
    assert wednesday(14) in free
    expired = await client.post("/v1/admin/expire-holds", headers=admin.auth)
    assert expired.json() == {"expired": 1}
    selects(sql_log)
    assert await free_on(client, host, guest) == free
    assert selects(sql_log), "computed afresh after the sweep"


async def test_new_weekly_hours_show_in_the_next_request(
    client: httpx.AsyncClient, host: Person, guest: Person
) -> None:
    await free_on(client, host, guest)
    changed = await client.put(
        f"/v1/users/{host.id}/weekly-hours",
        json={"days": {"wednesday": [{"start": "09:00", "end": "10:00"}]}},
        headers=host.auth,
    )
    assert changed.status_code == 200, changed.text
    quarters = [wednesday(9, m) for m in (0, 15, 30, 45)]
    assert await free_on(client, host, guest) == quarters


async def test_date_overrides_set_and_removed_show_in_the_next_request(
    client: httpx.AsyncClient, host: Person, guest: Person
) -> None:
    await free_on(client, host, guest)
    day_off = await client.put(
        f"/v1/users/{host.id}/availability", json={"dates": {DAY: []}}, headers=host.auth
    )
    assert day_off.status_code == 200
    assert await free_on(client, host, guest) == []
    removed = await client.delete(
        f"/v1/users/{host.id}/availability", params={"from": DAY, "to": DAY}, headers=host.auth
    )
    assert removed.json() == {"removed": 1}
    assert len(await free_on(client, host, guest)) == 32


async def test_a_new_notice_or_horizon_shows_in_the_next_request(
    client: httpx.AsyncClient, host: Person, guest: Person
) -> None:
    assert await free_on(client, host, guest)
    for changes, bookable in (
        ({"min_notice_minutes": 3 * 24 * 60}, False),  # Wednesday is two days off
        ({"min_notice_minutes": 24 * 60}, True),
        ({"horizon_days": 1}, False),
    ):
        patched = await client.patch(f"/v1/users/{host.id}", json=changes, headers=host.auth)
        assert patched.status_code == 200
        assert bool(await free_on(client, host, guest)) is bookable


async def test_a_deleted_host_has_no_slots_from_the_next_request_on(
    client: httpx.AsyncClient, host: Person, guest: Person
) -> None:
    await free_on(client, host, guest)
    assert (await client.delete(f"/v1/users/{host.id}", headers=host.auth)).status_code == 204
    gone = await client.get(
        f"/v1/users/{host.id}/slots", params={"from": DAY, "to": DAY}, headers=guest.auth
    )
    assert gone.status_code == 404
    assert gone.json()["code"] == "not_found"


async def test_deleting_a_guest_frees_the_time_they_had_booked(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    await reserve(guest, host, wednesday(14), confirm=True)
    assert wednesday(14) not in await free_on(client, host, host)
    assert (await client.delete(f"/v1/users/{guest.id}", headers=guest.auth)).status_code == 204
    assert wednesday(14) in await free_on(client, host, host)


async def test_time_a_host_books_as_a_guest_is_gone_from_their_own_slots(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, sign_up: Any
) -> None:
    other = await sign_up("Otto Other", "UTC")
    assert wednesday(14) in await free_on(client, host, guest)
    assert (await reserve(host, other, wednesday(14), confirm=True)).status_code == 201
    assert wednesday(14) not in await free_on(client, host, guest)


async def test_a_booking_page_hold_and_its_release_show_in_the_next_request(
    client: httpx.AsyncClient, make_host: Any, guest: Person
) -> None:
    ada = await make_host("Ada Lovelace", "Europe/London", {"2026-12-01": [("09:00", "10:00")]})
    day = "2026-12-01"
    nine, nine_fifteen = "2026-12-01T09:00:00Z", "2026-12-01T09:15:00Z"
    assert nine in await free_on(client, ada, guest, day=day, duration=30)
    visitor = Visitor(client, await slug_of(client, ada), tz="Europe/London")
    held = await visitor.pick("2026-12-01T09:00:00+00:00")  # held while the visitor types
    assert held.status_code == 204, held.text
    free = await free_on(client, ada, guest, day=day, duration=30)
    assert nine not in free
    assert nine_fifteen not in free  # 09:15-09:45 overlaps the 30 minutes held
    released = await visitor.leave()
    assert released.status_code == 204
    assert nine in await free_on(client, ada, guest, day=day, duration=30)


# ------------------------------------------------------------------------ the clock alone


async def test_a_hold_frees_its_time_at_its_deadline_cached_or_not(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, clock: FrozenClock
) -> None:
    await reserve(guest, host, wednesday(14))  # held for 30 minutes
    assert wednesday(14) not in await free_on(client, host, guest)
    clock.advance(minutes=29, seconds=59)
    assert wednesday(14) not in await free_on(client, host, guest)
    clock.advance(seconds=1)
    assert wednesday(14) in await free_on(client, host, guest)


async def test_a_start_is_never_served_once_it_falls_inside_the_notice(
    client: httpx.AsyncClient, host: Person, guest: Person, clock: FrozenClock
) -> None:
    tuesday = "2026-11-24"
    assert (await free_on(client, host, guest, day=tuesday))[0] == "2026-11-24T12:00:00Z"
    clock.advance(seconds=1)  # 12:00 on Tuesday is now less than 24 hours ahead
    assert (await free_on(client, host, guest, day=tuesday))[0] == "2026-11-24T12:15:00Z"


async def test_the_default_dates_move_on_at_midnight(
    client: httpx.AsyncClient, host: Person, guest: Person, clock: FrozenClock
) -> None:
    async def first_date() -> str:
        response = await client.get(f"/v1/users/{host.id}/slots", headers=guest.auth)
        return min(response.json()["days"])

    assert await first_date() == "2026-11-23"
    clock.set(datetime(2026, 11, 23, 23, 59, 59, tzinfo=UTC))
    assert await first_date() == "2026-11-23"
    clock.set(datetime(2026, 11, 24, tzinfo=UTC))
    assert await first_date() == "2026-11-24"


# ------------------------------------------------------------------- other processes; off


async def test_a_booking_made_by_another_process_shows_within_the_ttl(
    client_for: Any, host: Person, guest: Person, elsewhere: Database, clock: FrozenClock
) -> None:
    two_seconds = await client_for(slots_cache_seconds=2)
    assert wednesday(14) in await free_on(two_seconds, host, guest)
    await book_elsewhere(elsewhere, host, guest, wednesday(14))
    clock.advance(seconds=1)
    assert wednesday(14) in await free_on(two_seconds, host, guest)  # not heard of it here
    clock.advance(seconds=1)
    assert wednesday(14) not in await free_on(two_seconds, host, guest)


async def test_with_the_cache_off_every_request_computes_afresh(
    client_for: Any, host: Person, guest: Person, elsewhere: Database, sql_log: list[str]
) -> None:
    uncached = await client_for(slots_cache_seconds=0)
    for _ in range(2):
        assert wednesday(14) in await free_on(uncached, host, guest)
        assert any("reservations" in s for s in selects(sql_log))
    await book_elsewhere(elsewhere, host, guest, wednesday(14))
    assert wednesday(14) not in await free_on(uncached, host, guest)
