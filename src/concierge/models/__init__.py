"""All tables, imported here so that ``Base.metadata`` knows every one of them."""

from concierge.models.availability import DateOverride, WeeklySchedule
from concierge.models.base import Base, UTCDateTime
from concierge.models.booking_pages import CalendarFeed, ManageLink
from concierge.models.dining import Restaurant
from concierge.models.dining_bookings import DiningReservation, DiningStatus, DiningVisit
from concierge.models.dining_watches import DiningWatch, DiningWatchEntry, WatchStatus
from concierge.models.meeting_types import LocationKind, MeetingType
from concierge.models.outbox import NotificationSettings, OutboxMessage
from concierge.models.outside_calendars import CalendarWrite, OutsideBusy, OutsideCalendar
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
from concierge.models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "ACTIVE_STATUSES",
    "ApiToken",
    "Base",
    "CalendarFeed",
    "CalendarWrite",
    "DateOverride",
    "DiningReservation",
    "DiningStatus",
    "DiningVisit",
    "DiningWatch",
    "DiningWatchEntry",
    "IdempotencyRecord",
    "LocationKind",
    "ManageLink",
    "MeetingType",
    "NotificationSettings",
    "OutboxMessage",
    "OutsideBusy",
    "OutsideCalendar",
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
    "WatchStatus",
    "WebhookDelivery",
    "WebhookSubscription",
    "WeeklySchedule",
]
