"""``concierge sandbox <name>``: local stand-ins of the outside services, one command each."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help="Local stand-ins of Resy, ResyOS and Google Places, for trying things and for tests.",
    no_args_is_help=True,
)


@app.command("resyos")
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
