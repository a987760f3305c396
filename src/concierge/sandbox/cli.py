"""``concierge sandbox <name>``: run a local stand-in of an outside service, one command each."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

sandbox_app = typer.Typer(
    help="Local stand-ins of the outside services, for trying Concierge offline.",
    no_args_is_help=True,
)
console = Console(stderr=True)


@sandbox_app.command("resy")
def resy(
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port)")] = 8765,
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    release_time: Annotated[
        str, typer.Option(help="Venue-local time a new day's tables are released (HH:MM)")
    ] = "00:00",
) -> None:
    """A stand-in Resy (API and login page) with demo venues and a demo account.

    Its clock runs from the real time and can be moved (POST /__sandbox/clock), so a
    release can be watched without waiting for it."""
    from datetime import time

    from concierge.clock import RunningClock
    from concierge.sandbox import loopback
    from concierge.sandbox.resy import ResyWorld, create_app
    from concierge.sandbox.resy_data import DEMO_PASSWORD, USERS, VENUES

    sock = loopback.bind(port, host)
    url = loopback.url_of(sock)
    venues = ", ".join(f"{v.name} ({v.id})" for v in VENUES)
    console.print(f"Stand-in Resy on {url}  ·  venues: {venues}")
    console.print(f"Demo account: {USERS[0].email} / {DEMO_PASSWORD}")
    console.print(f"Point Concierge at it:  export CONCIERGE_RESY_BASE_URL={url} ", end="")
    console.print(f"CONCIERGE_RESY_WEB_URL={url}", soft_wrap=True)
    console.print(f"Faults: curl -X POST {url}/__sandbox/faults -d '{{\"rate_limit\": 3}}'")
    world = ResyWorld(RunningClock())
    world.release_time = time.fromisoformat(release_time)
    loopback.serve_forever(create_app(world), sock, log_level="info")


@sandbox_app.command("google-places")
def google_places(
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port)")] = 8766,
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    api_key: Annotated[
        str | None, typer.Option(help="The key it accepts (default: the sandbox key)")
    ] = None,
) -> None:
    """A stand-in Google Places Text Search with the stand-in Resy's restaurants, look-alikes
    and places that are not on Resy."""
    from concierge.sandbox import loopback
    from concierge.sandbox.google_places import PLACES, SANDBOX_API_KEY, create_app

    key = api_key or SANDBOX_API_KEY
    sock = loopback.bind(port, host)
    url = loopback.url_of(sock)
    console.print(f"Stand-in Google Places on {url}  ·  {len(PLACES)} places")
    console.print(
        f"Point Concierge at it:  export CONCIERGE_GOOGLE_PLACES_BASE_URL={url} "
        f"CONCIERGE_GOOGLE_PLACES_API_KEY={key}",
        soft_wrap=True,
    )
    loopback.serve_forever(create_app(api_key=key), sock, log_level="info")


@sandbox_app.command("resyos")
def resyos(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1; 0 picks a free one")] = 8031,
    reservations: Annotated[int, typer.Option(help="Reservations in the book")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the generated book")] = 0,
    venue_id: Annotated[str, typer.Option(help="The venue id it answers for")] = "9001",
    timezone: Annotated[str, typer.Option(help="The venue's IANA zone")] = "America/New_York",
    token_ttl: Annotated[float, typer.Option(help="Seconds a venue token lives")] = 3600.0,
    latency: Annotated[float, typer.Option(help="Seconds added to every API answer")] = 0.0,
) -> None:
    """A stand-in ResyOS (auth and API on one port) holding a generated book.

    Point the sync at it with CONCIERGE_RESYOS_API_URL and CONCIERGE_RESYOS_AUTH_URL set to the
    printed address, CONCIERGE_RESYOS_VENUE_ID to the venue id and CONCIERGE_RESYOS_TOKEN to the
    printed long-lived token. Admin calls live under /__sandbox/ (see the module's docstring).
    """
    from concierge.sandbox import loopback
    from concierge.sandbox.resyos import LONG_LIVED_TOKEN, ResyOSStandIn

    stand_in = ResyOSStandIn(
        reservations=reservations,
        seed=seed,
        venue_id=venue_id,
        timezone=timezone,
        token_ttl=token_ttl,
        latency=latency,
    )
    sock = loopback.bind(port)
    url = loopback.url_of(sock)
    # The first line is machine-read by tests: keep the URL first.
    print(f"{url} ResyOS stand-in: venue {venue_id}, {len(stand_in.book)} reservations", flush=True)
    print(
        f"  CONCIERGE_RESYOS_API_URL={url} CONCIERGE_RESYOS_AUTH_URL={url} "
        f"CONCIERGE_RESYOS_VENUE_ID={venue_id} CONCIERGE_RESYOS_TOKEN={LONG_LIVED_TOKEN}",
        flush=True,
    )
    loopback.serve_forever(stand_in.app, sock)
