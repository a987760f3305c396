"""When a watch looks, read off Resy's calendar: the release moment of a day, the wake-up a
few seconds before, the fast minute after it, then the slow poll. Pure, no clock read."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from concierge.dining.watch_plan import Pace, first_check, next_check, release_moment

NY = ZoneInfo("America/New_York")
PACE = Pace(slow=300, fast=1, fast_window=60, wake_before=3)


def test_before_the_release_time_the_window_is_one_day_longer_than_the_calendar_shows() -> None:
    now = datetime(2026, 11, 24, 8, 0, tzinfo=NY)  # 30-day window: Dec 23 open, Dec 24 at 9
    release = release_moment(
        date(2026, 12, 24), last_open=date(2026, 12, 23), now=now, tz=NY, release_time=time(9)
    )
    assert release == datetime(2026, 11, 24, 9, 0, tzinfo=NY)


def test_after_the_release_time_the_next_day_opens_tomorrow() -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=NY)  # Dec 24 opened at 9: Dec 25 tomorrow
    release = release_moment(
        date(2026, 12, 25), last_open=date(2026, 12, 24), now=now, tz=NY, release_time=time(9)
    )
    assert release == datetime(2026, 11, 25, 9, 0, tzinfo=NY)


def test_a_day_open_already_has_no_release_and_is_looked_at_at_once() -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=NY)
    assert release_moment(date(2026, 12, 1), last_open=date(2026, 12, 24), now=now, tz=NY) is None
    assert first_check(None, now, PACE) == now


def test_the_watch_wakes_before_the_release_looks_fast_for_a_minute_then_slowly() -> None:
    release = datetime(2026, 11, 24, 9, 0, tzinfo=NY)
    early = datetime(2026, 11, 24, 7, 0, tzinfo=NY)
    assert first_check(release, early, PACE) == release - timedelta(seconds=3)
    at = release + timedelta(seconds=30)
    assert next_check(release, at, PACE) == at + timedelta(seconds=1)
    late = release + timedelta(seconds=61)
    assert next_check(release, late, PACE) == late + timedelta(seconds=300)
    assert next_check(None, late, PACE) == late + timedelta(seconds=300)


def test_a_guessed_release_hour_is_watched_slowly_from_the_start_and_woken_for() -> None:
    guess = datetime(2026, 11, 25, 0, 0, tzinfo=NY)  # midnight: nobody said the hour
    early = datetime(2026, 11, 24, 8, 0, tzinfo=NY)  # it really opens at 9:00 today
    assert first_check(guess, early, PACE, guessed=True) == early
    assert next_check(guess, early, PACE) == early + timedelta(seconds=300)
    # At 9:00 the slow poll is five minutes from the tables at most, not fifteen hours.
    looks = [early]
    while looks[-1] < datetime(2026, 11, 24, 9, 0, tzinfo=NY):
        looks.append(next_check(guess, looks[-1], PACE))
    assert looks[-1] - datetime(2026, 11, 24, 9, 0, tzinfo=NY) <= timedelta(seconds=300)
    # Still woken for the guess itself, then fast for a minute.
    close = guess - timedelta(seconds=100)
    assert next_check(guess, close, PACE) == guess - timedelta(seconds=3)
