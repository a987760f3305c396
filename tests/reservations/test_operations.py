"""Reservations as operations sees them: counted in metrics once committed, and rate-limited
per account at creation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from concierge.app import create_app
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from tests.fixtures.app import Person
from tests.fixtures.reservations import Reserve, at

pytestmark = pytest.mark.anyio


def counted(event: str) -> float:
    return REGISTRY.get_sample_value("concierge_reservations_total", {"event": event}) or 0.0


def refused(guard: str) -> float:
    labels = {"guard": guard}
    return REGISTRY.get_sample_value("concierge_double_bookings_refused_total", labels) or 0.0


async def test_each_transition_is_counted(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    make_admin: Any,
) -> None:
    before = {e: counted(e) for e in ("held", "confirmed", "cancelled", "expired")}
    clash = refused("check")

    first = (await reserve(guest, host, at(14))).json()
    await client.post(f"/v1/reservations/{first['id']}/confirm", headers=guest.auth)
    await client.post(f"/v1/reservations/{first['id']}/confirm", headers=guest.auth)  # no change
    assert (await reserve(guest, host, at(14))).status_code == 409
    booked = (await reserve(guest, host, at(15), confirm=True)).json()
    await client.post(f"/v1/reservations/{booked['id']}/cancel", headers=guest.auth)
    assert (await reserve(guest, host, at(12))).status_code == 201
    assert (await reserve(guest, host, at(13))).status_code == 201
    clock.advance(minutes=31)
    admin = await make_admin()
    assert (await client.post("/v1/admin/expire-holds", headers=admin.auth)).json() == {
        "expired": 2
    }

    assert {e: counted(e) - before[e] for e in before} == {
        "held": 3,
        "confirmed": 2,
        "cancelled": 1,
        "expired": 2,
    }
    assert refused("check") == clash + 1


async def test_a_transition_rolled_back_is_not_counted(db: Database) -> None:
    from concierge import events

    held = counted("held")

    def one_held(reservation_id: int) -> events.Event:
        return events.ReservationChanged("held", reservation_id, frozenset({1}))

    async def fail_after_counting() -> None:
        async with db.unit_of_work() as session:
            events.record(session, one_held(1))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await fail_after_counting()
    assert counted("held") == held
    async with db.unit_of_work() as session:
        events.record(session, one_held(1))
        events.record(session, one_held(2))
    assert counted("held") == held + 2


async def test_creating_reservations_is_limited_per_account(
    settings: Settings,
    db: Database,
    clock: FrozenClock,
    host: Person,
    guest: Person,
    sign_up: Any,
) -> None:
    other = await sign_up("Olga Other")
    app = create_app(
        settings.model_copy(update={"rate_limit_reservations": "2/minute"}), db=db, clock=clock
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://concierge.test") as c:

        async def book(person: Person, hour: int) -> httpx.Response:
            body = {"host_id": host.id, "start": at(hour), "duration": 15}
            return await c.post("/v1/reservations", json=body, headers=person.auth)

        statuses = [(await book(guest, hour)).status_code for hour in (12, 13, 14)]
        assert statuses == [201, 201, 429]
        limited = await book(guest, 15)
        assert limited.json()["code"] == "rate_limited"
        assert int(limited.headers["Retry-After"]) >= 1
        assert (await book(other, 16)).status_code == 201
