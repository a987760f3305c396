"""Taken time, defined once: a person is busy during every active reservation they take part
in, as host or as guest. Active means confirmed, or held with its hold not yet lapsed: a lapsed
hold is free at read time whether or not the sweeper has marked it.

The slots list, common free time and booking all read taken time through ``TAKEN``; the
database guards the same rows (see migration 0500). Busy times read from a person's outside
calendars (``OUTSIDE_BUSY``, kept fresh by ``concierge.outside``) are taken time too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, or_, select

from concierge.models import OutsideBusy, Reservation, ReservationParticipant, ReservationStatus

Participant = ReservationParticipant


def takes_time(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """Reservations that take their people's time at ``now``."""
    return or_(
        Reservation.status == ReservationStatus.CONFIRMED,
        and_(Reservation.status == ReservationStatus.HELD, Reservation.hold_expires_at > now),
    )


# Each listed person's taken time overlapping ``[start, end)``: who, when, and, for a live hold,
# when it lapses. Composed once: building a statement costs more than running it.
TAKEN = (
    select(
        Participant.user_id,
        Reservation.start_at,
        Reservation.end_at,
        Reservation.status,
        Reservation.hold_expires_at,
    )
    .join(Reservation, Reservation.id == Participant.reservation_id)
    .where(
        Participant.user_id.in_(bindparam("ids", expanding=True)),
        Participant.active,
        Participant.start_at < bindparam("end"),
        Participant.end_at > bindparam("start"),
        takes_time(bindparam("now")),
    )
)

# Each listed person's outside busy times overlapping ``[start, end)``, as last read.
OUTSIDE_BUSY = select(OutsideBusy.user_id, OutsideBusy.start_at, OutsideBusy.end_at).where(
    OutsideBusy.user_id.in_(bindparam("ids", expanding=True)),
    OutsideBusy.start_at < bindparam("end"),
    OutsideBusy.end_at > bindparam("start"),
)
