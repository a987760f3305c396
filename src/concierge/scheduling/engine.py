"""The pure scheduling engine: interval algebra, wall-clock rules -> UTC windows, slots, overlap.

No I/O and no clock reads: ``now`` and every input arrive as arguments, so each function is a
plain mapping from values to values (and is property-tested as such). Interval lists are kept
sorted and disjoint ("normalised"); the binary operations walk two such lists in one pass.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from math import gcd
from operator import attrgetter
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)
_START = attrgetter("start")
_END = attrgetter("end")
_QUARTER = timedelta(minutes=15)


class Interval(NamedTuple):
    """A half-open span of time ``[start, end)`` between two aware instants."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


# A wall-clock window within one local day: minutes after midnight, 0..1440, start < end.
MinuteWindow = tuple[int, int]


# ---------------------------------------------------------------------------- interval algebra


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and union: overlapping or touching intervals become one; empty ones vanish."""
    ordered = iter(sorted((iv for iv in intervals if iv.start < iv.end), key=_START))
    first = next(ordered, None)
    if first is None:
        return []
    result: list[Interval] = []
    start, end = first
    for next_start, next_end in ordered:
        if next_start <= end:
            if next_end > end:
                end = next_end
        else:
            result.append(Interval(start, end))
            start, end = next_start, next_end
    result.append(Interval(start, end))
    return result


def subtract(base: Sequence[Interval], cuts: Sequence[Interval]) -> list[Interval]:
    """``base`` minus ``cuts``; both normalised."""
    result: list[Interval] = []
    j = 0
    for start, end in base:
        while j < len(cuts) and cuts[j].end <= start:
            j += 1
        k = j
        cursor = start
        while k < len(cuts) and cuts[k].start < end:
            if cuts[k].start > cursor:
                result.append(Interval(cursor, cuts[k].start))
            cursor = max(cursor, cuts[k].end)
            k += 1
        if cursor < end:
            result.append(Interval(cursor, end))
    return result


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """The time covered by both; both normalised."""
    result: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        a_start, a_end = a[i]
        b_start, b_end = b[j]
        # Leap over a run that ends before the other side's interval starts: intersecting a
        # short list with a long one costs a few bisections, not a walk through the long one.
        if a_end <= b_start:
            i = bisect_right(a, b_start, lo=i + 1, key=_END)
        elif b_end <= a_start:
            j = bisect_right(b, a_start, lo=j + 1, key=_END)
        else:
            result.append(Interval(max(a_start, b_start), min(a_end, b_end)))
            if a_end < b_end:
                i += 1
            else:
                j += 1
    return result


def intersect_all(calendars: Sequence[Sequence[Interval]]) -> list[Interval]:
    if not calendars:
        return []
    # Intersecting the sparsest calendars first keeps the running result short.
    ordered = sorted(calendars, key=len)
    result = list(ordered[0])
    for other in ordered[1:]:
        if not result:
            break
        result = intersect(result, other)
    return result


def clip(intervals: Sequence[Interval], window: Interval) -> list[Interval]:
    """The part of a normalised list inside ``window``."""
    return intersect(intervals, [window]) if window.start < window.end else []


def covers(intervals: Sequence[Interval], span: Interval) -> bool:
    """Whether one interval of the normalised list contains ``span`` whole."""
    i = bisect_right(intervals, (span.start, datetime.max.replace(tzinfo=UTC))) - 1
    return i >= 0 and intervals[i].start <= span.start and span.end <= intervals[i].end


# ----------------------------------------------------------------- wall-clock rules -> instants


@dataclass(frozen=True, slots=True)
class DayWindows:
    """The windows of one local date, in the zone they were given in."""

    zone: ZoneInfo
    windows: tuple[MinuteWindow, ...]


@dataclass(frozen=True, slots=True)
class Schedule:
    """Weekly hours (Monday = 0) in one zone, with per-date overrides on top.

    A date with an override uses exactly the override's windows; an empty override is a day off.
    """

    zone: ZoneInfo
    weekly: Mapping[int, tuple[MinuteWindow, ...]] = field(default_factory=dict)
    overrides: Mapping[date, DayWindows] = field(default_factory=dict)

    def day(self, day: date) -> DayWindows:
        override = self.overrides.get(day)
        if override is not None:
            return override
        return DayWindows(self.zone, self.weekly.get(day.weekday(), ()))


def wall_time(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The first instant at which a wall clock in ``zone`` reads ``minute`` minutes after
    ``day``'s midnight; minute 1440 is the next midnight.

    An hour that clocks go back over is read at its first occurrence (PEP 495, fold=0). A time
    that clocks go forward over does not exist: it is read as the instant of the jump, the first
    one whose wall time is later. So the mapping never runs backwards, and on the night New York
    springs forward a window 01:00-03:00 is the one hour that really passes.
    """
    local = datetime.combine(day, time()) + timedelta(minutes=minute)
    instant = local.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local:
        return instant
    return _jump_over(local, zone)


