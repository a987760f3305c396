"""Availability rules, free slots and common free time: the database side of the engine."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, and_, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.accounts import service as accounts
from concierge.changes import touching
from concierge.config import Settings
from concierge.db import core_rows
from concierge.errors import InvalidRequest, Misaligned, NotFound, RangeTooLong
from concierge.models import DateOverride, ReservationStatus, User, WeeklySchedule
from concierge.scheduling import engine
from concierge.scheduling.engine import DayWindows, Interval, MinuteWindow, Schedule
from concierge.scheduling.schemas import WEEKDAYS, DateOverrides, WallWindow, WeekDays, WeeklyHours
from concierge.scheduling.taken import OUTSIDE_BUSY, TAKEN
from concierge.timezones import zone
from concierge.validation import require_date

# ------------------------------------------------------------------------- wall-clock windows


def _minute(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def minute_windows(windows: Iterable[WallWindow], step: int) -> list[list[int]]:
    """Validated, merged ``[start, end]`` minute pairs from ``HH:MM`` windows."""
    pairs: list[tuple[int, int]] = []
    for window in windows:
        start, end = _minute(window.start), _minute(window.end)
        if start % step or end % step:
            raise Misaligned(
                f"{window.start}-{window.end}: times must lie on the {step}-minute grid "
                f"(e.g. 09:00, 09:15).",
                field="windows",
            )
        if end <= start:
            raise InvalidRequest(
                f"{window.start}-{window.end}: the end must come after the start "
                "(use 24:00 for midnight at the end of the day).",
                field="windows",
            )
        pairs.append((start, end))
    merged: list[list[int]] = []
    for start, end in sorted(pairs):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def wall_windows(pairs: Iterable[Sequence[int]]) -> list[WallWindow]:
    return [WallWindow(start=_hhmm(s), end=_hhmm(e)) for s, e in pairs]


def _as_windows(pairs: Iterable[Sequence[int]]) -> tuple[MinuteWindow, ...]:
    return tuple((int(s), int(e)) for s, e in pairs)


# ------------------------------------------------------------------------------ date ranges


def check_range(first: date, last: date, settings: Settings) -> None:
    """``to`` not before ``from``, and at most ``max_range_days`` (62) days after it."""
    require_date(first, "from")
    require_date(last, "to")
    if last < first:
        raise InvalidRequest(
            f"'to' ({last}) is before 'from' ({first}): give the dates in order.", field="to"
        )
    if (last - first).days > settings.max_range_days:
        raise RangeTooLong(
            f"{first} to {last} is {(last - first).days} days apart; ask for at most "
            f"{settings.max_range_days} at a time and page through longer periods.",
            field="to",
        )


def default_range(
    first: date | None, last: date | None, tz: ZoneInfo, now: datetime
) -> tuple[date, date]:
    """Unset bounds default to two weeks from today in ``tz``."""
    first = first or now.astimezone(tz).date()
    return first, last or first + timedelta(days=13)


# ------------------------------------------------------------------------------- rules (CRUD)


async def set_weekly_hours(
    session: AsyncSession, user: User, body: WeeklyHours, settings: Settings
) -> WeeklyHours:
    tz_name = body.timezone or user.timezone
    zone(tz_name)
    days = {
        name: minute_windows(getattr(body.days, name), settings.slot_minutes) for name in WEEKDAYS
    }
    row = await session.get(WeeklySchedule, user.id)
    stored = {name: pairs for name, pairs in days.items() if pairs}
    if row is None:
        session.add(WeeklySchedule(user_id=user.id, timezone=tz_name, days=stored))
    else:
        row.timezone, row.days = tz_name, stored
    await session.flush()
    return weekly_hours_view(tz_name, stored)


def weekly_hours_view(tz_name: str, stored: dict[str, list[list[int]]]) -> WeeklyHours:
    return WeeklyHours(
        timezone=tz_name,
        days=WeekDays(**{name: wall_windows(stored.get(name, [])) for name in WEEKDAYS}),
    )


async def get_weekly_hours(session: AsyncSession, user: User) -> WeeklyHours:
    row = await session.get(WeeklySchedule, user.id)
    if row is None:
        return weekly_hours_view(user.timezone, {})
    return weekly_hours_view(row.timezone, row.days)


async def set_overrides(
    session: AsyncSession, user: User, body: DateOverrides, settings: Settings
) -> int:
    tz_name = body.timezone or user.timezone
    zone(tz_name)
    parsed = {day: minute_windows(ws, settings.slot_minutes) for day, ws in body.dates.items()}
    existing = {
        o.day: o
        for o in await session.scalars(
            select(DateOverride).where(
                DateOverride.user_id == user.id, DateOverride.day.in_(list(parsed))
            )
        )
    }
    for day, pairs in parsed.items():
        row = existing.get(day)
        if row is None:
            session.add(DateOverride(user_id=user.id, day=day, timezone=tz_name, windows=pairs))
        else:
            row.timezone, row.windows = tz_name, pairs
    await session.flush()
    return len(parsed)


async def remove_overrides(session: AsyncSession, user: User, first: date, last: date) -> int:
    if last < first:
        raise InvalidRequest(f"'to' ({last}) is before 'from' ({first}).", field="to")
    result = await session.execute(
        delete(DateOverride)
        .where(DateOverride.user_id == user.id, DateOverride.day >= first, DateOverride.day <= last)
        .execution_options(**touching(user.id))
    )
    return int(getattr(result, "rowcount", 0) or 0)


# ------------------------------------------------------------------------------ loading state


# Composed once: building a statement costs more than running it against an indexed table.
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_WEEKLY = select(WeeklySchedule.user_id, WeeklySchedule.timezone, WeeklySchedule.days).where(
    WeeklySchedule.user_id.in_(_IDS)
)
_OVERRIDES = select(
    DateOverride.user_id, DateOverride.day, DateOverride.timezone, DateOverride.windows
).where(
    DateOverride.user_id.in_(_IDS),
    DateOverride.day >= bindparam("first"),
    DateOverride.day <= bindparam("last"),
)


async def load_schedules(
    session: AsyncSession, users: Sequence[User], span: Interval
) -> dict[int, Schedule]:
    """Each user's rules, with the overrides that can touch ``span``."""
    ids = [u.id for u in users]
    weekly = {
        user_id: (tz_name, days)
        for user_id, tz_name, days in await session.execute(_WEEKLY, {"ids": ids})
    }
    # The engine reads two local days either side of a span (see availability_between), and a
    # local date is at most a day from the UTC one: three days of margin load every override
    # it may read.
    first = (span.start - timedelta(days=3)).date()
    last = (span.end + timedelta(days=3)).date()
    overrides: dict[int, dict[date, DayWindows]] = {uid: {} for uid in ids}
    rows = await session.execute(_OVERRIDES, {"ids": ids, "first": first, "last": last})
    for user_id, day, tz_name, windows in rows:
        overrides[user_id][day] = DayWindows(zone(tz_name), _as_windows(windows))
    return {
        user.id: _schedule(*weekly.get(user.id, (user.timezone, {})), overrides[user.id])
        for user in users
    }


