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
) -> None:
    """A stand-in Resy (API and login page) with demo venues and a demo account."""
    import socket

    import uvicorn

    from concierge.sandbox.resy import create_app
    from concierge.sandbox.resy_data import DEMO_PASSWORD, USERS, VENUES

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    url = f"http://{host}:{sock.getsockname()[1]}"
    venues = ", ".join(f"{v.name} ({v.id})" for v in VENUES)
    console.print(f"Stand-in Resy on {url}  ·  venues: {venues}")
    console.print(f"Demo account: {USERS[0].email} / {DEMO_PASSWORD}")
    console.print(f"Point Concierge at it:  export CONCIERGE_RESY_BASE_URL={url} ", end="")
    console.print(f"CONCIERGE_RESY_WEB_URL={url}", soft_wrap=True)
    console.print(f"Faults: curl -X POST {url}/__sandbox/faults -d '{{\"rate_limit\": 3}}'")
    config = uvicorn.Config(create_app(), log_level="info")
    uvicorn.Server(config).run(sockets=[sock])


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
    import socket

    import uvicorn

    from concierge.sandbox.google_places import PLACES, SANDBOX_API_KEY, create_app

    key = api_key or SANDBOX_API_KEY
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    url = f"http://{host}:{sock.getsockname()[1]}"
    console.print(f"Stand-in Google Places on {url}  ·  {len(PLACES)} places")
    console.print(
        f"Point Concierge at it:  export CONCIERGE_GOOGLE_PLACES_BASE_URL={url} "
        f"CONCIERGE_GOOGLE_PLACES_API_KEY={key}",
        soft_wrap=True,
    )
    config = uvicorn.Config(create_app(api_key=key), log_level="info")
    uvicorn.Server(config).run(sockets=[sock])
