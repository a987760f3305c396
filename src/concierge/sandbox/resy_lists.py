"""The stand-in Resy's lists of a person: favorites (``/3/user/favorites``) and Priority
Notify (``/3/notify``), in the shapes public clients read (see integrations/resy/lists_schemas).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from concierge.sandbox.resy_wire import error
from concierge.sandbox.resy_world import Account, ResyWorld

Caller = Callable[[Request], "Account | Response"]


def routes(world: ResyWorld, require_caller: Caller) -> list[Route]:
    async def favorites(request: Request) -> Response:
        account = require_caller(request)
        if isinstance(account, Response):
            return account
        mine = world.favorites.setdefault(account.id, [])
        if request.method == "POST":
            form = await request.form()
            try:
                venue_id = int(str(form.get("venue_id")))
            except ValueError:
                return error(400, "venue_id is required")
            if venue_id not in world.venues:
                return error(404, "Venue not found")
            if str(form.get("favorite")) == "1" and venue_id not in mine:
                mine.append(venue_id)
            elif str(form.get("favorite")) == "0" and venue_id in mine:
                mine.remove(venue_id)
            return JSONResponse({"favorite": venue_id in mine})
        venues = [_favorite_json(world, v) for v in mine]
        return JSONResponse({"results": {"venues": venues}, "metadata": {"total": len(venues)}})

    async def notify(request: Request) -> Response:
        account = require_caller(request)
        if isinstance(account, Response):
            return account
        if request.method == "POST":
            form = await request.form()
            try:
                venue_id = int(str(form.get("venue_id")))
                day = date.fromisoformat(str(form.get("day")))
                party = int(str(form.get("party_size")))
                start = time.fromisoformat(str(form.get("time_preferred_start")))
                end = time.fromisoformat(str(form.get("time_preferred_end")))
            except ValueError:
                return error(400, "venue_id, day, party_size and the time window are required")
            if venue_id not in world.venues:
                return error(404, "Venue not found")
            if end <= start:
                return error(400, "time_preferred_end must be after time_preferred_start")
            world.notify_counter += 1
            specs = {
                "notify_request_id": world.notify_counter,
                "venue_id": venue_id,
                "day": day.isoformat(),
                "party_size": party,
                "time_preferred_start": start.strftime("%H:%M:%S"),
                "time_preferred_end": end.strftime("%H:%M:%S"),
                "service_type_id": 2,
            }
            world.notify.append({"user_id": account.id, "specs": specs})
            return JSONResponse({"notify": {"specs": specs}}, status_code=201)
        mine = [{"specs": n["specs"]} for n in world.notify if n["user_id"] == account.id]
        return JSONResponse({"notify": mine})

    async def notify_one(request: Request) -> Response:
        account = require_caller(request)
        if isinstance(account, Response):
            return account
        wanted = int(request.path_params["notify_id"])
        found = next(
            (
                n
                for n in world.notify
                if n["user_id"] == account.id and n["specs"]["notify_request_id"] == wanted
            ),
            None,
        )
        if found is None:
            return error(404, "Notify request not found")
        world.notify.remove(found)
        return JSONResponse({"deleted": True})

    return [
        Route("/3/user/favorites", favorites, methods=["GET", "POST"]),
        Route("/3/notify", notify, methods=["GET", "POST"]),
        Route("/3/notify/{notify_id:int}", notify_one, methods=["DELETE"]),
    ]


def _favorite_json(world: ResyWorld, venue_id: int) -> dict[str, Any]:
    venue = world.venues[venue_id]
    return {
        "venue": {
            "id": {"resy": venue.id},
            "name": venue.name,
            "type": venue.cuisine[0],
            "url_slug": venue.url_slug,
            "price_range": venue.price_range,
            "location": {
                "locality": venue.locality,
                "region": venue.region,
                "neighborhood": venue.neighborhood,
            },
        }
    }
