"""How long a free-slots answer stands by the clock alone: the promise the slots cache keeps.

``slots_stand_until`` says from which instant ``free_slots`` over the same schedule and bookings
may answer differently. Checked against the engine itself: at any instant before it, computing
the answer again gives exactly the same starts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from concierge.scheduling.engine import (
    FOREVER,
    Grid,
    Interval,
    Schedule,
    free_slots,
    local_range,
    slots_stand_until,
)

QUARTER = timedelta(minutes=15)
MICRO = timedelta(microseconds=1)
FIRST = date(2026, 3, 7)  # New York springs forward on the 8th
BASE = datetime(2026, 3, 6, tzinfo=UTC)
ZONES = [ZoneInfo(name) for name in ("UTC", "America/New_York", "Asia/Kathmandu")]


class Booking:
    def __init__(self, span: Interval, lapses: datetime | None) -> None:
        self.span, self.lapses = span, lapses


def answer(
    schedule: Schedule,
    bookings: list[Booking],
    span: Interval,
    duration: timedelta,
    grid: Grid,
    now: datetime,
    notice: timedelta,
    horizon: timedelta,
) -> list[datetime]:
    """What the slots route computes at ``now``: holds count until they lapse."""
    busy = [b.span for b in bookings if b.lapses is None or b.lapses > now]
    return free_slots(
        schedule, busy, span, duration, grid, earliest=now + notice, before=now + horizon
    )


quarter_hours = st.integers(0, 96)
windows = st.lists(
    st.tuples(quarter_hours, quarter_hours)
    .filter(lambda pair: pair[0] != pair[1])
    .map(lambda pair: (min(pair) * 15, max(pair) * 15)),
    min_size=1,
    max_size=3,
).map(lambda pairs: tuple(sorted(pairs)))
minutes_ahead = st.integers(0, 5 * 24 * 60)


@st.composite
def bookings(draw: st.DrawFn, now: datetime) -> Booking:
    """A confirmed booking or a hold, around the dates asked for; holds lapse soon after
    ``now`` or already have."""
    start = BASE + draw(minutes_ahead) * timedelta(minutes=1)
    end = start + draw(st.integers(1, 180)) * timedelta(minutes=1)
    lapses = draw(st.none() | st.integers(-60, 24 * 60).map(lambda m: now + timedelta(minutes=m)))
    return Booking(Interval(start, end), lapses)


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    weekly=st.dictionaries(st.integers(0, 6), windows, min_size=5),
    data=st.data(),
    days=st.integers(1, 3),
    duration=st.sampled_from([15, 30, 60]),
    now_minute=minutes_ahead,
    now_seconds=st.integers(0, 59),
    notice_minutes=st.integers(0, 24 * 60),
    horizon_days=st.integers(1, 6),
    later=st.lists(st.floats(0, 1), min_size=1, max_size=5),
)
def test_the_answer_stands_exactly_until_the_instant_it_names(
    zone: ZoneInfo,
    weekly: dict[int, tuple[tuple[int, int], ...]],
    data: st.DataObject,
    days: int,
    duration: int,
    now_minute: int,
    now_seconds: int,
    notice_minutes: int,
    horizon_days: int,
    later: list[float],
) -> None:
    schedule = Schedule(zone, weekly)
    span = local_range(FIRST, FIRST + timedelta(days=days - 1), zone)
    grid = Grid(zone, QUARTER)
    now = BASE + timedelta(minutes=now_minute, seconds=now_seconds)
    booked = data.draw(st.lists(bookings(now), max_size=8))
    notice, horizon = timedelta(minutes=notice_minutes), timedelta(days=horizon_days)
    length = timedelta(minutes=duration)

    def at(instant: datetime) -> list[datetime]:
        return answer(schedule, booked, span, length, grid, instant, notice, horizon)

    starts = at(now)
    live_holds = [b.lapses for b in booked if b.lapses is not None and b.lapses > now]
    until = slots_stand_until(
        starts, span, grid, now=now, notice=notice, horizon=horizon, lapses=live_holds
    )
    assert until > now
    # Every instant before ``until`` (within a week, past which nothing here changes).
    last = min(until - MICRO, now + timedelta(days=7))
    probes = [now, last, *(now + (last - now) * fraction for fraction in later)]
    for instant in probes:
        assert at(instant) == starts, f"changed at {instant} though it stands until {until}"


def test_the_first_start_leaves_the_answer_when_it_falls_inside_the_notice() -> None:
    zone = ZoneInfo("UTC")
    schedule = Schedule(zone, {day: ((540, 600),) for day in range(7)})  # 09:00-10:00 daily
    span = local_range(FIRST, FIRST, zone)
    now = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
    notice = timedelta(hours=24)
    starts = free_slots(
        schedule, [], span, QUARTER, Grid(zone, QUARTER), now + notice, now + timedelta(days=9)
    )
    assert starts[0] == datetime(2026, 3, 7, 9, 0, tzinfo=UTC)
    until = slots_stand_until(
        starts, span, Grid(zone, QUARTER), now=now, notice=notice, horizon=timedelta(days=9)
    )
    # At 09:00 on the 6th the 09:00 start of the 7th is still exactly 24 hours ahead.
    assert until == datetime(2026, 3, 6, 9, 0, tzinfo=UTC) + MICRO


def test_a_lapsing_hold_and_the_horizon_bound_the_answer_too() -> None:
    zone = ZoneInfo("UTC")
    span = local_range(FIRST, FIRST, zone)
    now = datetime(2026, 3, 6, 10, 7, tzinfo=UTC)
    lapse = datetime(2026, 3, 6, 10, 37, tzinfo=UTC)
    grid = Grid(zone, QUARTER)
    # The horizon ends inside the range: the next grid line there is 10:15 on the 7th.
    horizon = timedelta(days=1)
    assert (
        slots_stand_until([], span, grid, now=now, notice=timedelta(0), horizon=horizon)
        == datetime(2026, 3, 6, 10, 15, tzinfo=UTC) + MICRO
    )
    assert (
        slots_stand_until(
            [], span, grid, now=now, notice=timedelta(0), horizon=horizon, lapses=[lapse]
        )
        == datetime(2026, 3, 6, 10, 15, tzinfo=UTC) + MICRO
    )
    far = timedelta(days=60)
    assert (
        slots_stand_until([], span, grid, now=now, notice=timedelta(0), horizon=far, lapses=[lapse])
        == lapse
    )
    assert slots_stand_until([], span, grid, now=now, notice=timedelta(0), horizon=far) == FOREVER
