"""A person's buffers and limits, as the engine defines them once (``engine.Rules``).

Buffers: ``before`` minutes are kept clear before each of the person's meetings and ``after``
minutes after each, the new one's as well as the existing ones': two of their meetings lie at
least ``before + after`` apart. Limits: at most ``per_day`` meetings start on one local date of
the person's zone, and at most ``per_week`` in one local week, Monday to Sunday.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from concierge.scheduling import engine
from concierge.scheduling.engine import Interval, Rules, Schedule

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
GRID = engine.Grid(UTC_ZONE, timedelta(minutes=15))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant ``day`` days after Monday 2026-11-23, UTC."""
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


def meeting(day: int, hour: int, minute: int = 0, length: int = 60) -> Interval:
    start = at(day, hour, minute)
    return Interval(start, start + length * MINUTE)


BUFFERED = Rules(UTC_ZONE, before=10 * MINUTE, after=5 * MINUTE)


def test_meetings_must_lie_before_plus_after_apart() -> None:
    busy = [meeting(0, 10)]  # 10:00-11:00
    assert engine.refusal(meeting(0, 11, 15, 30), busy, BUFFERED) is None  # 15 minutes after
    assert engine.refusal(meeting(0, 11, 14, 30), busy, BUFFERED) == "buffer"
    assert engine.refusal(meeting(0, 9, 15, 30), busy, BUFFERED) is None  # ends 15 before
    assert engine.refusal(meeting(0, 9, 16, 30), busy, BUFFERED) == "buffer"
    assert engine.refusal(meeting(0, 10, 30, 30), busy, BUFFERED) == "taken"


def test_without_rules_touching_meetings_are_free() -> None:
    busy = [meeting(0, 10)]
    assert engine.is_free(meeting(0, 11), busy)
    assert engine.is_free(meeting(0, 9), busy)
    assert not engine.is_free(meeting(0, 10, 45), busy)


def test_the_slots_list_leaves_the_buffers_out() -> None:
    schedule = Schedule(UTC_ZONE, {0: ((9 * 60, 13 * 60),)})
    day = Interval(at(0, 0), at(1, 0))
    starts = engine.free_slots(
        schedule, [meeting(0, 10)], day, 30 * MINUTE, GRID, at(0, 0), at(9, 0), BUFFERED
    )
    # 09:15 ends 09:45, fifteen minutes before 10:00; 11:15 starts fifteen after 11:00.
    assert [s.strftime("%H:%M") for s in starts] == [
        "09:00",
        "09:15",
        "11:15",
        "11:30",
        "11:45",
        "12:00",
        "12:15",
        "12:30",
    ]


def test_a_buffer_may_lie_outside_availability() -> None:
    schedule = Schedule(UTC_ZONE, {0: ((9 * 60, 10 * 60),)})
    day = Interval(at(0, 0), at(1, 0))
    starts = engine.free_slots(schedule, [], day, 60 * MINUTE, GRID, at(0, 0), at(9, 0), BUFFERED)
    assert starts == [at(0, 9)]


def test_a_day_at_its_cap_takes_no_new_meeting_starting_on_it() -> None:
    rules = Rules(UTC_ZONE, per_day=2)
    busy = [meeting(1, 9), meeting(1, 14)]
    assert engine.refusal(meeting(1, 11), busy, rules) == "day"
    assert engine.refusal(meeting(1, 11), busy[:1], rules) is None
    assert engine.refusal(meeting(2, 11), busy, rules) is None
    # A meeting starting just before the full day's midnight counts towards the day before.
    assert engine.refusal(meeting(0, 23, 30), busy, rules) is None


def test_days_are_the_persons_local_dates() -> None:
    rules = Rules(NEW_YORK, per_day=1)
    # 03:00 UTC on Tuesday is 22:00 on Monday in New York (EST, UTC-5).
    busy = [meeting(1, 3)]
    assert engine.refusal(meeting(0, 20), busy, rules) == "day"  # Monday 15:00 there
    assert engine.refusal(meeting(1, 6), busy, rules) is None  # Tuesday 01:00 there


def test_weeks_run_monday_to_sunday() -> None:
    rules = Rules(UTC_ZONE, per_week=2)
    busy = [meeting(0, 9), meeting(6, 9)]  # Monday and Sunday of one week
    assert engine.refusal(meeting(3, 9), busy, rules) == "week"
    assert engine.refusal(meeting(7, 9), busy, rules) is None  # the next Monday
    assert engine.refusal(meeting(-1, 9), busy, rules) is None  # the Sunday before


def test_a_day_limit_is_reported_before_a_week_limit() -> None:
    rules = Rules(UTC_ZONE, per_day=1, per_week=1)
    assert engine.refusal(meeting(0, 14), [meeting(0, 9)], rules) == "day"
    assert engine.refusal(meeting(1, 14), [meeting(0, 9)], rules) == "week"


def test_reach_covers_the_gap_and_the_whole_weeks_a_start_counts_towards() -> None:
    span = Interval(at(2, 10), at(2, 11))
    assert engine.rules_reach(span, engine.NO_RULES) == span
    assert engine.rules_reach(span, BUFFERED) == Interval(at(2, 9, 45), at(2, 11, 15))
    assert engine.rules_reach(span, Rules(UTC_ZONE, per_day=3)) == Interval(at(2, 0), at(3, 0))
    assert engine.rules_reach(span, Rules(UTC_ZONE, per_week=3)) == Interval(at(0, 0), at(7, 0))


def test_a_full_day_over_a_clock_change_is_the_whole_local_day() -> None:
    # New York falls back on Sunday 2026-11-01: that local day lasts 25 hours.
    rules = Rules(NEW_YORK, per_day=1)
    sunday = datetime(2026, 11, 1, 4, tzinfo=UTC)  # local midnight, EDT
    found = engine.taken(
        [Interval(sunday + timedelta(hours=12), sunday + timedelta(hours=13))], rules
    )
    assert found.full_days == [Interval(sunday, sunday + timedelta(hours=25))]


def test_common_time_counts_a_full_day_as_not_free() -> None:
    schedule = Schedule(UTC_ZONE, {0: ((9 * 60, 17 * 60),), 1: ((9 * 60, 17 * 60),)})
    span = Interval(at(0, 0), at(2, 0))
    capped = Rules(UTC_ZONE, per_day=1)
    common = engine.common_free_time(
        [(schedule, [meeting(0, 9)]), (schedule, [])], span, 30 * MINUTE, [capped, engine.NO_RULES]
    )
    assert common == [Interval(at(1, 9), at(1, 17))]
    buffered = engine.common_free_time(
        [(schedule, [meeting(1, 9)]), (schedule, [])], span, 30 * MINUTE, [BUFFERED]
    )
    assert buffered == [Interval(at(0, 9), at(0, 17)), Interval(at(1, 10, 15), at(1, 17))]
