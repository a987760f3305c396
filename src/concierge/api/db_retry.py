"""A database that drops a connection (terminated backend, restart, failover) is not the
client's problem: the request is run once more on a new connection when that is safe, and is
otherwise answered 503 with ``Retry-After``, never 500.

Safe to run again: reads (GET, HEAD, OPTIONS), and writes that carry an ``Idempotency-Key`` (a
second run that finds the first one committed replays its answer). A failed unit of work never
committed (the unit of work commits once, at the end), so a write without a key that failed
is not done, unless the connection broke during the commit itself, which no server can tell
apart; the client is told to try again (the overlap guard refuses a second copy of a booking).
Nothing is retried once the response has begun.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from concierge.api.problems import problem_response

log = logging.getLogger(__name__)

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_AFTER_SECONDS = 1


def is_transient(exc: BaseException) -> bool:
    """A lost or refused connection, or a busy database: worth another try, not a bug."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError)


def _retry_safe(scope: Scope) -> bool:
    if scope.get("method") in _SAFE_METHODS:
        return True
    return any(name == b"idempotency-key" for name, _ in scope.get("headers", ()))


class RetryOnDatabaseHiccup:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        started = False

        async def recording() -> Message:
            message = await receive()
            received.append(message)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, recording, watched)
            return
        except Exception as exc:
            if started or not is_transient(exc):
                raise
            if not _retry_safe(scope):
                log.warning("database connection lost during a write; answered 503")
                await _unavailable(scope, receive, send)
                return
            log.warning("database connection lost; running the request once more")

        replay = list(received)

        async def replaying() -> Message:
            return replay.pop(0) if replay else await receive()

        started = False
        try:
            await self.app(scope, replaying, watched)
        except Exception as exc:
            if started or not is_transient(exc):
                raise
            log.warning("database connection lost twice; answered 503")
            await _unavailable(scope, receive, send)


async def _unavailable(scope: Scope, receive: Receive, send: Send) -> None:
    response = problem_response(
        503,
        "unavailable",
        "Service unavailable",
        "The database connection was lost before this request was sure to be done; try again "
        "shortly (with an Idempotency-Key, a creation is repeated safely).",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
    await response(scope, receive, send)