def _schedule(
    tz_name: str, days: dict[str, list[list[int]]], overrides: dict[date, DayWindows]
) -> Schedule:
    by_day = {WEEKDAYS.index(name): _as_windows(pairs) for name, pairs in days.items()}
    return Schedule(zone(tz_name), by_day, overrides)


def personal_rules(
    timezone: str,
    before_minutes: int = 0,
    after_minutes: int = 0,
    per_day: int | None = None,
    per_week: int | None = None,
) -> engine.Rules:
    """A person's buffers and limits as the engine reads them (days and weeks in their zone)."""
    return engine.Rules(
        zone(timezone),
        timedelta(minutes=before_minutes),
        timedelta(minutes=after_minutes),
        per_day,
        per_week,
    )


def rules_of(user: User) -> engine.Rules:
    return personal_rules(
        user.timezone,
        user.buffer_before_minutes or 0,
        user.buffer_after_minutes or 0,
        user.max_per_day,
        user.max_per_week,
    )


@dataclass(frozen=True, slots=True)
class Host:
    """What finding a person's free slots needs to know of them."""

    id: int
    timezone: str
    min_notice_minutes: int
    horizon_days: int
    schedule: Schedule
    rules: engine.Rules = engine.NO_RULES


# A live user, their weekly hours and their overrides over a window of dates: one row per
# override (or one row without any), the user's columns repeated.
_HOST = (
    select(
        User.id,
        User.timezone,
        User.min_notice_minutes,
        User.horizon_days,
        User.buffer_before_minutes,
        User.buffer_after_minutes,
        User.max_per_day,
        User.max_per_week,
        WeeklySchedule.timezone,
        WeeklySchedule.days,
        DateOverride.day,
        DateOverride.timezone,
        DateOverride.windows,
    )
    .outerjoin(WeeklySchedule, WeeklySchedule.user_id == User.id)
    .outerjoin(
        DateOverride,
        and_(
            DateOverride.user_id == User.id,
            DateOverride.day >= bindparam("first"),
            DateOverride.day <= bindparam("last"),
        ),
    )
    .where(User.id == bindparam("id"), User.deleted_at.is_(None))
)