def _jump_over(local: datetime, zone: ZoneInfo) -> datetime:
    """The instant at which clocks jumped forward over the nonexistent wall time ``local``."""
    # Read with the offset after the jump, ``local`` names an instant before it; with the offset
    # before, one after it. Offsets change on whole seconds, so bisect the seconds in between.
    early = int(local.replace(tzinfo=zone, fold=1).timestamp())
    late = int(local.replace(tzinfo=zone, fold=0).timestamp())
    while late - early > 1:
        middle = (early + late) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= local:
            late = middle
        else:
            early = middle
    return datetime.fromtimestamp(late, UTC)


def day_span(day: date, zone: ZoneInfo) -> Interval:
    """The UTC span of one local date: 23, 24 or 25 hours long."""
    return Interval(_midnight(day, zone), _midnight(day + _DAY, zone))


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def availability(schedule: Schedule, first: date, last: date) -> list[Interval]:
    """Every bookable instant from ``first`` to ``last`` (dates in the schedule's zone), in UTC."""
    spans: list[Interval] = []
    for day in days(first, last):
        override = schedule.overrides.get(day)
        if override is not None:
            spans += day_windows(day, override.windows, override.zone)
        else:
            spans += day_windows(day, schedule.weekly.get(day.weekday(), ()), schedule.zone)
    return merge(spans)


def day_windows(day: date, windows: Sequence[MinuteWindow], zone: ZoneInfo) -> list[Interval]:
    """One date's wall-clock windows as instants."""
    if not windows:
        return []
    midnight = _midnight(day, zone)
    if _midnight(day + _DAY, zone) - midnight == _DAY:
        # A day 24 hours long has no clock change: each wall time is midnight plus its minutes.
        return [
            Interval(midnight + start * _MINUTE, midnight + end * _MINUTE) for start, end in windows
        ]
    return [
        Interval(wall_time(day, start, zone), wall_time(day, end, zone)) for start, end in windows
    ]


@lru_cache(maxsize=16_384)
def _midnight(day: date, zone: ZoneInfo) -> datetime:
    # Pure and asked for again and again (every query reads the same dates): worth keeping.
    return wall_time(day, 0, zone)


def availability_between(schedule: Schedule, span: Interval) -> list[Interval]:
    """The schedule's windows inside an arbitrary UTC span."""
    # Dates with overrides may be in another zone than the weekly hours: two local days of
    # margin either side cover any pair of offsets (UTC-12 to UTC+14 is 26 hours).
    first = span.start.astimezone(schedule.zone).date() - timedelta(days=2)
    last = span.end.astimezone(schedule.zone).date() + timedelta(days=2)
    return clip(availability(schedule, first, last), span)


def local_range(first: date, last: date, zone: ZoneInfo) -> Interval:
    """From ``first``'s midnight to the midnight after ``last``, in ``zone``."""
    return Interval(_midnight(first, zone), _midnight(last + _DAY, zone))


# ------------------------------------------------------------------------------- grid and slots


def _micros(instant: datetime) -> int:
    return (instant - _EPOCH) // _MICRO


