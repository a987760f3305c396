"""Calendars people keep elsewhere: CalDAV accounts and ICS feeds read for busy times, and
confirmed bookings written back into CalDAV calendars."""
