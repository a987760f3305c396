"""Concierge: reservations of every kind."""
