"""All tables, imported here so that ``Base.metadata`` knows every one of them."""

from concierge.models.availability import DateOverride, WeeklySchedule
from concierge.models.base import Base, UTCDateTime
from concierge.models.booking_pages import CalendarFeed, ManageLink
from concierge.models.dining import Restaurant
from concierge.models.dining_bookings import DiningReservation, DiningStatus, DiningVisit
from concierge.models.meeting_types import LocationKind, MeetingType
from concierge.models.reservations import (
    ACTIVE_STATUSES,
    IdempotencyRecord,
    ParticipantRole,
    Reservation,
    ReservationParticipant,
    ReservationStatus,
)
from concierge.models.users import ApiToken, User
from concierge.models.venue import (
    VenueGuest,
    VenueReservation,
    VenueReservationState,
    VenueSyncCycle,
)

__all__ = [
    "ACTIVE_STATUSES",
    "ApiToken",
    "Base",
    "CalendarFeed",
    "DateOverride",
    "DiningReservation",
    "DiningStatus",
    "DiningVisit",
    "IdempotencyRecord",
    "LocationKind",
    "ManageLink",
    "MeetingType",
    "ParticipantRole",
    "Reservation",
    "ReservationParticipant",
    "ReservationStatus",
    "Restaurant",
    "UTCDateTime",
    "User",
    "VenueGuest",
    "VenueReservation",
    "VenueReservationState",
    "VenueSyncCycle",
    "WeeklySchedule",
]
