"""How tables open at the stand-in Resy: releases at a set time, and cancellations at random.

A venue releases a new day's tables ``horizon_days`` ahead at ``release_time`` on its own
clock (``ResyWorld.last_open_day``); the calendar's ``last_calendar_day`` moves at that moment,
as Resy's does. Other diners hold tables too (``sell_out`` takes every table of a day), and
free them again at random (``cancel_at_random``, from a seeded generator, so a test or a
benchmark sees the same cancellations each run).

Admin routes (not part of Resy), under ``/__sandbox``:

- ``POST /release`` ``{"release_time": "09:00", "horizon_days": 30}``
- ``POST /sell-out`` ``{"venue_id": 1505, "day": "2026-12-24"}`` -> tables taken
- ``POST /cancellations`` ``{"count": 1, "seed": 7, "venue_id"?, "day"?}`` -> what was freed
- ``GET|POST /clock`` ``{"now": "<instant>"}``: read or set the stand-in's clock (when settable)
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from concierge.sandbox.resy_data import DemoVenue
from concierge.sandbox.resy_wire import error
from concierge.sandbox.resy_world import ResyWorld

Taken = tuple[int, date, time, str]


def day_times(venue: DemoVenue, day: date) -> list[time]:
    """Every table time of ``day`` at ``venue``, released or not."""
    start = datetime.combine(day, time.fromisoformat(venue.opens))
    end = datetime.combine(day, time.fromisoformat(venue.closes))
    times = []
    while start <= end:
        times.append(start.time())
        start += timedelta(minutes=venue.step_minutes)
    return times


def sell_out(world: ResyWorld, venue_id: int, day: date) -> int:
    """Other diners take every table of ``day`` at the venue; how many they took."""
    venue = world.venues[venue_id]
    taken = 0
    for at in day_times(venue, day):
        for kind in venue.tables:
            key = (venue.id, day, at, kind.type)
            more = max(0, kind.count - world.taken_by_others[key])
            world.taken_by_others[key] += more
            taken += more
    return taken


def cancel_at_random(
    world: ResyWorld,
    count: int = 1,
    *,
    venue_id: int | None = None,
    day: date | None = None,
    seed: int | None = None,
) -> list[Taken]:
    """Other diners cancel ``count`` of their tables, picked at random (from ``seed`` when
    given, else the world's own seeded generator); the tables freed."""
    rng = random.Random(seed) if seed is not None else world.cancellations
    freed: list[Taken] = []
    for _ in range(count):
        held = sorted(
            key
            for key, n in world.taken_by_others.items()
            if n > 0 and venue_id in {None, key[0]} and day in {None, key[1]}
        )
        if not held:
            break
        key = rng.choice(held)
        world.taken_by_others[key] -= 1
        freed.append(key)
    return freed


def inventory_routes(world: ResyWorld, prefix: str) -> list[Route]:
    async def release(request: Request) -> Response:
        if request.method == "POST":
            data = await _json(request)
            try:
                if "release_time" in data:
                    world.release_time = time.fromisoformat(str(data["release_time"]))
                if "horizon_days" in data:
                    world.horizon_days = int(data["horizon_days"])
            except (TypeError, ValueError) as exc:
                return error(400, str(exc))
        return JSONResponse(
            {
                "release_time": world.release_time.isoformat(),
                "horizon_days": world.horizon_days,
            }
        )

    async def sold_out(request: Request) -> Response:
        data = await _json(request)
        try:
            taken = sell_out(world, int(data["venue_id"]), date.fromisoformat(str(data["day"])))
        except (KeyError, TypeError, ValueError) as exc:
            return error(400, f"venue_id and day are required ({exc})")
        return JSONResponse({"taken": taken})

    async def cancellations(request: Request) -> Response:
        data = await _json(request)
        try:
            freed = cancel_at_random(
                world,
                int(data.get("count", 1)),
                venue_id=int(data["venue_id"]) if data.get("venue_id") is not None else None,
                day=date.fromisoformat(str(data["day"])) if data.get("day") else None,
                seed=int(data["seed"]) if data.get("seed") is not None else None,
            )
        except (TypeError, ValueError) as exc:
            return error(400, str(exc))
        return JSONResponse(
            {
                "freed": [
                    {"venue_id": v, "day": d.isoformat(), "time": t.isoformat(), "type": k}
                    for v, d, t, k in freed
                ]
            }
        )

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            data = await _json(request)
            setter = getattr(world.clock, "set", None)
            if setter is None:
                return error(409, "this stand-in runs on the system clock")
            try:
                setter(datetime.fromisoformat(str(data["now"])))
            except (KeyError, TypeError, ValueError) as exc:
                return error(400, f"now must be an instant with an offset ({exc})")
        return JSONResponse({"now": world.clock.now().isoformat()})

    return [
        Route(f"{prefix}/release", release, methods=["GET", "POST"]),
        Route(f"{prefix}/sell-out", sold_out, methods=["POST"]),
        Route(f"{prefix}/cancellations", cancellations, methods=["POST"]),
        Route(f"{prefix}/clock", clock, methods=["GET", "POST"]),
    ]


async def _json(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
