"""Dates and times in words, read in the user's zone (story 5.5.3).

Every expected date below was worked out by hand from a calendar, not by the code under test.
Weeks start on Monday: "next Saturday" is the Saturday of next week.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from concierge.dining.dates import UnreadableDate, parse_date, parse_time, resolve
from concierge.errors import InvalidRequest

NEW_YORK = ZoneInfo("America/New_York")


def local_noon(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=NEW_YORK).astimezone(UTC)


D = date
MON, TUE, WED, THU, FRI, SAT, SUN = (D(2026, 11, 23 + i) for i in range(7))

# (base "today", words, expected day) over one week, Monday 23 to Sunday 29 November 2026.
WEEK = [
    # Monday
    (MON, "today", MON),
    (MON, "tomorrow", TUE),
    (MON, "Saturday", SAT),
    (MON, "this Saturday", SAT),
    (MON, "next Saturday", D(2026, 12, 5)),
    (MON, "Monday", MON),
    (MON, "next Monday", D(2026, 11, 30)),
    (MON, "Sunday", SUN),
    (MON, "in 3 days", THU),
    (MON, "Nov 23", MON),
    # Tuesday
    (TUE, "today", TUE),
    (TUE, "Saturday", SAT),
    (TUE, "next Saturday", D(2026, 12, 5)),
    (TUE, "Monday", D(2026, 11, 30)),
    (TUE, "next Monday", D(2026, 11, 30)),
    (TUE, "Nov 23", D(2027, 11, 23)),  # yesterday's month-day: next year
    (TUE, "in 3 days", FRI),
    # Wednesday
    (WED, "tomorrow", THU),
    (WED, "sat", SAT),
    (WED, "next Sat", D(2026, 12, 5)),
    (WED, "Wednesday", WED),
    (WED, "Tuesday", D(2026, 12, 1)),
    (WED, "in 1 week", D(2026, 12, 2)),
    # Thursday
    (THU, "Saturday", SAT),
    (THU, "next Saturday", D(2026, 12, 5)),
    (THU, "Friday", FRI),
    (THU, "next Friday", D(2026, 12, 4)),
    (THU, "in 3 days", SUN),
    # Friday
    (FRI, "tomorrow", SAT),
    (FRI, "Saturday", SAT),
    (FRI, "this saturday", SAT),
    (FRI, "next Saturday", D(2026, 12, 5)),
    (FRI, "Thursday", D(2026, 12, 3)),
    # Saturday (no time asked: the day is not over, so "Saturday" is today)
    (SAT, "today", SAT),
    (SAT, "Saturday", SAT),
    (SAT, "next Saturday", D(2026, 12, 5)),
    (SAT, "tomorrow", SUN),
    (SAT, "Monday", D(2026, 11, 30)),
    (SAT, "in 3 days", D(2026, 12, 1)),
    # Sunday: the last day of its week, so next week's Saturday is the coming one
    (SUN, "today", SUN),
    (SUN, "Saturday", D(2026, 12, 5)),
    (SUN, "next Saturday", D(2026, 12, 5)),
    (SUN, "Sunday", SUN),
    (SUN, "next Sunday", D(2026, 12, 6)),
    (SUN, "Monday", D(2026, 11, 30)),
    (SUN, "next Monday", D(2026, 11, 30)),
]

# The same written dates, whatever the weekday: Feb 14 has passed in November, so next year.
EVERY_DAY = [
    ("Feb 14", D(2027, 2, 14)),
    ("February 14", D(2027, 2, 14)),
    ("14 Feb", D(2027, 2, 14)),
    ("14th of February", D(2027, 2, 14)),
    ("2/14", D(2027, 2, 14)),
    ("2026-02-14", D(2026, 2, 14)),  # an explicit year is taken as written
    ("Dec 1", D(2026, 12, 1)),
    ("12/1/2026", D(2026, 12, 1)),
    ("Saturday, February 14th", D(2027, 2, 14)),  # read by dateparser, our year rule
]


@pytest.mark.parametrize(("today", "words", "expected"), WEEK)
def test_a_week_of_base_dates(today: date, words: str, expected: date) -> None:
    assert parse_date(words, now=local_noon(today), tz=NEW_YORK) == expected


@pytest.mark.parametrize("today", [MON, TUE, WED, THU, FRI, SAT, SUN])
@pytest.mark.parametrize(("words", "expected"), EVERY_DAY)
def test_written_dates_on_every_day_of_the_week(today: date, words: str, expected: date) -> None:
    assert parse_date(words, now=local_noon(today), tz=NEW_YORK) == expected


@pytest.mark.parametrize(
    ("clock_hour", "asked", "expected"),
    [
        (12, "7pm", SAT),  # noon on Saturday, 7 pm still ahead: tonight
        (18, "19:00", SAT),
        (20, "7pm", D(2026, 12, 5)),  # 8 pm on Saturday, 7 pm has gone: next week's
        (19, "7pm", D(2026, 12, 5)),  # exactly 7 pm: no longer ahead
        (23, "11:30 PM", SAT),
    ],
)
def test_saturday_said_on_a_saturday_depends_on_the_time_asked(
    clock_hour: int, asked: str, expected: date
) -> None:
    now = local_noon(SAT, clock_hour)
    assert resolve("Saturday", asked, now=now, tz=NEW_YORK).day == expected
    assert resolve("this Saturday", asked, now=now, tz=NEW_YORK).day == expected
    assert resolve("next Saturday", asked, now=now, tz=NEW_YORK).day == D(2026, 12, 5)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("today", D(2026, 12, 31)),
        ("tomorrow", D(2027, 1, 1)),
        ("Saturday", D(2027, 1, 2)),
        ("next Saturday", D(2027, 1, 9)),  # the week of Mon 28 Dec ends Sun 3 Jan
        ("Sunday", D(2027, 1, 3)),
        ("in 3 days", D(2027, 1, 3)),
        ("1/1", D(2027, 1, 1)),
        ("Jan 2", D(2027, 1, 2)),
        ("2 January", D(2027, 1, 2)),
        ("Dec 31", D(2026, 12, 31)),
        ("Dec 30", D(2027, 12, 30)),
        ("12/30", D(2027, 12, 30)),
        ("2027-01-02", D(2027, 1, 2)),
    ],
)
def test_the_turn_of_a_year(words: str, expected: date) -> None:
    new_years_eve = local_noon(D(2026, 12, 31))  # a Thursday
    assert parse_date(words, now=new_years_eve, tz=NEW_YORK) == expected


def test_the_day_is_the_users_not_utcs() -> None:
    # 03:00 UTC on Saturday is still Friday evening in New York.
    now = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    assert parse_date("today", now=now, tz=NEW_YORK) == FRI
    assert parse_date("Saturday", now=now, tz=NEW_YORK) == SAT
    assert parse_date("today", now=now, tz=ZoneInfo("Europe/Paris")) == SAT


def test_feb_29_waits_for_a_leap_year() -> None:
    assert parse_date("Feb 29", now=local_noon(MON), tz=NEW_YORK) == D(2028, 2, 29)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("7pm", time(19, 0)),
        ("7 PM", time(19, 0)),
        ("7:30 PM", time(19, 30)),
        ("7:30pm", time(19, 30)),
        ("7 p.m.", time(19, 0)),
        ("11am", time(11, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("19:00", time(19, 0)),
        ("08:15", time(8, 15)),
        ("noon", time(12, 0)),
        ("Midnight", time(0, 0)),
    ],
)
def test_times(words: str, expected: time) -> None:
    assert parse_time(words) == expected


@pytest.mark.parametrize("words", ["7", "25:00", "13pm", "7:75 pm", "soon", "", "dinner"])
def test_unreadable_times_list_the_forms_we_read(words: str) -> None:
    with pytest.raises(UnreadableDate) as caught:
        parse_time(words)
    assert isinstance(caught.value, InvalidRequest)
    for form in ("7pm", "7:30 PM", "19:00", "noon"):
        assert form in caught.value.detail


@pytest.mark.parametrize(
    "words", ["someday", "", "next blursday", "2/30", "Feb 30", "2026-13-01", "the weekend"]
)
def test_unreadable_dates_list_the_forms_we_read(words: str) -> None:
    with pytest.raises(UnreadableDate) as caught:
        parse_date(words, now=local_noon(MON), tz=NEW_YORK)
    for form in ("today", "tomorrow", "next Saturday", "Feb 14", "2/14", "2026-02-14", "in 3 days"):
        assert form in caught.value.detail
    assert caught.value.extra["field"] == "date"
