"""Calendars: a user's confirmed reservations as an ICS feed, and one booking as an .ics file."""