async def load_host(session: AsyncSession, user_id: int, first: date, last: date) -> Host:
    """A live user with the rules that decide their free slots from ``first`` to ``last`` (dates
    of any zone), in one statement; ``NotFound`` otherwise."""
    # Local dates lie within a day of UTC ones, slots may run 8 hours past the last date, and
    # the engine reads three days past a span: these margins hold every override it may read.
    rows = await core_rows(
        session,
        _HOST,
        {"id": user_id, "first": first - timedelta(days=4), "last": last + timedelta(days=5)},
    )
    if not rows:
        raise NotFound(f"No user with id {user_id}.")
    _, tz_name, notice, horizon, before, after, per_day, per_week, weekly_tz, weekly_days, *_ = (
        rows[0]
    )
    overrides = {
        day: DayWindows(zone(day_tz), _as_windows(windows))
        for *_, day, day_tz, windows in rows
        if day is not None
    }
    schedule = _schedule(weekly_tz or tz_name, weekly_days or {}, overrides)
    rules = personal_rules(tz_name, before, after, per_day, per_week)
    return Host(user_id, tz_name, notice, horizon, schedule, rules)


def covering_dates(first: date | None, last: date | None, now: datetime) -> tuple[date, date]:
    """Dates that hold ``first`` to ``last`` once ``default_range`` has resolved them, in any
    zone: "today" somewhere on Earth is within a day of today in UTC."""
    today = now.date()
    start = first or today - timedelta(days=1)
    return start, last or (first or today + timedelta(days=1)) + timedelta(days=13)


@dataclass(frozen=True, slots=True)
class Busy:
    """A user's taken time in a span, and when the live holds among it lapse."""

    intervals: list[Interval] = field(default_factory=list)
    lapses: list[datetime] = field(default_factory=list)


async def busy_times(
    session: AsyncSession, user_ids: Sequence[int], span: Interval, now: datetime
) -> dict[int, Busy]:
    """Each user's taken time in ``span`` (see ``taken``), and when the live holds among it
    lapse."""
    busy = {uid: Busy() for uid in user_ids}
    rows = await core_rows(
        session, TAKEN, {"ids": list(user_ids), "start": span.start, "end": span.end, "now": now}
    )
    for user_id, start, end, status, hold_expires_at in rows:
        found = busy[user_id]
        found.intervals.append(Interval(start, end))
        if status == ReservationStatus.HELD and hold_expires_at is not None:
            found.lapses.append(hold_expires_at)
    window = {"ids": list(user_ids), "start": span.start, "end": span.end}
    for user_id, start, end in await core_rows(session, OUTSIDE_BUSY, window):
        busy[user_id].intervals.append(Interval(start, end))
    return busy


# ------------------------------------------------------------------------------------ queries


async def effective_availability(
    session: AsyncSession, user: User, first: date, last: date, tz: ZoneInfo
) -> dict[date, list[Interval]]:
    span = engine.local_range(first, last, tz)
    schedule = (await load_schedules(session, [user], span))[user.id]
    by_day = engine.intervals_by_day(engine.availability_between(schedule, span), tz)
    return {day: by_day.get(day, []) for day in engine.days(first, last)}


@dataclass(frozen=True, slots=True)
class FreeSlots:
    """Free slot starts per local date, and the instant of the clock at which they may stop
    being the answer though nothing was written (see ``engine.slots_stand_until``)."""

    days: dict[date, list[datetime]]
    until: datetime


