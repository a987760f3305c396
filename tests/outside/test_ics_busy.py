"""Busy intervals from real exported calendars (Google, Outlook, Thunderbird, Nextcloud; see
samples/SOURCES): recurrences expanded, zones honoured across DST, cancelled and deleted
instances freed, transparent events and Concierge's own events ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from concierge.outside.ics_busy import UnreadableCalendar, busy_intervals
from concierge.scheduling.engine import Interval

SAMPLES = Path(__file__).parent / "samples"
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def busy(name: str, start: datetime, end: datetime, tz: str = "UTC") -> list[Interval]:
    return busy_intervals([(SAMPLES / name).read_bytes()], Interval(start, end), ZoneInfo(tz))


def test_google_export_places_its_events_in_its_x_wr_timezone() -> None:
    found = busy("google-two-events.ics", utc(2021, 12, 22), utc(2021, 12, 24))
    # Noon to 1 PM and 9 to 10 PM in New York (UTC-5 in December).
    assert found == [
        Interval(utc(2021, 12, 22, 17), utc(2021, 12, 22, 18)),
        Interval(utc(2021, 12, 23, 2), utc(2021, 12, 23, 3)),
    ]


def test_transparent_events_of_a_google_series_are_not_busy() -> None:
    assert busy("google-moved-transparent-monthly.ics", utc(2021, 11, 1), utc(2022, 3, 1)) == []


def test_outlook_export_with_a_windows_zone_name() -> None:
    found = busy("outlook-exchange-2010.ics", utc(2019, 4, 1), utc(2019, 4, 30))
    # 14:00-16:00 Pacific Daylight Time (UTC-7).
    assert found == [Interval(utc(2019, 4, 9, 21), utc(2019, 4, 9, 23))]


def test_a_cancelled_instance_frees_its_time() -> None:
    found = busy("thunderbird-cancelled-instance.ics", utc(2020, 1, 27), utc(2020, 2, 2))
    # 22:00-23:00 Berlin (UTC+1) on the 28th and the 30th; the 29th was cancelled.
    assert found == [
        Interval(utc(2020, 1, 28, 21), utc(2020, 1, 28, 22)),
        Interval(utc(2020, 1, 30, 21), utc(2020, 1, 30, 22)),
    ]


def test_a_weekly_series_keeps_its_wall_time_across_dst_and_honours_exdate() -> None:
    found = busy("sabredav-weekly-exdate-dst.ics", utc(2019, 3, 1), utc(2019, 5, 1))
    local = [i.start.astimezone(BERLIN) for i in found]
    assert [(t.month, t.day) for t in local] == [(3, 4), (3, 18), (3, 25), (4, 1), (4, 8),
                                                  (4, 15), (4, 22)]  # fmt: skip
    assert {(t.hour, t.minute) for t in local} == {(0, 30)}
    # Before the change 00:30 is 23:30 UTC; after it, 22:30 UTC.
    assert found[0].start == utc(2019, 3, 3, 23, 30)
    assert found[3].start == utc(2019, 3, 31, 22, 30)


def test_all_day_events_fill_the_owners_local_day_and_own_events_are_skipped() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        "BEGIN:VEVENT\r\nUID:a@x\r\nDTSTART;VALUE=DATE:20261207\r\nDTEND;VALUE=DATE:20261208\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:reservation-7@book.example\r\nDTSTART:20261209T100000Z\r\n"
        "DTEND:20261209T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    window, tz = Interval(utc(2026, 12, 6), utc(2026, 12, 10)), ZoneInfo("America/New_York")
    found = busy_intervals([text], window, tz, own_domain="book.example")
    assert found == [Interval(utc(2026, 12, 7, 5), utc(2026, 12, 8, 5))]
    # Another install's booking in the same calendar is busy time like any other event.
    elsewhere = busy_intervals([text], window, tz, own_domain="other.example")
    assert Interval(utc(2026, 12, 9, 10), utc(2026, 12, 9, 11)) in elsewhere


def test_busy_times_are_clipped_to_the_window() -> None:
    found = busy("outlook-exchange-2010.ics", utc(2019, 4, 9, 22), utc(2019, 4, 10))
    assert found == [Interval(utc(2019, 4, 9, 22), utc(2019, 4, 9, 23))]


def test_text_that_is_not_icalendar_is_refused() -> None:
    with pytest.raises(UnreadableCalendar):
        busy_intervals([b"<html>login</html>"], Interval(utc(2020, 1, 1), utc(2020, 2, 1)), BERLIN)
