"""Buffers and limits through the one definition, end to end on the database: for random
people (a host in a random zone with random buffers and limits, booked in both roles, with
live and lapsed holds among their meetings), every start the slots list offers is one booking
accepts, and every start it omits (on the grid, inside availability) is one booking refuses.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from concierge.accounts import service as accounts
from concierge.config import Settings
from concierge.db import Database
from concierge.errors import ConciergeError
from concierge.models import Reservation, ReservationStatus, User
from concierge.reservations import service as reservations
from concierge.reservations.service import Visitor, fits
from concierge.scheduling import engine
from concierge.scheduling import service as scheduling
from concierge.scheduling.engine import Interval
from concierge.timezones import zone
from tests.fixtures.app import NOW
from tests.fixtures.database import empty_all_tables

MONDAY = date(2026, 11, 23)  # NOW is this Monday, 12:00 UTC
PROBED = (date(2026, 11, 25), date(2026, 11, 26))  # Wednesday and Thursday: past the notice
QUARTER = timedelta(minutes=15)
DURATION = 30


@dataclass(frozen=True)
class Booking:
    as_host: bool  # the host of our person's meeting, or its guest
    other: int  # which of the two other people is on the other side
    day: int  # days after MONDAY (negative: the week before)
    quarter: int  # quarter hours after that day's midnight, UTC
    quarters: int
    status: str  # confirmed, live (a held, unlapsed hold) or lapsed (a held, lapsed one)


bookings = st.lists(
    st.builds(
        Booking,
        as_host=st.booleans(),
        other=st.integers(0, 1),
        day=st.integers(-2, 9),
        quarter=st.integers(24, 80),
        quarters=st.integers(1, 6),
        status=st.sampled_from(["confirmed", "confirmed", "live", "lapsed"]),
    ),
    max_size=14,
)


class Undo(Exception):
    """Raised to roll a probe booking back."""


def span_of(booking: Booking) -> Interval:
    start = datetime.combine(MONDAY, datetime.min.time(), UTC) + timedelta(days=booking.day)
    start += booking.quarter * QUARTER
    return Interval(start, start + booking.quarters * QUARTER)


async def scenario(
    url: str,
    config: Settings,
    tz_name: str,
    rules: tuple[int, int, int | None, int | None],
    booked: list[Booking],
) -> None:
    db = Database(url)
    try:
        await empty_all_tables(db)
        async with db.unit_of_work() as session:
            people = []
            for name in ("Pat Person", "Ann Other", "Ben Other"):
                user, _ = await accounts.create_user(
                    session,
                    name=name,
                    email=f"{name.split()[0].lower()}@example.com",
                    timezone=tz_name if name == "Pat Person" else "UTC",
                    now=NOW,
                    settings=config,
                )
                people.append(user)
            person, others = people[0], people[1:]
            (
                person.buffer_before_minutes,
                person.buffer_after_minutes,
                person.max_per_day,
                person.max_per_week,
            ) = rules
            taken: dict[int, list[Interval]] = {u.id: [] for u in people}
            for booking in booked:
                span, other = span_of(booking), others[booking.other]
                # The database keeps anyone from two meetings at once: leave such pairs out.
                if any(
                    s.start < span.end and span.start < s.end
                    for uid in (person.id, other.id)
                    for s in taken[uid]
                ):
                    continue
                taken[person.id].append(span)
                taken[other.id].append(span)
                host, guest = (person, other) if booking.as_host else (other, person)
                held = booking.status != "confirmed"
                lapse = NOW + timedelta(minutes=-1 if booking.status == "lapsed" else 10)
                session.add(
                    Reservation(
                        host_id=host.id,
                        guest_id=guest.id,
                        start_at=span.start,
                        end_at=span.end,
                        status=ReservationStatus.HELD if held else ReservationStatus.CONFIRMED,
                        hold_expires_at=lapse if held else None,
                        confirmed_at=None if held else NOW,
                        created_at=NOW,
                    )
                )
        async with db.unit_of_work(write=False) as session:
            host_user = await session.get(User, person.id)
            assert host_user is not None
            tz = zone(tz_name)
            offered = await scheduling.free_slots(
                session, host_user, PROBED[0], PROBED[-1], tz, DURATION, NOW, config
            )
            schedule = (
                await scheduling.load_schedules(
                    session, [host_user], engine.local_range(PROBED[0], PROBED[-1], tz)
                )
            )[person.id]
        offered_starts = {s for starts in offered.values() for s in starts}
        probe_span = engine.local_range(PROBED[0], PROBED[-1], tz)
        start = probe_span.start
        while start < probe_span.end:
            slot = Interval(start, start + timedelta(minutes=DURATION))
            if fits(schedule, slot):
                accepted = await try_booking(db, person.id, start, config)
                assert accepted == (start in offered_starts), (start, accepted, rules, booked)
            else:
                assert start not in offered_starts
            start += QUARTER
    finally:
        await db.dispose()


async def try_booking(db: Database, host_id: int, start: datetime, config: Settings) -> bool:
    """Whether booking accepts ``start`` for a visitor; rolled back either way."""
    try:
        async with db.unit_of_work() as session:
            await reservations.reserve(
                session,
                guest=Visitor("Vic Visitor", "vic@example.com"),
                host_id=host_id,
                start=start,
                duration_minutes=DURATION,
                now=NOW,
                settings=config,
            )
            raise Undo
    except Undo:
        return True
    except ConciergeError:
        return False


buffers = st.sampled_from([0, 0, 5, 10, 15, 30, 45])


@examples(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    tz_name=st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]),
    rules=st.tuples(
        buffers,
        buffers,
        st.one_of(st.none(), st.integers(1, 4)),
        st.one_of(st.none(), st.integers(1, 8)),
    ),
    booked=bookings,
)
def test_offered_starts_are_bookable_and_omitted_ones_refused(
    database_url: str,
    settings: Settings,
    tz_name: str,
    rules: tuple[int, int, int | None, int | None],
    booked: list[Booking],
) -> None:
    asyncio.run(scenario(database_url, settings, tz_name, rules, booked))
