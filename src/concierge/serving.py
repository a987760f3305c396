"""How ``concierge serve`` stops: no connection reset under a request already sent.

On SIGTERM uvicorn stops listening, lets requests in progress finish, then runs the lifespan
shutdown (background loops stop between cycles). But it closes at once every connection that is
*between* requests, and such a connection may already hold the next request, unread: a
connection accepted a moment ago, or a keep-alive one the client just reused. Closing a socket
with unread data resets it, and the client cannot know whether its request was done.

So connections between requests get a short grace: a request that arrives is served, answered
with ``Connection: close``, and the connection closed; silence closes it as before. (What no
server process can help: a connection the kernel completed but the process never accepted is
reset when the listening socket closes. Take the instance out of the load balancer first, as
the README says.)
"""

from __future__ import annotations

from asyncio import TimerHandle

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

SHUTDOWN_GRACE = 1.0


class GracefulHttpToolsProtocol(HttpToolsProtocol):
    _draining = False
    _grace: TimerHandle | None = None

    def shutdown(self) -> None:
        if self.cycle is not None and not self.cycle.response_complete:
            super().shutdown()  # a request in progress: answered, then the connection closes
            return
        if not self._draining:
            self._draining = True
            self._grace = self.loop.call_later(SHUTDOWN_GRACE, self._close_if_idle)

    def _close_if_idle(self) -> None:
        self._grace = None
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        if self._draining and self.cycle is not None:
            self.cycle.keep_alive = False  # answer this one, then close
            if self._grace is not None:
                self._grace.cancel()
                self._grace = None
