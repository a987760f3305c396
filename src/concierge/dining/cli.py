"""``concierge dining search|check``: find a restaurant and read its open Resy tables from the
terminal, with the local owner's Resy login (``concierge resy login``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, NoReturn, TypeVar

import httpx
import typer
from rich.console import Console

from concierge import migrate
from concierge.clock import SystemClock
from concierge.config import Settings, get_settings
from concierge.credentials import LOCAL_OWNER, CredentialStore
from concierge.db import Database
from concierge.dining import search as searching
from concierge.dining.service import DEFAULT_FLEXIBILITY, DiningService
from concierge.errors import ConciergeError
from concierge.integrations.google_places import LatLng
from concierge.integrations.resy.auth import ResyAuthManager

T = TypeVar("T")

dining_app = typer.Typer(
    help="Restaurants: search (Google Places) and open Resy tables.", no_args_is_help=True
)
out = Console()
err = Console(stderr=True)

NearOption = Annotated[
    str | None,
    typer.Option(help='Where you are, "LAT,LNG" (biases the search, tells same names apart)'),
]


@dining_app.command("search")
def search(
    query: Annotated[str, typer.Argument(help='A name, cuisine or kind: "Carbone", "italian"')],
    near: NearOption = None,
    location: Annotated[str | None, typer.Option(help='An area: "West Village"')] = None,
    radius: Annotated[float | None, typer.Option(help="With --near: metres, at most")] = None,
    date: Annotated[str | None, typer.Option(help="Also show open tables that day")] = None,
    party: Annotated[int, typer.Option(help="Party size, with --date")] = 2,
    min_price: Annotated[int | None, typer.Option(help="1 ($) to 4 ($$$$)")] = None,
    max_price: Annotated[int | None, typer.Option(help="1 ($) to 4 ($$$$)")] = None,
    min_rating: Annotated[float | None, typer.Option(help="Google rating, 1 to 5")] = None,
    timezone: Annotated[str, typer.Option(help="Your IANA time zone")] = "America/New_York",
    limit: Annotated[int, typer.Option(help="How many restaurants (1-10)")] = 5,
) -> None:
    """Restaurants matching QUERY: neighbourhood, cuisine, price, rating, whether each is on
    Resy (with its page), and with --date their open tables."""
    point = _point(near)

    async def work(db: Database, settings: Settings, http: httpx.AsyncClient) -> list[str]:
        tokens = ResyAuthManager(http, settings, CredentialStore.for_owner(settings, LOCAL_OWNER))
        found = await searching.search(
            db,
            DiningService(http=http, settings=settings),
            tokens=tokens,
            query=query,
            location=location,
            latitude=point.latitude if point else None,
            longitude=point.longitude if point else None,
            radius_m=radius,
            date_text=date,
            party_size=party,
            min_price=min_price,
            max_price=max_price,
            min_rating=min_rating,
            limit=limit,
            now=SystemClock().now(),
            timezone=timezone,
        )
        return [hit.text() for hit in found.items]

    lines = _run(work)
    if not lines:
        out.print(f"Nothing found for {query!r}.")
    for line in lines:
        out.print(line, soft_wrap=True)


@dining_app.command("check")
def check(
    restaurant: Annotated[str, typer.Argument(help="The restaurant's name")],
    date: Annotated[str, typer.Option(help='"today", "Saturday", "Feb 14", "2026-02-14"...')],
    time: Annotated[str | None, typer.Option(help='Preferred time: "7pm", "19:00"')] = None,
    party: Annotated[int, typer.Option(help="Party size")] = 2,
    flexibility: Annotated[
        int, typer.Option(help="Minutes either side of the preferred time")
    ] = DEFAULT_FLEXIBILITY,
    timezone: Annotated[str, typer.Option(help="Your IANA time zone")] = "America/New_York",
    near: NearOption = None,
) -> None:
    """Open Resy tables at RESTAURANT on a day, nearest your preferred time first."""
    point = _point(near)

    async def work(db: Database, settings: Settings, http: httpx.AsyncClient) -> str:
        service = DiningService(http=http, settings=settings)
        tokens = ResyAuthManager(http, settings, CredentialStore.for_owner(settings, LOCAL_OWNER))
        result = await service.check_availability(
            db,
            tokens=tokens,
            restaurant=restaurant,
            date=date,
            party_size=party,
            preferred_time=time,
            flexibility_minutes=flexibility,
            now=SystemClock().now(),
            timezone=timezone,
            near=point,
        )
        text = result.text()
        return f"{text}\nBook on resy.com: {result.booking_url}" if result.booking_url else text

    out.print(_run(work), soft_wrap=True)


def _point(near: str | None) -> LatLng | None:
    if near is None:
        return None
    try:
        lat, lng = (float(part) for part in near.split(","))
    except ValueError:
        _fail('--near takes "LAT,LNG", e.g. "40.7308,-74.0000".')
    return LatLng(latitude=lat, longitude=lng)


def _run(work: Callable[[Database, Settings, httpx.AsyncClient], Awaitable[T]]) -> T:
    settings = get_settings()
    migrate.upgrade(settings.database_url)

    async def main() -> T:
        db = Database(settings.database_url)
        try:
            async with httpx.AsyncClient() as http:
                return await work(db, settings, http)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except ConciergeError as exc:
        _fail(exc.detail)


def _fail(message: str) -> NoReturn:
    err.print(f"[red]{message}[/red]")
    raise typer.Exit(1)
