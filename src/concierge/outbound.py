"""Outbound HTTP to addresses people give us (calendar feeds, CalDAV servers, webhooks).

A URL a user typed must not become a way into our own network: only ``http``/``https``, and
every address its host resolves to must be public unless the admin setting
``CONCIERGE_OUTBOUND_ALLOW_PRIVATE`` allows private, loopback and link-local ones. The check runs
where the socket is opened (a guarded network backend under httpx), on the very address the
connection uses, so a name that resolves to a public address when checked and to 127.0.0.1 when
connecting (DNS rebinding) is refused too; redirects are never followed blindly, each hop is a
new connection and passes the same check. Every fetch has a time limit for the whole exchange
and a size limit on the body read.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from concierge.config import Settings
from concierge.errors import ConciergeError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(ConciergeError):
    """The URL may not be fetched: wrong scheme, or a host on a private network."""

    status, code, title = 422, "url_refused", "Address not allowed"


class OutboundFailed(ConciergeError):
    """The remote end could not be read in time, or answered too much."""

    status, code, title = 502, "outbound_failed", "Remote server unreachable"


@dataclass(frozen=True, slots=True)
class Policy:
    """What one kind of outbound call may do."""

    allow_private: bool = False
    timeout: float = 10.0  # seconds for the whole exchange, connect to last byte
    max_bytes: int = 5_000_000
    max_redirects: int = 3


def check_url(url: str | httpx.URL) -> httpx.URL:
    """``url`` parsed, when it is an absolute http(s) URL with a host; ``OutboundRefused``
    otherwise. Addresses are checked when connecting (see the module's docstring)."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise OutboundRefused(f"{_shown(url)} is not a URL.") from exc
    if parsed.scheme not in ("http", "https"):
        raise OutboundRefused(
            f"Only http:// and https:// addresses can be used (got {parsed.scheme or 'none'}:)."
        )
    if not parsed.host:
        raise OutboundRefused(f"{_shown(url)} has no host name.")
    return parsed


def refused_address(address: str, *, allow_private: bool) -> str | None:
    """Why a connection to ``address`` (an IP literal) is refused, or None when it may go."""
    ip: Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return f"{ip} is not a host address"
    if allow_private:
        return None
    if ip.is_loopback or ip.is_link_local or ip.is_private or not ip.is_global:
        return f"{ip} is a private, loopback or link-local address"
    return None


async def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return [host.strip("[]")]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"{host} does not resolve") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses the policy allows, by address (never by name
    again, so the name cannot resolve elsewhere between the check and the connect)."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port)
        reasons = [refused_address(a, allow_private=self._policy.allow_private) for a in addresses]
        allowed = [a for a, why in zip(addresses, reasons, strict=True) if why is None]
        if not allowed or any(reasons):
            # One private answer among public ones is refused as a whole: which of them a
            # client would pick is not ours to guess.
            raise _Refused(next(why for why in reasons if why))
        return await self._inner.connect_tcp(
            allowed[0], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise _Refused("unix sockets are not reachable from outside")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Refused(httpcore.ConnectError):
    """Raised inside httpx's stack; ``fetch`` turns it into ``OutboundRefused``."""


class _GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, policy: Policy) -> None:
        super().__init__(retries=0)
        # httpx builds its connection pool without a way to pass a network backend in.
        self._pool._network_backend = _GuardedBackend(policy)


