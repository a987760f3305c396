"""The incremental sync against the stand-in: what it stores, and what each cycle costs,
counted at the stand-in."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from concierge.clock import FrozenClock
from concierge.db import Database
from concierge.errors import ServiceUnavailable
from concierge.models import VenueGuest, VenueReservation, VenueSyncCycle
from tests.fixtures.resyos import assert_mirror_matches

pytestmark = pytest.mark.anyio


async def _count(db: Database, model: type, **where: object) -> int:
    async with db.unit_of_work(write=False) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


async def test_the_first_sync_mirrors_every_reservation_and_guest(db, resyos, syncer) -> None:
    stand_in = await resyos(reservations=300)
    sync = await syncer(stand_in, batch=50)
    report = await sync.cycle()
    state = await stand_in.state()
    await assert_mirror_matches(db, state)
    guests = len(state["users"])
    assert (report.listed, report.created, report.guests_added) == (300, 300, guests)
    assert await stand_in.requests() == {
        "auth": 1,
        "ids": 1,
        "reservations": 6,
        "users": math.ceil(guests / 50),
        "total": 8 + math.ceil(guests / 50),
    }
    assert report.requests == 8 + math.ceil(guests / 50)


async def test_a_quiet_cycle_costs_exactly_one_request(db, resyos, syncer) -> None:
    stand_in = await resyos(reservations=300)
    sync = await syncer(stand_in)
    await sync.cycle()
    await stand_in.reset_requests()
    for _ in range(3):
        report = await sync.cycle()
        assert report.requests == 1
    assert await stand_in.requests() == {
        "auth": 0, "ids": 3, "reservations": 0, "users": 0, "total": 3,
    }  # fmt: skip
    async with db.unit_of_work(write=False) as session:
        cycles = list(await session.scalars(select(VenueSyncCycle).order_by(VenueSyncCycle.id)))
    assert [(c.ok, c.requests, c.fetched) for c in cycles[1:]] == [(True, 1, 0)] * 3


@pytest.mark.parametrize(
    ("changed", "cancelled", "added", "new_guests"),
    [(1, 0, 0, 0), (10, 0, 0, 0), (11, 0, 0, 0), (0, 0, 0, 1), (4, 3, 2, 1), (17, 2, 3, 12)],
)
async def test_a_cycle_with_k_changed_and_u_new_guests_costs_1_plus_batches(
    db, resyos, syncer, changed: int, cancelled: int, added: int, new_guests: int
) -> None:
    batch = 10
    stand_in = await resyos(reservations=200)
    sync = await syncer(stand_in, batch=batch)
    await sync.cycle()
    await stand_in.change(changed=changed, cancelled=cancelled, added=added, new_guests=new_guests)
    await stand_in.reset_requests()
    report = await sync.cycle()
    k = changed + cancelled + added + new_guests
    expected = 1 + math.ceil(k / batch) + math.ceil(new_guests / batch)
    assert (await stand_in.requests())["total"] == expected
    assert report.requests == expected
    assert (report.fetched, report.created, report.updated) == (
        k,
        added + new_guests,
        k - added - new_guests,
    )
    assert (report.cancelled, report.guests_added) == (cancelled, new_guests)
    await assert_mirror_matches(db, await stand_in.state())


async def test_a_lapsed_venue_token_costs_one_more_request(
    db, resyos, syncer, clock: FrozenClock
) -> None:
    stand_in = await resyos(reservations=100, token_ttl=600)
    sync = await syncer(stand_in)
    await sync.cycle()
    await stand_in.reset_requests()
    clock.advance(seconds=590)  # inside the 30 s margin: refreshed before it is refused
    assert (await sync.cycle()).requests == 2
    assert (await sync.cycle()).requests == 1
    assert await stand_in.requests() == {
        "auth": 1, "ids": 2, "reservations": 0, "users": 0, "total": 3,
    }  # fmt: skip


async def test_a_token_revoked_early_is_refreshed_once_and_the_call_retried(
    db, resyos, syncer
) -> None:
    stand_in = await resyos(reservations=100)
    sync = await syncer(stand_in)
    await sync.cycle()
    await stand_in.expire_tokens()
    await stand_in.change(changed=2)
    await stand_in.reset_requests()
    report = await sync.cycle()
    # The refused ids call, the new token, the ids call again, one details batch.
    assert await stand_in.requests() == {
        "auth": 1, "ids": 2, "reservations": 1, "users": 0, "total": 4,
    }  # fmt: skip
    assert report.requests == 4
    await assert_mirror_matches(db, await stand_in.state())


async def test_after_a_restart_the_sync_resumes_from_the_database(db, resyos, syncer) -> None:
    stand_in = await resyos(reservations=300)
    sync = await syncer(stand_in)
    await sync.cycle()
    await stand_in.change(changed=3)
    sync = await sync.restart()
    await stand_in.reset_requests()
    await sync.cycle()
    # A new process needs a venue token; nothing unchanged is fetched again.
    assert await stand_in.requests() == {
        "auth": 1, "ids": 1, "reservations": 1, "users": 0, "total": 3,
    }  # fmt: skip
    await assert_mirror_matches(db, await stand_in.state())


async def test_a_first_sync_cut_short_keeps_its_batches_and_the_next_fetches_only_the_rest(
    db, resyos, syncer
) -> None:
    stand_in = await resyos(reservations=500)
    sync = await syncer(stand_in, batch=50, atomic_limit=100, retries=2)
    # The fifth details batch fails for good: the first four are committed already.
    await stand_in.fault(endpoint="reservations", status=500, after=4, times=1000)
    with pytest.raises(ServiceUnavailable, match="did not answer reservation details"):
        await sync.cycle()
    assert await _count(db, VenueReservation) == 200
    async with db.unit_of_work(write=False) as session:
        failed = await session.scalar(select(VenueSyncCycle))
    assert failed is not None
    assert (failed.ok, failed.mode, failed.created) == (False, "catch_up", 200)
    await stand_in.clear_faults()
    sync = await sync.restart()
    await stand_in.reset_requests()
    report = await sync.cycle()
    requests = await stand_in.requests()
    assert requests["reservations"] == 6  # the 300 not stored yet, and none of the 200
    assert report.created == 300
    await assert_mirror_matches(db, await stand_in.state())


async def test_an_incremental_cycle_that_fails_changes_nothing(db, resyos, syncer) -> None:
    stand_in = await resyos(reservations=200)
    sync = await syncer(stand_in, batch=10, retries=3)
    await sync.cycle()
    before = await stand_in.state()
    await stand_in.change(changed=15, new_guests=5, removed=2)
    await stand_in.fault(endpoint="users", status=503, times=1000)
    with pytest.raises(ServiceUnavailable, match="The next cycle will try again"):
        await sync.cycle()
    # Details were fetched, then guests failed: nothing of the cycle was written.
    await assert_mirror_matches(db, before)
    assert sync.sleeps
    assert all(b > a for a, b in zip(sync.sleeps, sync.sleeps[1:], strict=False))
    await stand_in.clear_faults()
    report = await sync.cycle()
    assert (report.fetched, report.guests_added, report.vanished) == (20, 5, 2)
    await assert_mirror_matches(db, await stand_in.state())


async def test_500s_and_timeouts_are_retried_with_backoff_and_the_mirror_stays_right(
    db, resyos, syncer
) -> None:
    stand_in = await resyos(reservations=120)
    sync = await syncer(stand_in, batch=50, timeout=0.3)
    await stand_in.fault(endpoint="ids", status=500, times=2)
    await stand_in.fault(endpoint="reservations", hang=1.5, times=1)
    await stand_in.fault(endpoint="users", status=502, times=1)
    report = await sync.cycle()
    await assert_mirror_matches(db, await stand_in.state())
    requests = await stand_in.requests()
    assert (requests["ids"], requests["reservations"]) == (3, 4)
    assert report.requests == requests["total"]
    # Exponential: 0.5 s, then 1 s (plus up to 0.25 s jitter each), and the same per call.
    assert sorted(sync.sleeps)[:2] == pytest.approx([0.5, 0.5], abs=0.25)
    assert max(sync.sleeps) == pytest.approx(1.0, abs=0.25)


async def test_cancelled_reservations_are_marked_and_kept(db, resyos, syncer) -> None:
    stand_in = await resyos(reservations=100)
    sync = await syncer(stand_in)
    await sync.cycle()
    touched = await stand_in.change(cancelled=3)
    report = await sync.cycle()
    assert report.cancelled == 3
    async with db.unit_of_work(write=False) as session:
        rows = list(
            await session.scalars(
                select(VenueReservation).where(VenueReservation.resyos_id.in_(touched["cancelled"]))
            )
        )
    assert sorted((r.state, r.is_cancelled) for r in rows) == [("cancelled", True)] * 3


async def test_a_reservation_gone_from_the_window_is_marked_vanished_never_deleted(
    db, resyos, syncer, clock: FrozenClock
) -> None:
    stand_in = await resyos(reservations=100)
    sync = await syncer(stand_in)
    await sync.cycle()
    touched = await stand_in.change(removed=2)
    report = await sync.cycle()
    assert report.vanished == 2
    async with db.unit_of_work(write=False) as session:
        gone = list(
            await session.scalars(
                select(VenueReservation).where(VenueReservation.resyos_id.in_(touched["removed"]))
            )
        )
    assert [(r.state, r.vanished_at) for r in gone] == [("vanished", clock.now())] * 2
    assert await _count(db, VenueReservation) == 100
    assert (await sync.cycle()).vanished == 0


async def test_reservations_the_window_left_behind_are_not_vanished(
    db, resyos, syncer, clock: FrozenClock
) -> None:
    stand_in = await resyos(reservations=200)
    sync = await syncer(stand_in, days_back=30, days_ahead=180)
    await sync.cycle()
    clock.advance(days=10)
    report = await sync.cycle()
    assert report.listed < 200  # the oldest days fell out of the window...
    assert report.vanished == 0  # ...which no longer covers them: not vanished
    assert await _count(db, VenueReservation, state="vanished") == 0


async def test_a_guest_resyos_does_not_return_is_asked_about_once(db, resyos, syncer) -> None:
    stand_in = await resyos(reservations=50)
    lost = next(iter(stand_in.book.users))
    del stand_in.book.users[lost]
    sync = await syncer(stand_in)
    await sync.cycle()
    async with db.unit_of_work(write=False) as session:
        row = await session.get(VenueGuest, ("9001", lost))
    assert row is not None
    assert (row.raw, row.first_name) == (None, None)
    await stand_in.reset_requests()
    assert (await sync.cycle()).requests == 1


async def test_a_wrong_long_lived_token_fails_the_cycle_with_a_way_out(db, resyos, syncer) -> None:
    stand_in = await resyos(reservations=20, long_lived_token="another-token")
    sync = await syncer(stand_in)
    with pytest.raises(ServiceUnavailable, match="CONCIERGE_RESYOS_TOKEN") as caught:
        await sync.cycle()
    assert "sandbox-long-lived-token" not in caught.value.detail
    assert await _count(db, VenueSyncCycle, ok=False) == 1
    assert await _count(db, VenueReservation) == 0


async def test_the_window_is_whole_local_days(clock: FrozenClock) -> None:
    from zoneinfo import ZoneInfo

    from concierge.venue_sync.plan import SyncConfig, window

    span = window(
        clock.now(), SyncConfig("1", ZoneInfo("America/New_York"), days_back=1, days_ahead=2)
    )
    assert (span.start_local.isoformat(), span.end_local.isoformat()) == (
        "2026-11-22T00:00:00",
        "2026-11-25T23:59:59",
    )
    assert span.end - span.start == timedelta(days=4, seconds=-1)


async def test_a_vanished_reservation_that_comes_back_is_restored(db, resyos, syncer) -> None:
    stand_in = await resyos(reservations=60)
    sync = await syncer(stand_in)
    await sync.cycle()
    rid = next(r for r, v in stand_in.book.book.items() if not v["specs"]["is_cancelled"])
    kept = stand_in.book.book.pop(rid)
    assert (await sync.cycle()).vanished == 1
    stand_in.book.book[rid] = kept  # back, unchanged: its details are not fetched again
    await stand_in.reset_requests()
    report = await sync.cycle()
    assert (report.reappeared, report.fetched, report.requests) == (1, 0, 1)
    await assert_mirror_matches(db, await stand_in.state())


async def test_only_a_catch_up_reports_progress_batch_by_batch(db, resyos, syncer) -> None:
    from concierge.venue_sync.service import run_cycle

    stand_in = await resyos(reservations=120)
    sync = await syncer(stand_in, batch=50, atomic_limit=100)
    seen: list[tuple[str, int, int]] = []
    report = await run_cycle(
        sync.db, sync.client, sync.config, sync.clock, progress=lambda *a: seen.append(a)
    )
    guests = report.guests_added
    assert report.mode == "catch_up"
    assert seen[:3] == [
        ("reservations", 50, 120),
        ("reservations", 100, 120),
        ("reservations", 120, 120),
    ]
    assert seen[-1] == ("guests", guests, guests)
    await stand_in.change(changed=5)
    seen.clear()
    report = await run_cycle(
        sync.db, sync.client, sync.config, sync.clock, progress=lambda *a: seen.append(a)
    )
    assert (report.mode, seen) == ("incremental", [])


async def test_the_cycle_log_keeps_a_month(db, resyos, syncer, clock: FrozenClock) -> None:
    stand_in = await resyos(reservations=10)
    sync = await syncer(stand_in)
    await sync.cycle()
    clock.advance(days=20)
    await sync.cycle()
    clock.advance(days=11)
    await sync.cycle()
    async with db.unit_of_work(write=False) as session:
        kept = list(
            await session.scalars(select(VenueSyncCycle.started_at).order_by(VenueSyncCycle.id))
        )
    assert kept == [clock.now() - timedelta(days=11), clock.now()]


async def test_each_cycle_reports_its_request_count_to_metrics(db, resyos, syncer) -> None:
    from prometheus_client import REGISTRY

    def sample(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    stand_in = await resyos(reservations=120)
    sync = await syncer(stand_in, batch=50, retries=0)
    cycles = sample("concierge_venue_sync_requests_per_cycle_count")
    spent = sample("concierge_venue_sync_requests_per_cycle_sum")
    first = await sync.cycle()
    quiet = await sync.cycle()
    assert sample("concierge_venue_sync_requests_per_cycle_count") == cycles + 2
    assert sample("concierge_venue_sync_requests_per_cycle_sum") == (
        spent + first.requests + quiet.requests
    )
    assert quiet.requests == 1

    failed = sample("concierge_venue_sync_cycles_total", outcome="error")
    await stand_in.fault(endpoint="ids", status=503, times=1000)
    with pytest.raises(ServiceUnavailable):
        await sync.cycle()
    assert sample("concierge_venue_sync_cycles_total", outcome="error") == failed + 1
