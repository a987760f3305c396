"""Availability, slots and common free time over HTTP: the flows of seed 003, what bookings take
away, and every bad input refused with its code and without a trace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from concierge.clock import FrozenClock
from concierge.db import Database
from concierge.models import Reservation, ReservationStatus
from tests.fixtures.app import NOW, Person

pytestmark = pytest.mark.anyio

# The frozen clock reads Monday 2026-11-23 12:00 UTC; the default notice is 24 hours, the
# default horizon 60 days, and new people have weekly hours 09:00-17:00, Monday to Friday.


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def book(
    db: Database,
    host: Person,
    guest: Person,
    start: str,
    minutes: int = 15,
    status: ReservationStatus = ReservationStatus.CONFIRMED,
    hold_expires_at: datetime | None = None,
) -> None:
    """A reservation row, written straight to the database."""
    begins = utc(start)
    async with db.unit_of_work() as session:
        session.add(
            Reservation(
                host_id=host.id,
                guest_id=guest.id,
                start_at=begins,
                end_at=begins + timedelta(minutes=minutes),
                status=status,
                hold_expires_at=hold_expires_at,
                created_at=NOW,
            )
        )


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["type"].endswith(code)


async def slots(
    client: httpx.AsyncClient, host: Person, viewer: Person, **params: Any
) -> dict[str, list[str]]:
    response = await client.get(f"/v1/users/{host.id}/slots", params=params, headers=viewer.auth)
    assert response.status_code == 200, response.text
    days: dict[str, list[str]] = response.json()["days"]
    return days


def clock_times(instants: list[str]) -> list[str]:
    return [instant[11:16] for instant in instants]


# ----------------------------------------------------------------------- availability flows


async def test_set_several_dates_with_several_ranges_and_show_them(
    client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up("Ada", "America/New_York")
    put = await client.put(
        f"/v1/users/{ada.id}/availability",
        json={
            "timezone": "America/New_York",
            "dates": {
                "2026-12-01": [
                    {"start": "09:00", "end": "11:00"},
                    {"start": "13:00", "end": "15:30"},
                ],
                "2026-12-02": [],
            },
        },
        headers=ada.auth,
    )
    assert put.status_code == 200, put.text
    shown = await client.get(
        f"/v1/users/{ada.id}/availability",
        params={"from": "2026-12-01", "to": "2026-12-03"},
        headers=ada.auth,
    )
    assert shown.status_code == 200
    days = shown.json()["days"]
    assert days["2026-12-01"] == [
        {"start": "2026-12-01T14:00:00Z", "end": "2026-12-01T16:00:00Z"},
        {"start": "2026-12-01T18:00:00Z", "end": "2026-12-01T20:30:00Z"},
    ]
    assert days["2026-12-02"] == []
    # 2026-12-03 is a Thursday: the default weekly hours, 09:00-17:00 New York.
    assert days["2026-12-03"] == [{"start": "2026-12-03T14:00:00Z", "end": "2026-12-03T22:00:00Z"}]


async def test_weekly_hours_merge_overlaps_and_read_back_the_same(
    client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up("Ada", "Europe/London")
    put = await client.put(
        f"/v1/users/{ada.id}/weekly-hours",
        json={
            "timezone": "Asia/Kolkata",
            "days": {
                "monday": [{"start": "13:00", "end": "17:00"}, {"start": "09:00", "end": "13:30"}],
                "friday": [{"start": "22:00", "end": "24:00"}],
            },
        },
        headers=ada.auth,
    )
    assert put.status_code == 200, put.text
    got = await client.get(f"/v1/users/{ada.id}/weekly-hours", headers=ada.auth)
    assert got.json() == put.json()
    assert got.json()["timezone"] == "Asia/Kolkata"
    assert got.json()["days"]["monday"] == [{"start": "09:00", "end": "17:00"}]
    assert got.json()["days"]["friday"] == [{"start": "22:00", "end": "24:00"}]
    assert got.json()["days"]["tuesday"] == []
    shown = await client.get(
        f"/v1/users/{ada.id}/availability",
        params={"from": "2026-11-30", "to": "2026-12-04", "tz": "Asia/Kolkata"},
        headers=ada.auth,
    )
    assert shown.json()["days"]["2026-11-30"] == [
        {"start": "2026-11-30T09:00:00+05:30", "end": "2026-11-30T17:00:00+05:30"}
    ]
    assert shown.json()["days"]["2026-12-04"] == [
        {"start": "2026-12-04T22:00:00+05:30", "end": "2026-12-05T00:00:00+05:30"}
    ]


async def test_removing_overrides_brings_the_weekly_hours_back(
    client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up("Ada")
    await client.put(
        f"/v1/users/{ada.id}/availability",
        json={"dates": {"2026-12-01": [], "2026-12-02": [], "2026-12-09": []}},
        headers=ada.auth,
    )
    removed = await client.delete(
        f"/v1/users/{ada.id}/availability",
        params={"from": "2026-12-01", "to": "2026-12-02"},
        headers=ada.auth,
    )
    assert removed.json() == {"removed": 2}
    shown = await client.get(
        f"/v1/users/{ada.id}/availability",
        params={"from": "2026-12-01", "to": "2026-12-09"},
        headers=ada.auth,
    )
    days = shown.json()["days"]
    assert days["2026-12-01"] == [{"start": "2026-12-01T09:00:00Z", "end": "2026-12-01T17:00:00Z"}]
    assert days["2026-12-09"] == []


async def test_an_admin_may_set_anyones_hours(client: httpx.AsyncClient, sign_up, make_admin):
    ada, admin = await sign_up("Ada"), await make_admin()
    put = await client.put(
        f"/v1/users/{ada.id}/availability",
        json={"dates": {"2026-12-01": []}},
        headers=admin.auth,
    )
    assert put.status_code == 200
    assert await slots(client, ada, admin, **{"from": "2026-12-01", "to": "2026-12-01"}) == {
        "2026-12-01": []
    }


# ---------------------------------------------------------------------------------- slots


async def test_slots_are_rendered_in_the_asked_zone(client: httpx.AsyncClient, sign_up) -> None:
    ada = await sign_up("Ada", "Europe/London")
    await client.put(
        f"/v1/users/{ada.id}/availability",
        # Monday's London afternoon is already Tuesday in Tokyo: make it a day off.
        json={"dates": {"2026-11-30": [], "2026-12-01": [{"start": "09:00", "end": "10:00"}]}},
        headers=ada.auth,
    )
    response = await client.get(
        f"/v1/users/{ada.id}/slots",
        params={"from": "2026-12-01", "to": "2026-12-01", "duration": 30, "tz": "Asia/Tokyo"},
        headers=ada.auth,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "Asia/Tokyo"
    assert body["duration"] == 30
    # 09:00 London is 18:00 in Tokyo, the same local date there.
    assert body["days"]["2026-12-01"] == [
        "2026-12-01T18:00:00+09:00",
        "2026-12-01T18:15:00+09:00",
        "2026-12-01T18:30:00+09:00",
    ]


async def test_slots_are_keyed_by_dates_of_the_asked_zone(
    client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up("Ada", "UTC")
    await client.put(
        f"/v1/users/{ada.id}/availability",
        json={
            "dates": {
                "2026-11-30": [],
                "2026-12-01": [{"start": "23:00", "end": "24:00"}],
                "2026-12-02": [],
            }
        },
        headers=ada.auth,
    )
    # 23:00 UTC on the 1st is 08:00 on the 2nd in Tokyo.
    tokyo = await slots(
        client, ada, ada, **{"from": "2026-12-01", "to": "2026-12-02"}, tz="Asia/Tokyo"
    )
    assert tokyo["2026-12-01"] == []
    assert clock_times(tokyo["2026-12-02"]) == ["08:00", "08:15", "08:30", "08:45"]
    # Without tz: the host's zone groups the dates, instants are UTC.
    own = await slots(client, ada, ada, **{"from": "2026-12-01", "to": "2026-12-01"})
    assert own["2026-12-01"] == [f"2026-12-01T23:{m}:00Z" for m in ("00", "15", "30", "45")]


async def test_confirmed_and_live_held_reservations_take_slots_lapsed_holds_do_not(
    client: httpx.AsyncClient, sign_up, db: Database, clock: FrozenClock
) -> None:
    ada, bob, cat = await sign_up("Ada"), await sign_up("Bob"), await sign_up("Cat")
    await client.put(
        f"/v1/users/{ada.id}/availability",
        json={"dates": {"2026-12-01": [{"start": "09:00", "end": "11:00"}]}},
        headers=ada.auth,
    )
    await book(db, ada, bob, "2026-12-01 09:00", 30)
    await book(db, ada, bob, "2026-12-01 09:30", status=ReservationStatus.CANCELLED)
    live_hold = NOW + timedelta(minutes=30)
    await book(
        db, ada, bob, "2026-12-01 10:00", status=ReservationStatus.HELD, hold_expires_at=live_hold
    )
    lapsed = NOW - timedelta(minutes=1)
    await book(
        db, ada, bob, "2026-12-01 10:15", status=ReservationStatus.HELD, hold_expires_at=lapsed
    )
    await book(
        db, ada, bob, "2026-12-01 10:30", status=ReservationStatus.EXPIRED, hold_expires_at=lapsed
    )
    await book(db, cat, ada, "2026-12-01 10:45")  # Ada is Cat's guest: she is busy too
    window = {"from": "2026-12-01", "to": "2026-12-01"}

    days = await slots(client, ada, bob, **window)
    assert clock_times(days["2026-12-01"]) == ["09:30", "09:45", "10:15", "10:30"]

    clock.advance(minutes=30)  # the live hold lapses, with no sweeper involved
    days = await slots(client, ada, bob, **window)
    assert clock_times(days["2026-12-01"]) == ["09:30", "09:45", "10:00", "10:15", "10:30"]

    longer = await slots(client, ada, bob, **window, duration=30)
    assert clock_times(longer["2026-12-01"]) == ["09:30", "09:45", "10:00", "10:15"]


async def test_slots_keep_the_notice_and_the_horizon(client: httpx.AsyncClient, sign_up) -> None:
    ada = await sign_up("Ada")
    await client.put(
        f"/v1/users/{ada.id}/weekly-hours",
        json={
            "days": {
                day: [{"start": "11:00", "end": "13:00"}]
                for day in ("monday", "tuesday", "wednesday", "thursday")
            }
        },
        headers=ada.auth,
    )
    days = await slots(client, ada, ada, **{"from": "2026-11-23", "to": "2026-11-26"})
    # Now is Monday 12:00 and the notice 24 hours: Tuesday's first free start is 12:00.
    assert days["2026-11-23"] == []
    assert clock_times(days["2026-11-24"]) == ["12:00", "12:15", "12:30", "12:45"]
    assert len(days["2026-11-25"]) == 8
    changed = await client.patch(
        f"/v1/users/{ada.id}", json={"min_notice_minutes": 0, "horizon_days": 2}, headers=ada.auth
    )
    assert changed.status_code == 200
    days = await slots(client, ada, ada, **{"from": "2026-11-23", "to": "2026-11-26"})
    # Starts before Wednesday 12:00 only, and from now on.
    assert clock_times(days["2026-11-23"]) == ["12:00", "12:15", "12:30", "12:45"]
    assert len(days["2026-11-24"]) == 8
    assert clock_times(days["2026-11-25"]) == ["11:00", "11:15", "11:30", "11:45"]
    assert days["2026-11-26"] == []


async def test_slots_default_to_two_weeks_from_today_in_the_hosts_zone(
    client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up("Ada", "Pacific/Kiritimati")  # already Tuesday the 24th there
    response = await client.get(f"/v1/users/{ada.id}/slots", headers=ada.auth)
    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "Pacific/Kiritimati"
    assert body["duration"] == 15
    assert list(body["days"]) == [f"2026-11-{d}" for d in range(24, 31)] + [
        f"2026-12-0{d}" for d in range(1, 8)
    ]


async def test_a_nine_to_five_is_32_slots_on_the_day_new_york_falls_back(
    client: httpx.AsyncClient, sign_up, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 10, 20, 12, tzinfo=UTC))
    ada = await sign_up("Ada", "America/New_York")
    await client.put(
        f"/v1/users/{ada.id}/availability",
        json={
            "dates": {
                "2026-11-01": [
                    {"start": "01:00", "end": "03:00"},
                    {"start": "09:00", "end": "17:00"},
                ]
            }
        },
        headers=ada.auth,
    )
    days = await slots(
        client, ada, ada, **{"from": "2026-11-01", "to": "2026-11-01"}, tz="America/New_York"
    )
    starts = days["2026-11-01"]
    assert len(starts) == 12 + 32
    assert starts[3:5] == ["2026-11-01T01:45:00-04:00", "2026-11-01T01:00:00-05:00"]
    assert starts[12] == "2026-11-01T09:00:00-05:00"
    assert starts[-1] == "2026-11-01T16:45:00-05:00"


# ------------------------------------------------------------------------ common free time


async def test_overlap_of_two_users(client: httpx.AsyncClient, sign_up) -> None:
    ada, bob = await sign_up("Ada", "UTC"), await sign_up("Bob", "America/New_York")
    await client.put(
        f"/v1/users/{ada.id}/availability",
        json={"dates": {"2026-12-01": [{"start": "09:00", "end": "16:00"}]}},
        headers=ada.auth,
    )
    await client.put(
        f"/v1/users/{bob.id}/availability",
        json={
            "dates": {
                "2026-12-01": [
                    {"start": "08:00", "end": "10:00"},
                    {"start": "10:30", "end": "12:00"},
                ]
            }
        },
        headers=bob.auth,
    )
    response = await client.get(
        "/v1/availability/common",
        params={"users": f"{ada.id},{bob.id}", "from": "2026-12-01", "to": "2026-12-01"},
        headers=ada.auth,
    )
    assert response.status_code == 200, response.text
    assert response.json()["days"]["2026-12-01"] == [
        {"start": "2026-12-01T13:00:00Z", "end": "2026-12-01T15:00:00Z"},
        {"start": "2026-12-01T15:30:00Z", "end": "2026-12-01T16:00:00Z"},
    ]


async def test_common_time_leaves_out_bookings_of_each_and_keeps_lapsed_holds(
    client: httpx.AsyncClient, sign_up, db: Database
) -> None:
    ada, bob, cat, dan = [await sign_up(n) for n in ("Ada", "Bob", "Cat", "Dan")]
    for person in (ada, bob, cat):
        await client.put(
            f"/v1/users/{person.id}/availability",
            json={"dates": {"2026-12-01": [{"start": "09:00", "end": "12:00"}]}},
            headers=person.auth,
        )
    await book(db, ada, dan, "2026-12-01 09:30", 30)  # Ada hosts
    await book(db, dan, bob, "2026-12-01 10:30", 15)  # Bob is a guest
    lapsed = NOW - timedelta(seconds=1)
    await book(db, cat, dan, "2026-12-01 11:00", 60, ReservationStatus.HELD, lapsed)
    response = await client.get(
        "/v1/availability/common",
        params={
            "users": f"{ada.id},{bob.id},{cat.id}",
            "from": "2026-12-01",
            "to": "2026-12-01",
            "min_duration": 30,
            "tz": "Europe/Paris",
        },
        headers=dan.auth,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "timezone": "Europe/Paris",
        "days": {
            "2026-12-01": [
                # 09:00-09:30 UTC and 10:00-10:30 UTC are free for all, and long enough.
                {"start": "2026-12-01T10:00:00+01:00", "end": "2026-12-01T10:30:00+01:00"},
                {"start": "2026-12-01T11:00:00+01:00", "end": "2026-12-01T11:30:00+01:00"},
                {"start": "2026-12-01T11:45:00+01:00", "end": "2026-12-01T13:00:00+01:00"},
            ]
        },
    }


async def test_common_time_across_midnight_is_one_interval(
    client: httpx.AsyncClient, sign_up
) -> None:
    ada, bob = await sign_up("Ada", "UTC"), await sign_up("Bob", "UTC")
    for person in (ada, bob):
        await client.put(
            f"/v1/users/{person.id}/availability",
            json={
                "dates": {
                    "2026-12-01": [{"start": "22:00", "end": "24:00"}],
                    "2026-12-02": [{"start": "00:00", "end": "01:00"}],
                }
            },
            headers=person.auth,
        )
    response = await client.get(
        "/v1/availability/common",
        params={"users": f"{ada.id},{bob.id}", "from": "2026-12-01", "to": "2026-12-02"},
        headers=ada.auth,
    )
    assert response.json()["days"] == {
        "2026-12-01": [{"start": "2026-12-01T22:00:00Z", "end": "2026-12-02T01:00:00Z"}],
        "2026-12-02": [],
    }


async def test_common_time_starts_at_the_next_grid_line_from_now(
    client: httpx.AsyncClient, sign_up, clock: FrozenClock
) -> None:
    ada, bob = await sign_up("Ada", "UTC"), await sign_up("Bob", "UTC")
    clock.set(datetime(2026, 11, 23, 12, 7, 30, tzinfo=UTC))
    response = await client.get(
        "/v1/availability/common",
        params={"users": f"{ada.id},{bob.id}", "from": "2026-11-23", "to": "2026-11-23"},
        headers=ada.auth,
    )
    assert response.json()["days"]["2026-11-23"] == [
        {"start": "2026-11-23T12:15:00Z", "end": "2026-11-23T17:00:00Z"}
    ]


async def test_a_range_62_days_apart_is_allowed(client: httpx.AsyncClient, sign_up) -> None:
    ada, bob = await sign_up("Ada"), await sign_up("Bob")
    window = {"from": "2026-12-01", "to": "2027-02-01"}
    days = await slots(client, ada, bob, **window)
    assert len(days) == 63
    for path, extra in (
        (f"/v1/users/{ada.id}/availability", {}),
        ("/v1/availability/common", {"users": f"{ada.id},{bob.id}"}),
    ):
        response = await client.get(path, params={**window, **extra}, headers=bob.auth)
        assert response.status_code == 200, response.text


# ----------------------------------------------------------------------------- bad input


async def snapshot(client: httpx.AsyncClient, person: Person) -> tuple[Any, Any]:
    """Everything a refused write could have touched."""
    weekly = await client.get(f"/v1/users/{person.id}/weekly-hours", headers=person.auth)
    dates = await client.get(
        f"/v1/users/{person.id}/availability",
        params={"from": "2026-11-30", "to": "2026-12-06"},
        headers=person.auth,
    )
    return weekly.json(), dates.json()


GOOD = [{"start": "09:00", "end": "10:00"}]

WEEKLY_REFUSALS = [
    pytest.param(
        {"timezone": "Mars/Olympus", "days": {"monday": GOOD}}, "invalid_request", id="unknown-zone"
    ),
    pytest.param(
        {"days": {"monday": GOOD, "friday": [{"start": "09:10", "end": "10:00"}]}},
        "misaligned",
        id="misaligned-start",
    ),
    pytest.param(
        {"days": {"monday": GOOD, "friday": [{"start": "09:00", "end": "10:05"}]}},
        "misaligned",
        id="misaligned-end",
    ),
    pytest.param(
        {"days": {"monday": GOOD, "friday": [{"start": "10:00", "end": "09:00"}]}},
        "invalid_request",
        id="end-before-start",
    ),
    pytest.param(
        {"days": {"monday": [{"start": "10:00", "end": "10:00"}]}},
        "invalid_request",
        id="empty-window",
    ),
    pytest.param(
        {"days": {"monday": [{"start": "9am", "end": "10:00"}]}}, "invalid_request", id="not-hh-mm"
    ),
    pytest.param(
        {"days": {"monday": [{"start": "09:00", "end": "24:15"}]}},
        "invalid_request",
        id="past-midnight",
    ),
    pytest.param({"days": {"funday": GOOD}}, "invalid_request", id="unknown-day"),
    pytest.param({"hours": {}}, "invalid_request", id="unknown-field"),
]


@pytest.mark.parametrize(("body", "code"), WEEKLY_REFUSALS)
async def test_bad_weekly_hours_are_refused_and_change_nothing(
    client: httpx.AsyncClient, sign_up, body: dict[str, Any], code: str
) -> None:
    ada = await sign_up("Ada")
    before = await snapshot(client, ada)
    response = await client.put(f"/v1/users/{ada.id}/weekly-hours", json=body, headers=ada.auth)
    assert_problem(response, 422, code)
    assert await snapshot(client, ada) == before


OVERRIDE_REFUSALS = [
    pytest.param(
        {"timezone": "Atlantis/Capital", "dates": {"2026-12-01": GOOD}},
        "invalid_request",
        id="unknown-zone",
    ),
    pytest.param(
        {"dates": {"2026-12-01": GOOD, "2026-12-02": [{"start": "09:00", "end": "09:20"}]}},
        "misaligned",
        id="misaligned",
    ),
    pytest.param(
        {"dates": {"2026-12-01": GOOD, "2026-12-02": [{"start": "12:00", "end": "11:00"}]}},
        "invalid_request",
        id="end-before-start",
    ),
    pytest.param(
        {"dates": {"2026-12-01": GOOD, "2026-02-30": GOOD}}, "invalid_request", id="no-such-date"
    ),
    pytest.param({"dates": {"2026-12-01": [{"start": "09:00"}]}}, "invalid_request", id="no-end"),
]


@pytest.mark.parametrize(("body", "code"), OVERRIDE_REFUSALS)
async def test_bad_date_overrides_are_refused_and_change_nothing(
    client: httpx.AsyncClient, sign_up, body: dict[str, Any], code: str
) -> None:
    ada = await sign_up("Ada")
    before = await snapshot(client, ada)
    response = await client.put(f"/v1/users/{ada.id}/availability", json=body, headers=ada.auth)
    assert_problem(response, 422, code)
    assert await snapshot(client, ada) == before


async def test_removing_overrides_backwards_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up("Ada")
    await client.put(
        f"/v1/users/{ada.id}/availability", json={"dates": {"2026-12-01": []}}, headers=ada.auth
    )
    before = await snapshot(client, ada)
    for params in ({"from": "2026-12-02", "to": "2026-12-01"}, {"from": "2026-12-01"}):
        response = await client.delete(
            f"/v1/users/{ada.id}/availability", params=params, headers=ada.auth
        )
        assert_problem(response, 422, "invalid_request")
    assert await snapshot(client, ada) == before


async def test_nobody_writes_another_persons_hours(client: httpx.AsyncClient, sign_up) -> None:
    ada, bob = await sign_up("Ada"), await sign_up("Bob")
    before = await snapshot(client, ada)
    writes = [
        client.put(
            f"/v1/users/{ada.id}/weekly-hours", json={"days": {"monday": GOOD}}, headers=bob.auth
        ),
        client.put(
            f"/v1/users/{ada.id}/availability", json={"dates": {"2026-12-01": []}}, headers=bob.auth
        ),
        client.delete(
            f"/v1/users/{ada.id}/availability",
            params={"from": "2026-12-01", "to": "2026-12-31"},
            headers=bob.auth,
        ),
    ]
    for write in writes:
        assert_problem(await write, 403, "forbidden")
    assert await snapshot(client, ada) == before


def authenticated_routes(ada: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("GET", f"/v1/users/{ada}/weekly-hours", {}),
        ("PUT", f"/v1/users/{ada}/weekly-hours", {"json": {"days": {}}}),
        ("PUT", f"/v1/users/{ada}/availability", {"json": {"dates": {"2026-12-01": []}}}),
        (
            "DELETE",
            f"/v1/users/{ada}/availability",
            {"params": {"from": "2026-12-01", "to": "2026-12-01"}},
        ),
        ("GET", f"/v1/users/{ada}/availability", {}),
        ("GET", f"/v1/users/{ada}/slots", {}),
        ("GET", "/v1/availability/common", {"params": {"users": f"{ada},{ada + 1}"}}),
    ]


async def test_no_token_or_an_unknown_one_is_401_everywhere_and_changes_nothing(
    client: httpx.AsyncClient, sign_up
) -> None:
    ada, bob = await sign_up("Ada"), await sign_up("Bob")
    before = await snapshot(client, ada)
    for method, path, extra in authenticated_routes(ada.id):
        for headers in (
            {},
            {"Authorization": "Bearer cnc_not-a-token"},
            {"Authorization": "Basic eDp5"},
        ):
            response = await client.request(method, path, headers=headers, **extra)
            assert_problem(response, 401, "unauthenticated")
            assert response.headers["www-authenticate"] == "Bearer"
    assert await snapshot(client, ada) == before
    assert bob.id == ada.id + 1


async def test_an_unknown_user_is_404(client: httpx.AsyncClient, sign_up, make_admin) -> None:
    ada, admin = await sign_up("Ada"), await make_admin()
    missing = 9999
    for method, path, extra in authenticated_routes(missing):
        if path.startswith("/v1/availability/common"):
            extra = {"params": {"users": f"{ada.id},{missing}"}}
        response = await client.request(method, path, headers=admin.auth, **extra)
        assert_problem(response, 404, "not_found")
        assert str(missing) in response.json()["detail"]


RANGE_REFUSALS = [
    pytest.param(
        {"from": "2026-12-01", "to": "2027-02-02"}, 422, "range_too_long", id="63-days-apart"
    ),
    pytest.param({"from": "2026-01-01", "to": "2026-12-31"}, 422, "range_too_long", id="a-year"),
    pytest.param(
        {"from": "2026-12-02", "to": "2026-12-01"}, 422, "invalid_request", id="end-before-start"
    ),
    pytest.param(
        {"from": "2026-12-01", "to": "2026-12-01", "tz": "Mars/Olympus"},
        422,
        "invalid_request",
        id="unknown-zone",
    ),
    pytest.param({"from": "01/12/2026"}, 422, "invalid_request", id="not-a-date"),
]


@pytest.mark.parametrize(("params", "status", "code"), RANGE_REFUSALS)
@pytest.mark.parametrize("route", ["availability", "slots", "common"])
async def test_bad_ranges_and_zones_are_refused(
    client: httpx.AsyncClient, sign_up, route: str, params: dict[str, str], status: int, code: str
) -> None:
    ada, bob = await sign_up("Ada"), await sign_up("Bob")
    path = {
        "availability": f"/v1/users/{ada.id}/availability",
        "slots": f"/v1/users/{ada.id}/slots",
        "common": "/v1/availability/common",
    }[route]
    extra = {"users": f"{ada.id},{bob.id}"} if route == "common" else {}
    response = await client.get(path, params={**params, **extra}, headers=bob.auth)
    assert_problem(response, status, code)


@pytest.mark.parametrize(
    ("duration", "code"),
    [
        ("20", "misaligned"),
        ("7", "misaligned"),
        ("0", "invalid_request"),
        ("-15", "invalid_request"),
        ("495", "invalid_request"),
        ("half", "invalid_request"),
    ],
)
async def test_a_slot_duration_is_a_positive_multiple_of_15_up_to_480(
    client: httpx.AsyncClient, sign_up, duration: str, code: str
) -> None:
    ada = await sign_up("Ada")
    response = await client.get(
        f"/v1/users/{ada.id}/slots", params={"duration": duration}, headers=ada.auth
    )
    assert_problem(response, 422, code)


async def test_eight_hour_slots_are_the_longest(client: httpx.AsyncClient, sign_up) -> None:
    ada = await sign_up("Ada")
    days = await slots(client, ada, ada, **{"from": "2026-12-01", "to": "2026-12-01"}, duration=480)
    assert days["2026-12-01"] == ["2026-12-01T09:00:00Z"]


@pytest.mark.parametrize(
    ("users", "code"),
    [
        pytest.param("{a}", "invalid_request", id="one-user"),
        pytest.param("{a},{a}", "invalid_request", id="twice-the-same"),
        pytest.param("{a},x", "invalid_request", id="not-an-id"),
        pytest.param("", "invalid_request", id="nobody"),
        pytest.param(
            ",".join(["{a}"] + [str(n) for n in range(1000, 1020)]),
            "invalid_request",
            id="21-users",
        ),
    ],
)
async def test_common_time_takes_two_to_twenty_distinct_users(
    client: httpx.AsyncClient, sign_up, users: str, code: str
) -> None:
    ada = await sign_up("Ada")
    response = await client.get(
        "/v1/availability/common", params={"users": users.format(a=ada.id)}, headers=ada.auth
    )
    assert_problem(response, 422, code)


async def test_common_time_for_twenty_users_works(client: httpx.AsyncClient, sign_up) -> None:
    people = [await sign_up(f"Person {n}") for n in range(20)]
    response = await client.get(
        "/v1/availability/common",
        params={
            "users": ",".join(str(p.id) for p in people),
            "from": "2026-12-01",
            "to": "2026-12-01",
        },
        headers=people[0].auth,
    )
    assert response.status_code == 200, response.text
    assert response.json()["days"]["2026-12-01"] == [
        {"start": "2026-12-01T09:00:00Z", "end": "2026-12-01T17:00:00Z"}
    ]


async def test_common_time_minimum_is_on_the_grid(client: httpx.AsyncClient, sign_up) -> None:
    ada, bob = await sign_up("Ada"), await sign_up("Bob")
    response = await client.get(
        "/v1/availability/common",
        params={"users": f"{ada.id},{bob.id}", "min_duration": 20},
        headers=ada.auth,
    )
    assert_problem(response, 422, "misaligned")