async def free_slots(
    session: AsyncSession,
    host: User,
    first: date,
    last: date,
    tz: ZoneInfo,
    duration_minutes: int,
    now: datetime,
    settings: Settings,
    *,
    notice_minutes: int | None = None,
    horizon_days: int | None = None,
) -> dict[date, list[datetime]]:
    """Starts of free ``duration``-minute slots per local date of ``tz``, every date listed;
    a meeting type's own notice and horizon, when given, stand in for the host's."""
    bookable = await load_host(session, host.id, first, last)
    if notice_minutes is not None:
        bookable = replace(bookable, min_notice_minutes=notice_minutes)
    if horizon_days is not None:
        bookable = replace(bookable, horizon_days=horizon_days)
    found = await free_slots_until(
        session, bookable, first, last, tz, duration_minutes, now, settings
    )
    return found.days


async def free_slots_until(
    session: AsyncSession,
    host: Host,
    first: date,
    last: date,
    tz: ZoneInfo,
    duration_minutes: int,
    now: datetime,
    settings: Settings,
) -> FreeSlots:
    """``free_slots``, and until when the answer stands by the clock alone."""
    step = settings.slot_minutes
    if duration_minutes % step:
        raise Misaligned(
            f"duration must be a multiple of {step} minutes (e.g. {step}, {2 * step}).",
            field="duration",
        )
    duration = timedelta(minutes=duration_minutes)
    span = engine.local_range(first, last, tz)
    # A slot starting near the end of the range may run past it; the host's buffers and limits
    # read meetings further out.
    reach = engine.rules_reach(Interval(span.start, span.end + duration), host.rules)
    busy = (await busy_times(session, [host.id], reach, now))[host.id]
    grid = engine.Grid(zone(host.timezone), timedelta(minutes=step))
    notice = timedelta(minutes=host.min_notice_minutes)
    horizon = timedelta(days=host.horizon_days)
    starts = engine.free_slots(
        host.schedule,
        busy.intervals,
        span,
        duration,
        grid,
        earliest=now + notice,
        before=now + horizon,
        rules=host.rules,
    )
    by_day = engine.starts_by_day(starts, tz)
    until = engine.slots_stand_until(
        starts, span, grid, now=now, notice=notice, horizon=horizon, lapses=busy.lapses
    )
    return FreeSlots({day: by_day.get(day, []) for day in engine.days(first, last)}, until)


async def common_free_time(
    session: AsyncSession,
    user_ids: Sequence[int],
    first: date,
    last: date,
    tz: ZoneInfo,
    min_duration_minutes: int,
    now: datetime,
    settings: Settings,
) -> dict[date, list[Interval]]:
    """Maximal intervals, from now on and inside the dates asked for, in which every listed user
    is available and not booked; each filed whole under the local date it starts on."""
    if len(set(user_ids)) != len(user_ids):
        raise InvalidRequest("List each user once.", field="users")
    if not 2 <= len(user_ids) <= 20:
        raise InvalidRequest(
            f"List between 2 and 20 users (got {len(user_ids)}), e.g. users=3,7.", field="users"
        )
    step = timedelta(minutes=settings.slot_minutes)
    if min_duration_minutes % settings.slot_minutes:
        raise Misaligned(
            f"min_duration must be a multiple of {settings.slot_minutes} minutes.",
            field="min_duration",
        )
    users = await accounts.get_users(session, user_ids)
    span = engine.local_range(first, last, tz)
    # Time already past is not free; what is left starts on the next grid line.
    ahead = Interval(max(span.start, engine.ceil_to_grid(now, tz, step)), span.end)
    if ahead.start >= ahead.end:
        return {day: [] for day in engine.days(first, last)}
    schedules = await load_schedules(session, users, ahead)
    rules = [rules_of(u) for u in users]
    reaches = [engine.rules_reach(ahead, r) for r in rules]
    reach = Interval(min(r.start for r in reaches), max(r.end for r in reaches))
    busy = await busy_times(session, user_ids, reach, now)
    common = engine.common_free_time(
        [(schedules[u.id], busy[u.id].intervals) for u in users],
        ahead,
        timedelta(minutes=min_duration_minutes),
        rules,
    )
    by_day = engine.intervals_by_start_day(common, tz)
    return {day: by_day.get(day, []) for day in engine.days(first, last)}