def client(policy: Policy, **options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose every connection passes ``policy``'s address check; no
    proxies from the environment (they would be the ones connecting), no automatic redirects."""
    return httpx.AsyncClient(
        transport=_GuardedTransport(policy),
        timeout=httpx.Timeout(policy.timeout),
        follow_redirects=False,
        trust_env=False,
        **options,
    )


@dataclass(frozen=True, slots=True)
class Fetched:
    """An answer read whole, within the limits."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    url: httpx.URL

    @property
    def text(self) -> str:
        charset = httpx.Headers(self.headers).get("content-type", "")
        encoding = "utf-8"
        if "charset=" in charset:
            encoding = charset.split("charset=", 1)[1].split(";")[0].strip() or encoding
        return self.content.decode(encoding, errors="replace")


async def fetch(
    http: httpx.AsyncClient,
    method: str,
    url: str | httpx.URL,
    policy: Policy,
    *,
    headers: Mapping[str, str] | None = None,
    content: bytes | str | None = None,
    auth: httpx.Auth | tuple[str, str] | None = None,
) -> Fetched:
    """One request through ``http`` (made by ``client``), following up to
    ``policy.max_redirects`` redirects for GET, each checked; the body read up to
    ``policy.max_bytes``. ``OutboundRefused`` for an address not allowed, ``OutboundFailed``
    for a timeout, a network error or a body too large."""
    target = check_url(url)
    try:
        async with asyncio.timeout(policy.timeout):
            for _ in range(policy.max_redirects + 1):
                answer = await _one(http, method, target, policy, headers, content, auth)
                location = answer.headers.get("location")
                if method.upper() == "GET" and answer.status_code in _REDIRECTS and location:
                    hop = check_url(target.join(location))
                    if _origin(hop) != _origin(target):
                        # Credentials are for the server they were given for (as browsers and
                        # httpx do): another host is never sent them.
                        auth = None
                        headers = {
                            k: v
                            for k, v in (headers or {}).items()
                            if k.lower() not in _CREDENTIALS
                        }
                    target = hop
                    continue
                return answer
            raise OutboundFailed(f"{_shown(url)} redirects more than {policy.max_redirects} times.")
    except _Refused as exc:
        raise OutboundRefused(
            f"{_shown(url)} is on a network Concierge may not reach ({exc}); an admin may allow "
            "private addresses with CONCIERGE_OUTBOUND_ALLOW_PRIVATE."
        ) from None
    except TimeoutError:
        raise OutboundFailed(
            f"{_shown(url)} did not answer within {policy.timeout:g} seconds."
        ) from None
    except httpx.HTTPError as exc:
        if isinstance(exc.__context__, _Refused) or isinstance(exc.__cause__, _Refused):
            raise OutboundRefused(
                f"{_shown(url)} is on a network Concierge may not reach; an admin may allow "
                "private addresses with CONCIERGE_OUTBOUND_ALLOW_PRIVATE."
            ) from None
        raise OutboundFailed(
            f"{_shown(url)} could not be reached ({type(exc).__name__})."
        ) from None


_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CREDENTIALS = frozenset({"authorization", "cookie", "proxy-authorization"})


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


async def _one(
    http: httpx.AsyncClient,
    method: str,
    url: httpx.URL,
    policy: Policy,
    headers: Mapping[str, str] | None,
    content: bytes | str | None,
    auth: httpx.Auth | tuple[str, str] | None,
) -> Fetched:
    request = http.build_request(method, url, headers=headers, content=content)
    response = await http.send(request, stream=True, auth=auth or httpx.USE_CLIENT_DEFAULT)
    try:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > policy.max_bytes:
            raise _too_large(url, policy)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > policy.max_bytes:
                raise _too_large(url, policy)
    finally:
        await response.aclose()
    return Fetched(response.status_code, response.headers, bytes(body), url)


def _too_large(url: httpx.URL, policy: Policy) -> OutboundFailed:
    return OutboundFailed(f"{_shown(url)} answered more than {policy.max_bytes:,} bytes.")


def _shown(url: object) -> str:
    """A URL without its secret parts (user info, path and query may carry tokens)."""
    try:
        parsed = httpx.URL(str(url))
    except Exception:
        return "The address"
    if not parsed.host:
        return "The address"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}/…"


def policy_from(settings: Settings) -> Policy:
    """The admin's outbound settings as a ``Policy``."""
    return Policy(
        allow_private=settings.outbound_allow_private,
        timeout=settings.outbound_timeout,
        max_bytes=settings.outbound_max_bytes,
    )
