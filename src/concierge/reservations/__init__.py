"""Reservations between people: hold, confirm, cancel, expire; never a double booking."""
