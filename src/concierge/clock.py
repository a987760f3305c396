"""The one source of "now". Production reads the system clock; tests set it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to: tests expire holds without sleeping."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime) -> None:
        self._now = at.astimezone(UTC)

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now


class RunningClock:
    """Real time from a settable start: it runs like the system clock, but from where it was
    set (a stand-in's clock that tests or a demo move to a release moment)."""

    def __init__(self, at: datetime | None = None) -> None:
        self.set(at or datetime.now(UTC))

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._mark)

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("RunningClock needs an aware datetime")
        self._start, self._mark = at.astimezone(UTC), time.monotonic()
