"""Reading one connected calendar's busy times over the network: no database, no clock reads.

A read is conditional whenever it can be: an ICS feed is fetched with ``If-None-Match`` /
``If-Modified-Since`` (a 304 is one request that changes nothing), a CalDAV calendar is asked
for its sync-token or ctag first (one PROPFIND) and its events are read only when that changed.
The busy times cover a window ahead of now; when the window stored has fallen more than a week
behind, the read is whole again so that recurring events further out come in.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from concierge.errors import ConciergeError
from concierge.outbound import OutboundRefused, Policy, fetch
from concierge.outside import caldav
from concierge.outside.ics_busy import UnreadableCalendar, busy_intervals
from concierge.outside.secrets import Secret
from concierge.scheduling.engine import Interval

CALDAV, ICS = "caldav", "ics"
_SLIDE = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Source:
    """What reading one connection needs, detached from the database."""

    id: int
    user_id: int
    kind: str
    name: str
    secret: Secret
    collections: tuple[str, ...]
    validators: dict[str, Any]
    tz: ZoneInfo
    # The UID domain of the events this install writes back, which are not outside busy time.
    own_domain: str | None = None


@dataclass(slots=True)
class Reading:
    """One read: the busy times when they changed (``None``: unchanged), what makes the next
    read conditional, how many requests it took, or why it failed."""

    busy: list[Interval] | None = None
    validators: dict[str, Any] = field(default_factory=dict)
    requests: int = 0
    events: int = 0
    error: str | None = None
    refused: bool = False  # the address itself is not allowed (not a passing failure)


def window(now: datetime, days_ahead: int) -> Interval:
    return Interval(now - timedelta(days=1), now + timedelta(days=days_ahead))


async def read(http: httpx.AsyncClient, policy: Policy, source: Source, span: Interval) -> Reading:
    """Read ``source`` once; failures come back as ``Reading.error``, never raised."""
    stored_end = source.validators.get("window_end")
    whole = stored_end is None or datetime.fromisoformat(stored_end) < span.end - _SLIDE
    reading = Reading()
    try:
        if source.kind == ICS:
            await _read_ics(http, policy, source, span, whole, reading)
        else:
            await _read_caldav(http, policy, source, span, whole, reading)
    except TimeoutError:
        reading.error = f"did not answer within {policy.timeout:g} seconds"
    except OutboundRefused as exc:
        reading.error, reading.refused = exc.detail, True
    except ConciergeError as exc:
        reading.error = exc.detail
    except UnreadableCalendar as exc:
        reading.error = f"the answer is {exc}"
    if reading.error is None and reading.busy is not None:
        reading.validators["window_end"] = span.end.isoformat()
    elif reading.error is None:
        reading.validators.setdefault("window_end", stored_end)
    return reading


async def _read_ics(
    http: httpx.AsyncClient,
    policy: Policy,
    source: Source,
    span: Interval,
    whole: bool,
    reading: Reading,
) -> None:
    old = source.validators
    headers = {"Accept": "text/calendar"}
    if not whole and old.get("etag"):
        headers["If-None-Match"] = old["etag"]
    if not whole and old.get("last_modified"):
        headers["If-Modified-Since"] = old["last_modified"]
    answer = await fetch(http, "GET", source.secret.url, policy, headers=headers)
    reading.requests += 1
    kept: dict[str, Any] = {k: old[k] for k in ("etag", "last_modified", "sha256") if k in old}
    if answer.status_code == 304:
        reading.validators = kept
        return
    if answer.status_code != 200:
        reading.error = f"the feed answered HTTP {answer.status_code}"
        return
    digest = hashlib.sha256(answer.content).hexdigest()
    reading.validators = {"sha256": digest}
    for header, key in (("etag", "etag"), ("last-modified", "last_modified")):
        if answer.headers.get(header):
            reading.validators[key] = answer.headers[header]
    if not whole and digest == old.get("sha256"):
        return  # a server without conditional GET sent the same bytes again
    reading.busy = await _parsed([answer.content], span, source)
    reading.events = answer.content.count(b"BEGIN:VEVENT")


async def _read_caldav(
    http: httpx.AsyncClient,
    policy: Policy,
    source: Source,
    span: Interval,
    whole: bool,
    reading: Reading,
) -> None:
    auth = source.secret.auth
    known: dict[str, str | None] = source.validators.get("markers", {})
    async with asyncio.timeout(policy.timeout):  # the network part, whatever it takes
        found = await asyncio.gather(
            *(caldav.markers(http, policy, href, auth) for href in source.collections)
        )
    reading.requests += len(source.collections)
    now_markers = dict(zip(source.collections, found, strict=True))
    reading.validators = {"markers": now_markers}
    unchanged = all(m is not None and known.get(h) == m for h, m in now_markers.items())
    if unchanged and not whole:
        return
    async with asyncio.timeout(policy.timeout):
        texts = await asyncio.gather(
            *(caldav.events_between(http, policy, href, auth, span) for href in source.collections)
        )
    reading.requests += len(source.collections)
    flat = [text for group in texts for text in group]
    reading.busy = await _parsed(flat, span, source)
    reading.events = len(flat)


async def _parsed(texts: list[bytes] | list[str], span: Interval, source: Source) -> list[Interval]:
    """Parsing a big feed takes seconds of CPU: in a thread, so the server keeps answering
    meanwhile. Not under the network time limit: the bytes are already here and bounded."""
    try:
        return await asyncio.to_thread(busy_intervals, texts, span, source.tz, source.own_domain)
    except UnreadableCalendar:
        raise
    except Exception as exc:  # a feed the libraries choke on is that feed's error, no one else's
        kind = type(exc).__name__
        raise UnreadableCalendar(f"not a calendar this server can read ({kind})") from exc
