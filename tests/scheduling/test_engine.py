"""The pure engine, specified two ways: properties checked against a brute-force model that
counts minutes, and the calendars of real DST change days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import accumulate, pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from concierge.scheduling.engine import (
    DayWindows,
    Grid,
    Interval,
    Schedule,
    availability,
    availability_between,
    ceil_to_grid,
    clip,
    common_free,
    common_free_time,
    covers,
    day_span,
    free_slots,
    free_time,
    intersect,
    intersect_all,
    intervals_by_day,
    intervals_by_start_day,
    local_range,
    merge,
    on_grid,
    slot_starts,
    starts_by_day,
    subtract,
    wall_time,
)

# Enough examples to find the corner cases, few enough to keep the suite quick.
bounded = settings(max_examples=150, deadline=None)

MINUTE = timedelta(minutes=1)
QUARTER = timedelta(minutes=15)
# Half an hour before New York springs forward, so random spans often cross a change.
BASE = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
HORIZON = 720  # minutes after BASE that random intervals live in

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")  # +05:30
KATHMANDU = ZoneInfo("Asia/Kathmandu")  # +05:45
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # changes by half an hour
ZONES = [ZoneInfo("UTC"), NEW_YORK, LONDON, KOLKATA, KATHMANDU, LORD_HOWE]


def at(minute: int) -> datetime:
    return BASE + minute * MINUTE


def minute_of(instant: datetime) -> int:
    return (instant - BASE) // MINUTE


def minutes(intervals: list[Interval]) -> set[int]:
    """The brute-force model: an interval list is the set of minutes it covers."""
    return {m for start, end in intervals for m in range(minute_of(start), minute_of(end))}


def runs(covered: set[int]) -> list[Interval]:
    """Maximal runs of consecutive minutes, as intervals."""
    result: list[Interval] = []
    for m in sorted(covered):
        if result and minute_of(result[-1].end) == m:
            result[-1] = Interval(result[-1].start, at(m + 1))
        else:
            result.append(Interval(at(m), at(m + 1)))
    return result


def assert_normalised(intervals: list[Interval]) -> None:
    """Sorted, non-empty, and separated: no two intervals overlap or even touch."""
    for start, end in intervals:
        assert start < end
    for before, after in pairwise(intervals):
        assert before.end < after.start


def wall_reading(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


# Intervals on the minute, possibly empty, overlapping, touching and out of order.
raw = st.lists(
    st.tuples(st.integers(0, HORIZON), st.integers(0, HORIZON)).map(
        lambda pair: Interval(at(min(pair)), at(max(pair)))
    ),
    max_size=10,
)
normalised = raw.map(merge)


# ------------------------------------------------------------------------------ interval algebra


@bounded
@given(raw)
def test_merge_covers_exactly_the_union_in_normal_form(intervals: list[Interval]) -> None:
    merged = merge(intervals)
    assert_normalised(merged)
    assert minutes(merged) == minutes(intervals)


@bounded
@given(raw)
def test_merge_is_idempotent(intervals: list[Interval]) -> None:
    assert merge(merge(intervals)) == merge(intervals)


@bounded
@given(raw, st.randoms(use_true_random=False))
def test_merge_ignores_order(intervals: list[Interval], rng: object) -> None:
    shuffled = list(intervals)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert merge(shuffled) == merge(intervals)


@bounded
@given(normalised, normalised)
def test_subtract_is_set_difference(base: list[Interval], cuts: list[Interval]) -> None:
    result = subtract(base, cuts)
    assert_normalised(result)
    assert minutes(result) == minutes(base) - minutes(cuts)


@bounded
@given(normalised, normalised)
def test_intersect_is_set_intersection(a: list[Interval], b: list[Interval]) -> None:
    result = intersect(a, b)
    assert_normalised(result)
    assert minutes(result) == minutes(a) & minutes(b)
    assert intersect(b, a) == result


@bounded
@given(st.lists(normalised, min_size=1, max_size=5))
def test_intersect_all_is_the_common_part_of_every_list(calendars: list[list[Interval]]) -> None:
    result = intersect_all(calendars)
    assert_normalised(result)
    assert minutes(result) == set.intersection(*(minutes(c) for c in calendars))


@bounded
@given(normalised, st.integers(0, HORIZON), st.integers(0, HORIZON))
def test_clip_keeps_only_the_window(intervals: list[Interval], a: int, b: int) -> None:
    window = Interval(at(min(a, b)), at(max(a, b)))
    assert minutes(clip(intervals, window)) == minutes(intervals) & minutes([window])


@bounded
@given(normalised, st.integers(0, HORIZON - 1), st.integers(1, 120))
def test_covers_means_every_minute_is_inside(
    intervals: list[Interval], start: int, length: int
) -> None:
    span = Interval(at(start), at(start + length))
    assert covers(intervals, span) == (minutes([span]) <= minutes(intervals))


# ------------------------------------------------------------------------------ slots


def brute_slot_starts(
    free: set[int], duration: int, zone: ZoneInfo, step: int, earliest: datetime, before: datetime
) -> list[datetime]:
    """Every minute whose wall clock reads a multiple of ``step`` and from which ``duration``
    free minutes follow, ``earliest <= start < before``."""
    covered = [1 if m in free else 0 for m in range(HORIZON)]
    prefix = [0, *accumulate(covered)]
    found = []
    for m in range(HORIZON - duration + 1):
        start = at(m)
        reading = wall_reading(start, zone)
        if (reading.hour * 60 + reading.minute) % step:
            continue
        if earliest <= start < before and prefix[m + duration] - prefix[m] == duration:
            found.append(start)
    return found


@bounded
@given(
    available=raw,
    busy=raw,
    duration=st.sampled_from([15, 30, 45, 60, 90]),
    zone=st.sampled_from(ZONES),
    step=st.sampled_from([15, 30, 60]),
    earliest=st.integers(0, HORIZON),
    earliest_seconds=st.integers(0, 59),
    before=st.integers(0, HORIZON + 60),
)
def test_slots_are_every_free_grid_start_and_nothing_else(
    available: list[Interval],
    busy: list[Interval],
    duration: int,
    zone: ZoneInfo,
    step: int,
    earliest: int,
    earliest_seconds: int,
    before: int,
) -> None:
    first = at(earliest) + timedelta(seconds=earliest_seconds)
    starts = slot_starts(
        free_time(available, busy),
        timedelta(minutes=duration),
        zone,
        timedelta(minutes=step),
        earliest=first,
        before=at(before),
    )
    length = timedelta(minutes=duration)
    for start in starts:
        slot = Interval(start, start + length)
        assert covers(merge(available), slot), "a slot leaves the availability"
        assert not any(b.start < slot.end and slot.start < b.end for b in busy), (
            "overlaps a booking"
        )
        assert on_grid(start, zone, timedelta(minutes=step))
        assert first <= start < at(before)
    assert starts == sorted(set(starts)), "in order, each once"
    free = minutes(available) - minutes(busy)
    assert starts == brute_slot_starts(free, duration, zone, step, first, at(before))


@bounded
@given(st.sampled_from(ZONES), st.integers(0, 10 * 24 * 60), st.sampled_from([15, 30, 60]))
def test_the_grid_is_the_wall_clock_of_the_zone(zone: ZoneInfo, minute: int, step: int) -> None:
    instant = datetime(2026, 10, 20, tzinfo=UTC) + minute * MINUTE
    line = ceil_to_grid(instant, zone, timedelta(minutes=step))
    reading = wall_reading(line, zone)
    assert (reading.hour * 60 + reading.minute) % step == 0
    assert reading.second == 0
    assert instant <= line < instant + timedelta(minutes=step)


@pytest.mark.parametrize(
    ("zone", "step", "utc_minutes"),
    [
        (KOLKATA, 15, [30, 45, 0, 15]),
        (KOLKATA, 60, [30]),
        (KATHMANDU, 15, [15, 30, 45, 0]),
        (KATHMANDU, 60, [15]),
        (KATHMANDU, 30, [15, 45]),
    ],
)
def test_slots_in_half_and_quarter_hour_zones_start_on_their_local_grid(
    zone: ZoneInfo, step: int, utc_minutes: list[int]
) -> None:
    day = date(2026, 12, 1)
    schedule = Schedule(zone, {day.weekday(): ((9 * 60, 10 * 60),)})
    starts = free_slots(
        schedule,
        [],
        local_range(day, day, zone),
        timedelta(minutes=15),
        Grid(zone, timedelta(minutes=step)),
        earliest=datetime(2026, 11, 1, tzinfo=UTC),
        before=datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert [s.minute for s in starts] == utc_minutes
    assert wall_reading(starts[0], zone).time().isoformat() == "09:00:00"


def test_a_slot_may_run_past_the_end_of_the_range_asked_for() -> None:
    day = date(2026, 12, 1)
    late_evening = Schedule(
        LONDON, {day.weekday(): ((23 * 60, 24 * 60),), day.weekday() + 1: ((0, 60),)}
    )
    starts = free_slots(
        late_evening,
        [Interval(datetime(2026, 12, 2, 0, 30, tzinfo=UTC), datetime(2026, 12, 2, 1, tzinfo=UTC))],
        local_range(day, day, LONDON),
        timedelta(minutes=60),
        Grid(LONDON, QUARTER),
        earliest=datetime(2026, 11, 1, tzinfo=UTC),
        before=datetime(2027, 1, 1, tzinfo=UTC),
    )
    # Free 23:00-00:30: one-hour slots start 23:00 to 23:30; none starts on the 2nd.
    assert [s.strftime("%H:%M") for s in starts] == ["23:00", "23:15", "23:30"]


def test_notice_and_horizon_bound_the_starts() -> None:
    day = date(2026, 12, 1)
    schedule = Schedule(ZoneInfo("UTC"), {day.weekday(): ((9 * 60, 12 * 60),)})
    starts = free_slots(
        schedule,
        [],
        local_range(day, day, ZoneInfo("UTC")),
        timedelta(minutes=30),
        Grid(ZoneInfo("UTC"), QUARTER),
        earliest=datetime(2026, 12, 1, 9, 40, tzinfo=UTC),
        before=datetime(2026, 12, 1, 10, 30, tzinfo=UTC),
    )
    assert [s.strftime("%H:%M") for s in starts] == ["09:45", "10:00", "10:15"]


# ------------------------------------------------------------------------ common free time


@bounded
@given(
    st.lists(st.tuples(raw, raw), min_size=2, max_size=5),
    st.sampled_from([0, 15, 30, 60]),
    st.randoms(use_true_random=False),
)
def test_common_free_time_is_inside_everyone_and_maximal(
    calendars: list[tuple[list[Interval], list[Interval]]], min_duration: int, rng: object
) -> None:
    free = [free_time(available, busy) for available, busy in calendars]
    common = common_free(free, timedelta(minutes=min_duration))
    assert_normalised(common)
    for interval in common:
        assert interval.duration >= timedelta(minutes=min_duration)
        for calendar in free:
            assert covers(calendar, interval), "common time outside someone's free time"
    everyone = set.intersection(
        *(minutes(available) - minutes(busy) for available, busy in calendars)
    )
    long_enough = [r for r in runs(everyone) if r.duration >= timedelta(minutes=min_duration)]
    assert common == long_enough, "a free minute common to all is left out, or cut short"
    rng.shuffle(free)  # type: ignore[attr-defined]
    assert common_free(free, timedelta(minutes=min_duration)) == common


def test_common_free_time_of_schedules_in_different_zones() -> None:
    day = date(2026, 12, 1)
    london = Schedule(LONDON, {day.weekday(): ((9 * 60, 17 * 60),)})
    new_york = Schedule(NEW_YORK, {day.weekday(): ((9 * 60, 17 * 60),)})
    lunch = Interval(
        datetime(2026, 12, 1, 15, tzinfo=UTC), datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    )
    hour = timedelta(minutes=60)
    common = common_free_time(
        [(london, []), (new_york, [lunch])], local_range(day, day, ZoneInfo("UTC")), hour
    )
    # London 09-17 is 09-17 UTC; New York 09-17 is 14-22 UTC; minus New York's 15:00 lunch.
    # The first piece is exactly the minimum asked for, and is kept.
    assert [(i.start.strftime("%H:%M"), i.end.strftime("%H:%M")) for i in common] == [
        ("14:00", "15:00"),
        ("15:30", "17:00"),
    ]


# --------------------------------------------------------------------- wall clock and DST days

SANTIAGO, APIA = ZoneInfo("America/Santiago"), ZoneInfo("Pacific/Apia")
CHANGE_DAYS = [
    (NEW_YORK, date(2026, 3, 8)),  # springs forward at 02:00
    (NEW_YORK, date(2026, 11, 1)),  # falls back at 02:00
    (LONDON, date(2026, 3, 29)),  # springs forward at 01:00
    (LONDON, date(2026, 10, 25)),  # falls back at 02:00
    (LORD_HOWE, date(2026, 4, 5)),  # falls back half an hour
    (LORD_HOWE, date(2026, 10, 4)),  # springs forward half an hour
    (SANTIAGO, date(2026, 9, 6)),  # springs forward at midnight
    (APIA, date(2011, 12, 30)),  # skipped the whole day
]
# A change day, or the day either side of it.
near_changes = st.tuples(st.sampled_from(CHANGE_DAYS), st.sampled_from([0, 0, 0, -1, 1])).map(
    lambda pick: (pick[0][0], pick[0][1] + timedelta(days=pick[1]))
)
# Clocks change in the small hours: lean there.
clock_minutes = st.one_of(st.integers(0, 4 * 60), st.integers(0, 1440))


@bounded
@given(near_changes, clock_minutes)
def test_wall_time_is_the_first_instant_the_clock_reads_that_time(
    change: tuple[ZoneInfo, date], minute: int
) -> None:
    zone, day = change
    wanted = datetime.combine(day, datetime.min.time()) + minute * MINUTE
    instant = wall_time(day, minute, zone)
    assert wall_reading(instant, zone) >= wanted
    assert wall_reading(instant - timedelta(seconds=1), zone) < wanted


@bounded
@given(near_changes, clock_minutes, st.integers(0, 60))
@example(change=(NEW_YORK, date(2026, 3, 8)), minute=150, later_by=30)  # 02:30 vs 03:00
def test_wall_time_never_runs_backwards(
    change: tuple[ZoneInfo, date], minute: int, later_by: int
) -> None:
    zone, day = change
    later = min(minute + later_by, 1440)
    assert wall_time(day, minute, zone) <= wall_time(day, later, zone)


def slots_of_day(zone: ZoneInfo, day: date, start: int, end: int) -> list[datetime]:
    schedule = Schedule(zone, overrides={day: DayWindows(zone, ((start, end),))})
    return free_slots(
        schedule,
        [],
        local_range(day, day, zone),
        QUARTER,
        Grid(zone, QUARTER),
        earliest=datetime(2000, 1, 1, tzinfo=UTC),
        before=datetime(2100, 1, 1, tzinfo=UTC),
    )


def readings(starts: list[datetime], zone: ZoneInfo) -> list[str]:
    return [s.astimezone(zone).strftime("%H:%M%z") for s in starts]


CHANGES = [
    pytest.param(NEW_YORK, date(2026, 3, 8), id="new-york-spring"),
    pytest.param(NEW_YORK, date(2026, 11, 1), id="new-york-autumn"),
    pytest.param(LONDON, date(2026, 3, 29), id="london-spring"),
    pytest.param(LONDON, date(2026, 10, 25), id="london-autumn"),
]


@pytest.mark.parametrize(("zone", "day"), CHANGES)
def test_a_nine_to_five_day_is_eight_hours_on_change_days(zone: ZoneInfo, day: date) -> None:
    (window,) = availability(Schedule(zone, {day.weekday(): ((9 * 60, 17 * 60),)}), day, day)
    assert window.duration == timedelta(hours=8)
    starts = slots_of_day(zone, day, 9 * 60, 17 * 60)
    assert len(starts) == 32
    assert [s.astimezone(zone).strftime("%H:%M") for s in starts[:2]] == ["09:00", "09:15"]
    assert starts[-1].astimezone(zone).strftime("%H:%M") == "16:45"


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        pytest.param(NEW_YORK, date(2026, 3, 8), 23, id="new-york-spring"),
        pytest.param(NEW_YORK, date(2026, 11, 1), 25, id="new-york-autumn"),
        pytest.param(LONDON, date(2026, 3, 29), 23, id="london-spring"),
        pytest.param(LONDON, date(2026, 10, 25), 25, id="london-autumn"),
    ],
)
def test_a_whole_change_day_is_as_long_as_it_really_is(
    zone: ZoneInfo, day: date, hours: int
) -> None:
    assert day_span(day, zone).duration == timedelta(hours=hours)
    assert len(slots_of_day(zone, day, 0, 24 * 60)) == hours * 4


def test_one_to_three_on_new_yorks_spring_night_is_the_hour_that_passes() -> None:
    starts = slots_of_day(NEW_YORK, date(2026, 3, 8), 60, 180)
    assert readings(starts, NEW_YORK) == ["01:00-0500", "01:15-0500", "01:30-0500", "01:45-0500"]


def test_one_to_three_on_new_yorks_autumn_night_has_the_hour_twice() -> None:
    starts = slots_of_day(NEW_YORK, date(2026, 11, 1), 60, 180)
    assert len(starts) == 12
    assert readings(starts, NEW_YORK)[:5] == [
        "01:00-0400",
        "01:15-0400",
        "01:30-0400",
        "01:45-0400",
        "01:00-0500",
    ]
    assert readings(starts, NEW_YORK)[-1] == "02:45-0500"


def test_one_to_three_on_londons_spring_night_starts_when_the_clocks_jump() -> None:
    starts = slots_of_day(LONDON, date(2026, 3, 29), 60, 180)
    assert readings(starts, LONDON) == ["02:00+0100", "02:15+0100", "02:30+0100", "02:45+0100"]


def test_one_to_three_on_londons_autumn_night_is_three_hours() -> None:
    starts = slots_of_day(LONDON, date(2026, 10, 25), 60, 180)
    assert len(starts) == 12
    assert readings(starts, LONDON)[4] == "01:00+0000"


def test_a_window_inside_the_skipped_hour_is_empty_and_one_across_it_starts_after() -> None:
    assert slots_of_day(NEW_YORK, date(2026, 3, 8), 2 * 60, 3 * 60) == []
    across = slots_of_day(NEW_YORK, date(2026, 3, 8), 2 * 60 + 30, 3 * 60 + 30)
    assert readings(across, NEW_YORK) == ["03:00-0400", "03:15-0400"]


def test_half_hour_changes_keep_an_hourly_grid_on_the_wall_clock() -> None:
    day = date(2026, 4, 5)  # Lord Howe: 02:00 (+11:00) becomes 01:30 (+10:30)
    schedule = Schedule(LORD_HOWE, {day.weekday(): ((0, 6 * 60),)})
    starts = free_slots(
        schedule,
        [],
        local_range(day, day, LORD_HOWE),
        timedelta(minutes=60),
        Grid(LORD_HOWE, timedelta(minutes=60)),
        earliest=datetime(2026, 1, 1, tzinfo=UTC),
        before=datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert readings(starts, LORD_HOWE) == [
        "00:00+1100",
        "01:00+1100",
        "02:00+1030",
        "03:00+1030",
        "04:00+1030",
        "05:00+1030",
    ]


# ------------------------------------------------------------------------ rules and grouping


def test_an_override_replaces_the_weekly_hours_of_its_date_only() -> None:
    monday, tuesday = date(2026, 11, 30), date(2026, 12, 1)
    tokyo = ZoneInfo("Asia/Tokyo")
    schedule = Schedule(
        LONDON,
        {0: ((9 * 60, 17 * 60),), 1: ((9 * 60, 17 * 60),)},
        {monday: DayWindows(LONDON, ()), tuesday: DayWindows(tokyo, ((18 * 60, 19 * 60),))},
    )
    (window,) = availability(schedule, monday, tuesday)
    # The Tuesday override is in Tokyo: 18:00-19:00 there is 09:00-10:00 UTC.
    assert window == Interval(
        datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 1, 10, tzinfo=UTC)
    )


def test_an_override_in_a_far_zone_reaches_into_the_days_asked_for() -> None:
    # Kiritimati is UTC+14 and Niue UTC-11: a Niue evening two dates earlier is a Kiritimati
    # morning, and a Kiritimati morning two dates later is a Niue evening.
    kiritimati, niue = ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Niue")
    day = date(2026, 12, 10)
    early = day - timedelta(days=2)
    schedule = Schedule(kiritimati, overrides={early: DayWindows(niue, ((23 * 60, 24 * 60),))})
    assert availability_between(schedule, local_range(day, day, kiritimati)) == [
        Interval(datetime(2026, 12, 9, 10, tzinfo=UTC), datetime(2026, 12, 9, 11, tzinfo=UTC))
    ]
    late = day + timedelta(days=2)
    schedule = Schedule(niue, overrides={late: DayWindows(kiritimati, ((0, 60),))})
    assert availability_between(schedule, local_range(day, day, niue)) == [
        Interval(datetime(2026, 12, 11, 10, tzinfo=UTC), datetime(2026, 12, 11, 11, tzinfo=UTC))
    ]


@bounded
@given(normalised, st.sampled_from(ZONES))
def test_cutting_by_day_keeps_every_minute_under_its_local_date(
    intervals: list[Interval], zone: ZoneInfo
) -> None:
    by_day = intervals_by_day(intervals, zone)
    pieces = [piece for day_pieces in by_day.values() for piece in day_pieces]
    assert minutes(pieces) == minutes(intervals)
    for day, day_pieces in by_day.items():
        for piece in day_pieces:
            assert day_span(day, zone).start <= piece.start
            assert piece.end <= day_span(day, zone).end


@bounded
@given(normalised, st.sampled_from(ZONES))
def test_whole_intervals_are_filed_under_the_date_they_start(
    intervals: list[Interval], zone: ZoneInfo
) -> None:
    by_day = intervals_by_start_day(intervals, zone)
    assert sorted(i for pieces in by_day.values() for i in pieces) == intervals
    for day, pieces in by_day.items():
        assert all(piece.start.astimezone(zone).date() == day for piece in pieces)


@bounded
@given(st.lists(st.integers(0, 3 * 24 * 60)), st.sampled_from(ZONES), st.booleans())
@example(offsets=[23 * 60 + 45, 24 * 60], zone=ZoneInfo("UTC"), in_order=True)
def test_starts_are_filed_under_their_local_date_in_order(
    offsets: list[int], zone: ZoneInfo, in_order: bool
) -> None:
    # Around London's autumn change, so one of the days is 25 hours long.
    starts = [datetime(2026, 10, 24, tzinfo=UTC) + m * MINUTE for m in offsets]
    if in_order:
        starts.sort()
    expected: dict[date, list[datetime]] = {}
    for start in starts:
        expected.setdefault(start.astimezone(zone).date(), []).append(start)
    assert starts_by_day(starts, zone) == expected
