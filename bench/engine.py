"""The pure engine on a heavy calendar: what the service computes once the rows are loaded.

- free slots of one host over 62 days holding 2,000 reservations (aim: median under 5 ms);
- common free time of 10 people in 10 zones over 62 days, 200 reservations each (aim: 10 ms);
- both again with every person's buffers (10 minutes before, 5 after) and limits a little above
  their usual load (host: 40 a day, 250 a week; each of the 10: 5 a day, 30 a week), and the
  ratio with rules / without, in the same run.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from concierge.scheduling import engine
from concierge.scheduling.engine import DayWindows, Grid, Interval, Schedule

Row = tuple[str, str, str]

FIRST = date(2026, 12, 1)
LAST = FIRST + timedelta(days=61)  # 62 dates
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
QUARTER = timedelta(minutes=15)
WEEKDAYS = range(5)
# A team spread from Halifax to Kathmandu: 08:00-20:00 local overlaps for about an hour.
ZONES = (
    "America/Halifax",
    "America/New_York",
    "America/Sao_Paulo",
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Africa/Lagos",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Kathmandu",
)


def bookings(rng: random.Random, span: Interval, count: int) -> list[Interval]:
    """``count`` non-overlapping reservations of 15 to 60 minutes on the quarter hours of
    ``span``, in the order a database without ORDER BY might return them."""
    quarters = int(span.duration / QUARTER)
    taken: set[int] = set()
    found: list[Interval] = []
    while len(found) < count:
        first, length = rng.randrange(quarters - 4), rng.choice((1, 1, 2, 2, 3, 4))
        wanted = set(range(first, first + length))
        if wanted & taken:
            continue
        taken |= wanted
        start = span.start + first * QUARTER
        found.append(Interval(start, start + length * QUARTER))
    rng.shuffle(found)
    return found


def host_schedule(rng: random.Random, zone: ZoneInfo) -> Schedule:
    weekly = {day: ((9 * 60, 12 * 60), (13 * 60, 17 * 60)) for day in WEEKDAYS}
    weekly[5] = ((10 * 60, 14 * 60),)
    days_off = rng.sample(range(62), 6)
    overrides = {FIRST + timedelta(days=n): DayWindows(zone, ()) for n in days_off}
    overrides[FIRST + timedelta(days=20)] = DayWindows(
        zone, ((7 * 60, 10 * 60), (18 * 60, 22 * 60))
    )
    return Schedule(zone, weekly, overrides)


def timed(work: Callable[[], object], repeats: int = 60) -> tuple[float, float]:
    """Median and 95th percentile of ``work``'s wall time, in milliseconds."""
    for _ in range(3):
        work()
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[-1]


def rules_in(zone: ZoneInfo, per_day: int, per_week: int) -> engine.Rules:
    minute = timedelta(minutes=1)
    return engine.Rules(zone, 10 * minute, 5 * minute, per_day, per_week)


def free_slots_case(with_rules: bool = False) -> tuple[Callable[[], object], int]:
    rng = random.Random(2026)
    zone = ZoneInfo("America/New_York")
    schedule = host_schedule(rng, zone)
    span = engine.local_range(FIRST, LAST, zone)
    busy = bookings(rng, span, 2000)
    grid = Grid(zone, QUARTER)
    rules = rules_in(zone, 40, 250) if with_rules else engine.NO_RULES

    def work() -> dict[date, list[datetime]]:
        starts = engine.free_slots(
            schedule,
            busy,
            span,
            QUARTER,
            grid,
            earliest=NOW + timedelta(days=1),
            before=NOW + timedelta(days=90),
            rules=rules,
        )
        return engine.starts_by_day(starts, zone)

    return work, sum(len(v) for v in work().values())


def common_time_case(with_rules: bool = False) -> tuple[Callable[[], object], int]:
    rng = random.Random(62)
    utc = ZoneInfo("UTC")
    span = engine.local_range(FIRST, LAST, utc)
    calendars = []
    rules = [rules_in(ZoneInfo(name), 5, 30) for name in ZONES] if with_rules else []
    for name in ZONES:
        zone = ZoneInfo(name)
        weekly = {day: ((8 * 60, 20 * 60),) for day in WEEKDAYS}
        calendars.append((Schedule(zone, weekly), bookings(rng, span, 200)))

    def work() -> dict[date, list[Interval]]:
        common = engine.common_free_time(calendars, span, QUARTER, rules)
        return engine.intervals_by_start_day(common, utc)

    return work, sum(len(v) for v in work().values())


async def run() -> list[Row]:
    rows: list[Row] = []
    work, count = free_slots_case()
    median, p95 = timed(work)
    label = "engine: free slots, 1 host, 62 days, 2,000 reservations"
    rows += [
        (label, "median ms (aim < 5)", f"{median:.2f}"),
        (label, "p95 ms", f"{p95:.2f}"),
        (label, "free 15-minute slots found", f"{count:,}"),
    ]
    work, count = common_time_case()
    median, p95 = timed(work)
    label = "engine: common free time, 10 people, 62 days, 200 reservations each"
    rows += [
        (label, "median ms (aim < 10)", f"{median:.2f}"),
        (label, "p95 ms", f"{p95:.2f}"),
        (label, "common intervals found", f"{count:,}"),
    ]
    for name, case in (("free slots", free_slots_case), ("common free time", common_time_case)):
        plain, _ = timed(case()[0])
        work, count = case(with_rules=True)
        median, _ = timed(work)
        label = f"engine: {name} as above, with buffers and limits"
        rows += [
            (label, "median ms", f"{median:.2f}", f"{count:,} found"),
            (label, "ratio with rules / without", f"{median / plain:.2f}"),
        ]
    return rows
