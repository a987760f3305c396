"""Dates and times as an assistant relays them, read in the person's zone.

Seen from Wednesday 2026-11-25 15:00 UTC (10:00 in New York).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from concierge.errors import InvalidRequest
from concierge.mcp.parsing import date_range, instant

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=ZoneInfo("UTC"))
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("words", "first", "last"),
    [
        ("today", date(2026, 11, 25), date(2026, 11, 25)),
        ("Saturday", date(2026, 11, 28), date(2026, 11, 28)),
        ("next Monday", date(2026, 11, 30), date(2026, 11, 30)),
        ("Dec 14", date(2026, 12, 14), date(2026, 12, 14)),
        ("this month", date(2026, 11, 25), date(2026, 11, 30)),
        ("next month", date(2026, 12, 1), date(2026, 12, 31)),
        ("next week", date(2026, 11, 30), date(2026, 12, 6)),
        ("Saturday to Dec 2", date(2026, 11, 28), date(2026, 12, 2)),
    ],
)
def test_date_ranges_in_words(words: str, first: date, last: date) -> None:
    assert date_range(words, NOW, NEW_YORK) == (first, last)


def test_next_month_in_december_is_january() -> None:
    december = datetime(2027, 12, 31, 23, 50, tzinfo=ZoneInfo("UTC"))
    assert date_range("next month", december, ZoneInfo("UTC")) == (
        date(2028, 1, 1),
        date(2028, 1, 31),
    )


@pytest.mark.parametrize(
    ("words", "local"),
    [
        ("2026-12-01T10:30", datetime(2026, 12, 1, 10, 30)),
        ("Monday 9am", datetime(2026, 11, 30, 9, 0)),
        ("tomorrow at 14:30", datetime(2026, 11, 26, 14, 30)),
        ("Dec 3 at 4:15 pm", datetime(2026, 12, 3, 16, 15)),
    ],
)
def test_starts_in_words_are_wall_clock_in_the_persons_zone(words: str, local: datetime) -> None:
    assert instant(words, NOW, NEW_YORK) == local.replace(tzinfo=NEW_YORK)


def test_an_offset_is_kept() -> None:
    assert instant("2026-12-01T10:30:00-08:00", NOW, NEW_YORK).utcoffset() is not None
    assert instant("2026-12-01T10:30:00-08:00", NOW, NEW_YORK).isoformat().endswith("-08:00")


@pytest.mark.parametrize("words", ["half past ten", "Monday", "someday 9am"])
def test_unreadable_starts_show_the_forms(words: str) -> None:
    with pytest.raises(InvalidRequest, match="Monday 9am") as refused:
        instant(words, NOW, NEW_YORK)
    assert refused.value.extra["field"] == "start"
