"""The ASGI application: routers, error rendering, health, and what runs beside the requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI, Response
from fastapi.openapi.utils import get_openapi
from sqlalchemy import text

from concierge.accounts import service as accounts
from concierge.accounts.endpoints import router as users_router
from concierge.api import docs, operations, problems
from concierge.calendars.endpoints import router as calendars_router
from concierge.clock import Clock, SystemClock
from concierge.config import Settings, get_settings
from concierge.db import Database
from concierge.dining.watch_endpoints import router as watches_router
from concierge.dining.watch_worker import watch_worker
from concierge.mcp import http as mcp_http
from concierge.mcp.runtime import Runtime
from concierge.meeting_types.endpoints import router as meeting_types_router
from concierge.notifications.endpoints import router as notifications_router
from concierge.outbox.worker import Worker as OutboxWorker
from concierge.outside.endpoints import router as outside_calendars_router
from concierge.outside.refresh import calendar_refresher
from concierge.outside.writeback import calendar_writer
from concierge.ratelimit.deps import check_account
from concierge.reservations.endpoints import router as reservations_router
from concierge.reservations.expiry import hold_sweeper
from concierge.scheduling.cache import slots_cache
from concierge.scheduling.endpoints import router as availability_router
from concierge.venue_sync.endpoints import router as venue_router
from concierge.web.endpoints import install as install_web
from concierge.web.home import router as home_router
from concierge.webhooks.endpoints import router as webhooks_router

DESCRIPTION = """Reservations of every kind: appointments between people, restaurant tables on
Resy, and a venue's own ResyOS book.

Authenticate with `Authorization: Bearer <token>` (sign up at `POST /v1/users`). Errors are
`application/problem+json` with a stable `code`."""


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    owns_db = db is None
    database = db or Database(settings.database_url)
    the_clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            async with (
                operations.running(app),
                hold_sweeper(database, the_clock, settings.sweep_seconds).running(),
                calendar_refresher(database, the_clock, settings).running(),
                calendar_writer(database, the_clock, settings).running(),
                watch_worker(database, the_clock, settings),
                OutboxWorker(database, the_clock, settings).running(),
                mcp.running(),
            ):
                yield
        finally:
            if owns_db:
                await database.dispose()

    app = FastAPI(
        title="Concierge",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # concierge.api.docs serves both, with no CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.clock = the_clock
    app.state.token_cache = accounts.token_cache(database.changes, settings)
    app.state.slots_cache = slots_cache(database.changes, settings)

    problems.install(app)
    operations.install(app, settings)
    app.include_router(users_router)
    app.include_router(availability_router)
    app.include_router(venue_router)
    app.include_router(reservations_router)
    app.include_router(calendars_router)
    app.include_router(outside_calendars_router)
    app.include_router(watches_router)
    app.include_router(webhooks_router)
    app.include_router(notifications_router)
    app.include_router(meeting_types_router)
    install_web(app)
    app.include_router(home_router)
    runtime = Runtime(
        db=database,
        clock=the_clock,
        settings=settings,
        booking_guard=partial(check_account, app.state.rate_limiter, "mcp_booking"),
    )
    app.state.mcp_runtime = runtime
    mcp = mcp_http.mount(app, runtime)
    _health(app)
    docs.install(app)
    _document_problems(app)
    return app


def create_served_app() -> FastAPI:
    """The app as ``concierge serve`` runs it (in every worker process): logging configured
    first, from the same settings."""
    from concierge.observability.logs import configure_logging

    settings = get_settings()
    configure_logging(settings)
    return create_app(settings)


def _health(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """200 while the process runs."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        responses={503: {"description": "The database does not answer"}},
    )
    async def readyz(response: Response) -> dict[str, str]:
        """200 only when the database answers."""
        try:
            async with app.state.db.unit_of_work(write=False) as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            response.status_code = 503
            return {"status": "database unavailable"}
        return {"status": "ok"}


def _document_problems(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schema = operations.document(schema, app.state.settings)
            app.openapi_schema = problems.add_problem_schema(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
