"""Availability, free slots, common free time and reservations between people."""
