"""``concierge sandbox``: run the local stand-ins of outside services, for trying Concierge
offline and for tests. Each listens on loopback unless told otherwise."""

from __future__ import annotations

from typing import Annotated

import typer

sandbox_app = typer.Typer(
    help="Local stand-ins of Resy, ResyOS and Google Places.", no_args_is_help=True
)


@sandbox_app.command("google-places")
def google_places(
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8702,
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    api_key: Annotated[
        str | None, typer.Option(help="The key it accepts (default: the sandbox key)")
    ] = None,
) -> None:
    """Serve a stand-in Google Places Text Search seeded with the Resy stand-in's restaurants.

    Point Concierge at it with CONCIERGE_GOOGLE_PLACES_BASE_URL=http://HOST:PORT and
    CONCIERGE_GOOGLE_PLACES_API_KEY set to the key it prints.
    """
    import uvicorn

    from concierge.sandbox.google_places import SANDBOX_API_KEY, create_app

    key = api_key or SANDBOX_API_KEY
    typer.echo(f"Google Places stand-in on http://{host}:{port}  (API key: {key})")
    uvicorn.run(create_app(api_key=key), host=host, port=port, log_level="warning")
