"""Readable forms of dates and times, as a person would say them ("Sat Feb 14", "7:30 PM")."""

from __future__ import annotations

from datetime import date, datetime, time


def day(d: date) -> str:
    return f"{d:%a %b} {d.day}"


def clock(t: time | datetime) -> str:
    hour = t.hour % 12 or 12
    return f"{hour}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def minutes(n: int) -> str:
    if n % 60 == 0:
        hours = n // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{n} minutes"


def length(n: int) -> str:
    """As an adjective: "30-minute", "1-hour", "90-minute"."""
    return f"{n // 60}-hour" if n % 60 == 0 and n >= 60 else f"{n}-minute"
