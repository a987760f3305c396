"""When a watch looks at Resy, and which open tables it may take. Pure: ``now`` is an argument.

A day's tables open two ways. A **release**: a venue opens a new day ``days ahead`` at its
release time (venue-local), the moment the booking bots race for; the watch wakes
``wake_before`` seconds early and looks every ``fast`` seconds for ``fast_window`` seconds
after it, then settles into the slow poll. A **cancellation**: someone gives a table back at
any time; the watch looks every ``slow`` seconds, within the pacing Resy tolerates.

The booking window comes from Resy's calendar: ``last_calendar_day`` is the last day already
open, so on a day before the release time the window is ``last - today + 1`` days, after it
``last - today``. The release time itself is not in any Resy answer; the person may give it
("they release at 9 am"), else midnight is assumed. A watch told the hour sleeps until just
before it; one left to the guess looks slowly from the start, so a wrong guess costs only
speed: the slow poll still finds the tables.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from concierge.dining.seating import matches, matches_any
from concierge.integrations.resy.schemas import Slot

MIDNIGHT = time(0)


@dataclass(frozen=True)
class Pace:
    slow: float  # seconds between cancellation looks
    fast: float  # seconds between looks around a release
    fast_window: float  # seconds of fast looks after the release
    wake_before: float  # seconds before the release the watch wakes
    jitter: float = 0.0  # up to this many seconds more, at random, on a fast look


def release_moment(
    day: date, *, last_open: date, now: datetime, tz: ZoneInfo, release_time: time = MIDNIGHT
) -> datetime | None:
    """When ``day``'s tables are released, or None when they are open already."""
    if day <= last_open:
        return None
    local = now.astimezone(tz)
    window = (last_open - local.date()).days + (0 if local.time() >= release_time else 1)
    return datetime.combine(day - timedelta(days=window), release_time, tz)


def first_check(
    release_at: datetime | None, now: datetime, pace: Pace, *, guessed: bool = False
) -> datetime:
    """The first look: now, unless the person named the release hour (then just before it)."""
    if release_at is None or guessed:
        return now
    return max(now, release_at - timedelta(seconds=pace.wake_before))


def next_check(
    release_at: datetime | None, now: datetime, pace: Pace, rng: random.Random | None = None
) -> datetime:
    """After a look that found nothing: slowly before the release (waking just before it), fast
    until the release's window has passed, slowly after."""
    slowly = now + timedelta(seconds=pace.slow)
    if release_at is not None and now < (wake := release_at - timedelta(seconds=pace.wake_before)):
        return min(slowly, wake)
    if release_at is not None and now < release_at + timedelta(seconds=pace.fast_window):
        extra = (rng or random).uniform(0, pace.jitter) if pace.jitter else 0.0
        return now + timedelta(seconds=pace.fast + extra)
    return slowly


def window_closed(day: date, latest: time, tz: ZoneInfo, now: datetime) -> bool:
    """The last table time the person would take has passed."""
    return datetime.combine(day, latest, tz) <= now


def takeable(
    slots: Sequence[Slot],
    *,
    earliest: time,
    latest: time,
    seating: Sequence[str],
    day: date,
    tz: ZoneInfo,
    now: datetime,
) -> list[Slot]:
    """The open tables the watch may book, earliest first; the seating named first wins a tie.
    Which kinds a request names is ``dining.seating``'s rule, the one make_reservation uses."""

    def rank(slot: Slot) -> tuple[time, int]:
        named = [n for n, wanted in enumerate(seating) if matches(slot.type, wanted)]
        return slot.start.time(), named[0] if named else len(seating)

    fits = [
        s
        for s in slots
        if s.start.date() == day
        and earliest <= s.start.time() <= latest
        and matches_any(s.type, seating)
        and datetime.combine(day, s.start.time(), tz) > now
    ]
    unique = {s.token: s for s in sorted(fits, key=rank)}  # several config ids share one token
    return sorted(unique.values(), key=rank)
