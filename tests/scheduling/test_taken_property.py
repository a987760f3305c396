"""One definition of taken time: for random bookings (in any role, so just busy intervals here)
and random notice, every start the slots list offers is one booking accepts, and every grid
start it omits inside availability is one booking refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from concierge.reservations.service import fits
from concierge.scheduling import engine
from concierge.scheduling.engine import Interval, Schedule

UTC_ZONE = ZoneInfo("UTC")
STEP = timedelta(minutes=15)
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
DAY = Interval(MONDAY, MONDAY + timedelta(days=1))
GRID = engine.Grid(UTC_ZONE, STEP)

quarters = st.integers(min_value=0, max_value=95)
bookings = st.lists(
    st.tuples(quarters, st.integers(min_value=1, max_value=8)).map(
        lambda q: Interval(MONDAY + q[0] * STEP, MONDAY + (q[0] + q[1]) * STEP)
    ),
    max_size=8,
)
windows = st.lists(
    st.tuples(quarters, st.integers(min_value=1, max_value=32)).map(
        lambda w: (w[0] * 15, min(24 * 60, (w[0] + w[1]) * 15))
    ),
    min_size=1,
    max_size=3,
)


@settings(max_examples=200, deadline=None)
@given(
    hours=windows,
    busy=bookings,
    length=st.integers(min_value=1, max_value=6),
    notice=st.integers(min_value=0, max_value=96),
)
def test_offered_starts_are_bookable_and_omitted_ones_refused(
    hours: list[tuple[int, int]], busy: list[Interval], length: int, notice: int
) -> None:
    schedule = Schedule(UTC_ZONE, {0: tuple(sorted(hours))})
    duration = length * STEP
    earliest = MONDAY + notice * STEP
    offered = set(
        engine.free_slots(schedule, busy, DAY, duration, GRID, earliest, DAY.end + duration)
    )
    for quarter in range(96):
        start = MONDAY + quarter * STEP
        slot = Interval(start, start + duration)
        if not fits(schedule, slot) or start < earliest:
            assert start not in offered
            continue
        assert (start in offered) == engine.is_free(slot, busy), (start, busy)
