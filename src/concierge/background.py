"""Loops that run beside the requests (the hold sweeper, venue sync) and stop cleanly.

A loop stops *between* cycles: stopping sets an event the loop waits on instead of sleeping, and
then waits for the cycle in progress to finish, so a cycle (one unit of work, one commit) is
never cut in half. Only a cycle that outlives ``stop_timeout`` is cancelled, and then its
transaction rolls back whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Tick = Callable[[], Awaitable[object]]


class PeriodicTask:
    def __init__(
        self,
        name: str,
        interval: float,
        tick: Tick,
        *,
        stop_timeout: float = 30.0,
        stop: asyncio.Event | None = None,
    ) -> None:
        self.name = name
        self.interval = interval
        self.tick = tick
        self.stop_timeout = stop_timeout
        self.stopping = stop or asyncio.Event()
        self.cycles = 0
        self._task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Tick until stopped. A failing cycle is logged and the loop goes on."""
        while not self.stopping.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("%s: cycle failed", self.name)
            self.cycles += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), self.interval)
        log.info("%s: stopped after %d cycles", self.name, self.cycles)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name=self.name)

    async def stop(self) -> None:
        self.stopping.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), self.stop_timeout)
        except TimeoutError:
            log.warning(
                "%s: cycle still running after %.0f s, cancelling", self.name, self.stop_timeout
            )
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def stop_on_signals(stop: asyncio.Event) -> None:
    """For loops run from the CLI: SIGTERM and SIGINT set ``stop`` instead of killing the
    process mid-cycle."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
