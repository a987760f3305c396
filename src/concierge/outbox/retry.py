"""When a failed send is tried again: exponential backoff with full jitter, from 10 s up to an
hour between tries, until ``outbox_retry_hours`` after the message was written (25 h by
default: a receiver down for a day still gets everything)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

FIRST = 10.0
LONGEST = 3600.0


def next_try(attempts: int, now: datetime, rng: random.Random | None = None) -> datetime:
    """After the ``attempts``-th failure in a row (1 for the first)."""
    ceiling = min(LONGEST, FIRST * 2 ** (attempts - 1))
    # Half fixed, half random: spread out, yet never sooner than half the backoff.
    pause = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
    return now + timedelta(seconds=pause)


def gives_up(created_at: datetime, now: datetime, retry_hours: float) -> bool:
    return now - created_at >= timedelta(hours=retry_hours)