def grid_offset(instant: datetime, zone: ZoneInfo, step: timedelta) -> timedelta:
    """How far ``instant`` lies past the last grid line of ``zone``'s wall clock."""
    offset = instant.astimezone(zone).utcoffset() or timedelta()
    return ((_micros(instant) + offset // _MICRO) % (step // _MICRO)) * _MICRO


def on_grid(instant: datetime, zone: ZoneInfo, step: timedelta) -> bool:
    return grid_offset(instant, zone, step) == timedelta()


def ceil_to_grid(instant: datetime, zone: ZoneInfo, step: timedelta) -> datetime:
    past = grid_offset(instant, zone, step)
    return instant if not past else instant + (step - past)


def free_time(available: Sequence[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """What of ``available`` no taken time covers: the one rule slots, common time and booking
    apply to a person's taken time."""
    return subtract(merge(available), merge(busy))


# -------------------------------------------------------------- a person's buffers and limits


@dataclass(frozen=True, slots=True)
class Rules:
    """A person's own rules around the meetings they take part in (in any role).

    - Buffers: ``before`` is kept clear before each of their meetings and ``after`` after each
      (cal.com's "before/after event" buffers), the new meeting's as well as the existing
      ones'. Two of their meetings therefore lie at least ``after + before`` apart: a new
      meeting ``[s, e)`` is refused when ``[s - before, e + after)`` overlaps an existing
      meeting's ``[s' - before, e' + after)``. Buffers may lie outside availability; only the
      meeting itself must lie inside it.
    - Limits: at most ``per_day`` meetings starting on one local date of ``zone``, and at most
      ``per_week`` starting in one local week, Monday to Sunday (ISO weeks). A day or week at
      its cap takes no new meeting starting in it; None means no cap.
    """

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    before: timedelta = timedelta()
    after: timedelta = timedelta()
    per_day: int | None = None
    per_week: int | None = None

    @property
    def gap(self) -> timedelta:
        """How far apart two of the person's meetings must lie."""
        return self.before + self.after


NO_RULES = Rules()


@dataclass(frozen=True, slots=True)
class Taken:
    """A person's taken time as their rules read it, every list normalised."""

    blocked: list[Interval]
    """No part of a new meeting may lie here: each meeting widened by the gap both sides."""
    full_days: list[Interval] = field(default_factory=list)
    """No new meeting may start here: local days at their cap."""
    full_weeks: list[Interval] = field(default_factory=list)
    """No new meeting may start here: local weeks at their cap."""

    @property
    def closed(self) -> list[Interval]:
        return merge(self.full_days + self.full_weeks)


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def rules_reach(span: Interval, rules: Rules) -> Interval:
    """The meetings overlapping this span decide, under ``rules``, every start in ``span``: the
    gap either side, and the whole local days and weeks that a start may count towards."""
    start, end = span.start - rules.gap, span.end + rules.gap
    if rules.per_day is not None or rules.per_week is not None:
        first = span.start.astimezone(rules.zone).date()
        last = span.end.astimezone(rules.zone).date()
        if rules.per_week is not None:
            first, last = _week(first), _week(last) + timedelta(days=6)
        whole = local_range(first, last, rules.zone)
        start, end = min(start, whole.start), max(end, whole.end)
    return Interval(start, end)


def taken(busy: Iterable[Interval], rules: Rules = NO_RULES) -> Taken:
    """The one definition of what a person's meetings (``busy``) keep a new one from: exact for
    every start inside a span whose ``rules_reach`` the meetings were read over."""
    meetings = list(busy)
    gap = rules.gap
    blocked = merge(Interval(s - gap, e + gap) for s, e in meetings) if gap else merge(meetings)
    starts = [m.start.astimezone(rules.zone).date() for m in meetings] if meetings else []
    full_days: list[Interval] = []
    full_weeks: list[Interval] = []
    if rules.per_day is not None:
        full_days = merge(
            day_span(day, rules.zone) for day, n in _count(starts).items() if n >= rules.per_day
        )
    if rules.per_week is not None:
        full_weeks = merge(
            local_range(week, week + timedelta(days=6), rules.zone)
            for week, n in _count(map(_week, starts)).items()
            if n >= rules.per_week
        )
    return Taken(blocked, full_days, full_weeks)


def _count(days: Iterable[date]) -> dict[date, int]:
    counts: dict[date, int] = {}
    for day in days:
        counts[day] = counts.get(day, 0) + 1
    return counts


Refusal = Literal["taken", "buffer", "day", "week"]


def refusal(span: Interval, busy: Iterable[Interval], rules: Rules = NO_RULES) -> Refusal | None:
    """Why the person's meetings keep ``span`` from them, or None when ``is_free``: "taken" (a
    meeting overlaps it), "buffer" (one lies within the gap), "day" or "week" (the local day or
    week it starts in is at its cap). Meetings must be read over ``rules_reach(span, rules)``."""
    meetings = list(busy)
    found = taken(meetings, rules)
    if not covers(free_time([span], found.blocked), span):
        return "taken" if not covers(free_time([span], meetings), span) else "buffer"
    if _starts_inside(found.full_days, span.start):
        return "day"
    if _starts_inside(found.full_weeks, span.start):
        return "week"
    return None


def is_free(span: Interval, busy: Iterable[Interval], rules: Rules = NO_RULES) -> bool:
    """Whether the person's meetings leave ``span`` to them under their ``rules`` (as ``taken``
    decides it, and so as the slots list and common time do)."""
    return refusal(span, busy, rules) is None


def _starts_inside(closed: Sequence[Interval], instant: datetime) -> bool:
    i = bisect_right(closed, instant, key=_START) - 1
    return i >= 0 and instant < closed[i].end


def open_starts(starts: Sequence[datetime], closed: Sequence[Interval]) -> list[datetime]:
    """The ``starts`` (in order) outside every closed span (normalised)."""
    if not closed:
        return list(starts)
    return [s for s in starts if not _starts_inside(closed, s)]


def slot_starts(
    free: Sequence[Interval],
    duration: timedelta,
    zone: ZoneInfo,
    step: timedelta,
    earliest: datetime,
    before: datetime,
) -> list[datetime]:
    """Starts ``s`` on the grid of ``zone``'s wall clock, ``earliest <= s < before``, with
    ``[s, s + duration)`` inside one interval of the normalised ``free``; in order.
    """
    if not _QUARTER % step:
        return _utc_grid_starts(free, duration, step, earliest, before)
    starts: list[datetime] = []
    for interval in free:
        first = max(interval.start, earliest)
        last = min(interval.end - duration, before - _MICRO)
        # No zone changes its offset twice in a day, so a day of starts with the same offset at
        # both ends has one offset throughout, and stepping in UTC stays on the wall-clock grid.
        while first <= last:
            chunk_end = min(last, first + _DAY)
            if _offset(first, zone) == _offset(chunk_end, zone):
                start = ceil_to_grid(first, zone, step)
                while start <= chunk_end:
                    starts.append(start)
                    start += step
            else:
                start = _probe_for_lines(first, chunk_end, zone, step, starts)
            first = start
    return starts


def _utc_grid_starts(
    free: Sequence[Interval],
    duration: timedelta,
    step: timedelta,
    earliest: datetime,
    before: datetime,
) -> list[datetime]:
    """``slot_starts`` for a step that divides a quarter hour (15 minutes, 5, 1...).

    Every offset in use since 1972 is a whole number of quarter hours, so such a step's grid is
    the same on every zone's wall clock as in UTC, across any change: no zone needs consulting.
    """
    starts: list[datetime] = []
    for interval in free:
        start = max(interval.start, earliest)
        last = min(interval.end - duration, before - _MICRO)
        past = (start - _EPOCH) % step
        if past:
            start += step - past
        while start <= last:
            starts.append(start)
            start += step
    return starts


def _probe_for_lines(
    first: datetime, last: datetime, zone: ZoneInfo, step: timedelta, found: list[datetime]
) -> datetime:
    """Append the grid lines from ``first`` to ``last`` across an offset change; return the
    first probe past ``last``.

    Every offset in use since 1972, and so every change of one, is a whole number of quarter
    hours: probing each quarter hour (or each step, if finer) in UTC meets every wall-clock line.
    """
    probe = timedelta(microseconds=gcd(step // _MICRO, _QUARTER // _MICRO))
    instant = ceil_to_grid(first, zone, probe)
    while instant <= last:
        if on_grid(instant, zone, step):
            found.append(instant)
        instant += probe
    return instant


def _offset(instant: datetime, zone: ZoneInfo) -> timedelta | None:
    return instant.astimezone(zone).utcoffset()


def common_free(calendars: Sequence[Sequence[Interval]], min_duration: timedelta) -> list[Interval]:
    """Maximal intervals in which every calendar is free, at least ``min_duration`` long."""
    return [iv for iv in intersect_all(calendars) if iv.duration >= min_duration]


# ------------------------------------------------------------------- whole queries, still pure


@dataclass(frozen=True, slots=True)
class Grid:
    """The booking grid: slot starts lie every ``step`` on ``zone``'s wall clock."""

    zone: ZoneInfo
    step: timedelta


def free_slots(
    schedule: Schedule,
    busy: Iterable[Interval],
    span: Interval,
    duration: timedelta,
    grid: Grid,
    earliest: datetime,
    before: datetime,
    rules: Rules = NO_RULES,
) -> list[datetime]:
    """Starts in ``span`` of free ``duration``-long slots: inside the schedule's availability,
    free under the person's ``rules`` given their meetings ``busy`` (see ``taken``; read over
    ``rules_reach``), on the grid, ``earliest <= start < before``. A slot may run past the
    end of ``span``: only its start has to lie inside."""
    reach = Interval(span.start, span.end + duration)
    found = taken(busy, rules)
    free = free_time(availability_between(schedule, reach), found.blocked)
    starts = slot_starts(
        free,
        duration,
        grid.zone,
        grid.step,
        earliest=max(earliest, span.start),
        before=min(before, span.end),
    )
    return open_starts(starts, found.closed)


FOREVER = datetime.max.replace(tzinfo=UTC)


def slots_stand_until(
    starts: Sequence[datetime],
    span: Interval,
    grid: Grid,
    *,
    now: datetime,
    notice: timedelta,
    horizon: timedelta,
    lapses: Iterable[datetime] = (),
) -> datetime:
    """The first instant after ``now`` at which ``free_slots`` over the same schedule and
    bookings may answer otherwise than ``starts`` (what it answered with ``earliest = now +
    notice`` and ``before = now + horizon``): the clock alone moves the answer only when

    - the first start falls inside the notice (``now' + notice > starts[0]``),
    - the horizon passes the next grid line in ``span`` (a start there may become bookable),
    - a hold among the bookings lapses (``lapses``: its time may be free from then on).

    Until then the same inputs give exactly ``starts``; from then on, recompute. ``FOREVER``
    when none of these can happen.
    """
    until = FOREVER
    if starts:
        until = starts[0] - notice + _MICRO
    before = now + horizon
    if before < span.end:
        line = ceil_to_grid(max(before, span.start), grid.zone, grid.step)
        if line < span.end:
            until = min(until, line - horizon + _MICRO)
    for lapse in lapses:
        if lapse > now:
            until = min(until, lapse)
    return until


def common_free_time(
    calendars: Sequence[tuple[Schedule, Iterable[Interval]]],
    span: Interval,
    min_duration: timedelta,
    rules: Sequence[Rules] = (),
) -> list[Interval]:
    """Maximal intervals inside ``span`` in which every ``(schedule, busy)`` calendar is
    available and free under its person's ``rules`` (in the same order; none: no rules), each
    at least ``min_duration`` long. A day or week at its cap counts as not free at all, though
    a meeting starting before it could run into it: what is offered is always bookable."""
    free = []
    for n, (schedule, busy) in enumerate(calendars):
        found = taken(busy, rules[n] if n < len(rules) else NO_RULES)
        open_time = free_time(availability_between(schedule, span), found.blocked)
        free.append(subtract(open_time, found.closed))
    return common_free(free, min_duration)


# ---------------------------------------------------------------------------- grouping by day


def starts_by_day(starts: Iterable[datetime], zone: ZoneInfo) -> dict[date, list[datetime]]:
    """Instants filed under their local date in ``zone``; fastest when they come in order."""
    grouped: dict[date, list[datetime]] = {}
    bucket: list[datetime] = []
    day_start = day_end = _EPOCH
    for start in starts:
        if not day_start <= start < day_end:
            day = start.astimezone(zone).date()
            day_start, day_end = day_span(day, zone)
            bucket = grouped.setdefault(day, [])
        bucket.append(start)
    return grouped


def intervals_by_start_day(
    intervals: Iterable[Interval], zone: ZoneInfo
) -> dict[date, list[Interval]]:
    """Each interval, whole, filed under the local date in ``zone`` on which it starts."""
    grouped: dict[date, list[Interval]] = {}
    for interval in intervals:
        grouped.setdefault(interval.start.astimezone(zone).date(), []).append(interval)
    return grouped


def intervals_by_day(intervals: Iterable[Interval], zone: ZoneInfo) -> dict[date, list[Interval]]:
    """Each interval cut at the zone's midnights and filed under its local date."""
    grouped: dict[date, list[Interval]] = {}
    for start, end in intervals:
        while start < end:
            day = start.astimezone(zone).date()
            piece_end = min(end, _midnight(day + _DAY, zone))
            grouped.setdefault(day, []).append(Interval(start, piece_end))
            start = piece_end
    return grouped
