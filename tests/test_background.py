"""Background loops stop between cycles: a cycle in progress finishes, no new one starts."""

from __future__ import annotations

import asyncio

import pytest

from concierge.background import PeriodicTask

pytestmark = pytest.mark.anyio


async def test_stopping_waits_for_the_cycle_in_progress_and_starts_no_other() -> None:
    events: list[str] = []
    inside, release = asyncio.Event(), asyncio.Event()

    async def tick() -> None:
        events.append("start")
        inside.set()
        await release.wait()
        events.append("end")

    loop = PeriodicTask("test", interval=3600, tick=tick)
    loop.start()
    await inside.wait()
    stopping = asyncio.create_task(loop.stop())
    await asyncio.sleep(0)  # let stop() begin waiting
    assert not stopping.done()
    release.set()
    await stopping
    assert events == ["start", "end"]
    assert loop.cycles == 1


async def test_an_idle_loop_stops_at_once_without_waiting_out_its_interval() -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        ticks += 1

    loop = PeriodicTask("idle", interval=3600, tick=tick)
    loop.start()
    await asyncio.sleep(0)
    await asyncio.wait_for(loop.stop(), timeout=5)
    assert ticks == 1


async def test_a_failing_cycle_is_logged_and_the_loop_goes_on() -> None:
    calls = 0
    second = asyncio.Event()

    async def tick() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("transient")
        second.set()

    loop = PeriodicTask("flaky", interval=0, tick=tick)
    loop.start()
    await asyncio.wait_for(second.wait(), timeout=5)
    await loop.stop()
    assert calls >= 2


async def test_a_cycle_that_outlives_the_stop_timeout_is_cancelled() -> None:
    cancelled = asyncio.Event()

    async def stuck() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    loop = PeriodicTask("stuck", interval=3600, tick=stuck, stop_timeout=0.05)
    loop.start()
    await asyncio.sleep(0)
    await loop.stop()
    assert cancelled.is_set()
