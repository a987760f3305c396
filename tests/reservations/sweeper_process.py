"""A sweep run in a child process, kept apart from the test modules so that the child imports
only what a sweeper needs (spawned processes start from scratch)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from concierge.clock import FrozenClock
from concierge.db import Database
from concierge.reservations import expiry


def sweep(url: str, now: datetime, barrier: Any, results: Any) -> None:
    """Connect, wait for the other sweeper, sweep once, and report the ids this one expired."""

    async def main() -> list[int]:
        db = Database(url)
        try:
            async with db.engine.connect():  # connect first: race the sweeps, not the logins
                pass
            barrier.wait(timeout=60)
            return await expiry.sweep_once(db, FrozenClock(now))
        finally:
            await db.dispose()

    results.put(asyncio.run(main()))
