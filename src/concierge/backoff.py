"""How long a background loop (hold sweeper, venue sync) waits after failed cycles: its period,
doubled per failure in a row up to MAX_BACKOFF times, so a database that is away is not
hammered and the first cycle after it is back comes soon."""

from __future__ import annotations

MAX_BACKOFF = 8


def pause_after(every: float, failures: int) -> float:
    return float(every * min(2**failures, MAX_BACKOFF))
