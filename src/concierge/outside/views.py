"""Connected calendars as every front door shows them."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import Response

from concierge.config import Settings
from concierge.models import OutsideCalendar
from concierge.outside.schemas import CalendarOut, Collection


def fresh(row: OutsideCalendar, now: datetime, settings: Settings) -> bool:
    period = timedelta(minutes=settings.outside_refresh_minutes)
    return row.refreshed_at is not None and now - row.refreshed_at <= 2 * period


def view(row: OutsideCalendar, now: datetime, settings: Settings) -> CalendarOut:
    return CalendarOut(
        id=row.id,
        kind=row.kind,
        name=row.name,
        host=row.host,
        collections=[Collection(href=c["href"], name=c["name"]) for c in row.collections],
        write_to=row.write_href,
        created_at=row.created_at,
        refreshed_at=row.refreshed_at,
        checked_at=row.checked_at,
        changed_at=row.changed_at,
        fresh=fresh(row, now, settings),
        error=row.error,
    )


def unchecked_warning(response: Response, unread: list[str]) -> None:
    """Say on a REST answer that a booking went ahead without re-reading some calendars
    (``OUTSIDE_UNREADABLE=proceed``). A header, so the Reservation's shape stays the contract's;
    counted, not named: header values are Latin-1 and names are anyone's text."""
    if unread:
        response.headers["Warning"] = (
            f'199 concierge "booked without re-reading {len(unread)} outside calendar(s) '
            'that did not answer in time; their last known busy times were used"'
        )
