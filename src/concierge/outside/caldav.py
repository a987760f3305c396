"""A small CalDAV client (RFC 4791, RFC 6578's sync-token, the calendarserver ctag) written on
``concierge.outbound``: every request is address-checked and bounded in time and size.

Hand-written rather than the ``caldav`` package: that one talks through its own synchronous HTTP
stack, which would bypass the outbound guard and block the event loop, and Concierge needs only
six requests: find the calendars (three PROPFINDs at most), ask a calendar whether it changed
(one PROPFIND of its ctag and sync-token: a quiet refresh costs one request), read the events in
a time range (one calendar-query REPORT), and put and delete one event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from xml.etree.ElementTree import Element

import httpx
from defusedxml import ElementTree  # type: ignore[import-untyped]

from concierge.errors import ConciergeError
from concierge.outbound import Policy, fetch
from concierge.scheduling.engine import Interval

DAV, CAL, CS = "DAV:", "urn:ietf:params:xml:ns:caldav", "http://calendarserver.org/ns/"
_NS = f'xmlns:d="{DAV}" xmlns:c="{CAL}" xmlns:cs="{CS}"'
_XML = {"Content-Type": "application/xml; charset=utf-8"}


class CalDAVError(ConciergeError):
    """The server refused, or answered something that is not CalDAV."""

    status, code, title = 502, "caldav_error", "Calendar server error"


@dataclass(frozen=True, slots=True)
class Collection:
    """One calendar on the server: its absolute URL, name, and change markers."""

    href: str
    name: str
    ctag: str | None = None
    sync_token: str | None = None
    events: bool = True  # holds VEVENTs (not only tasks)

    @property
    def marker(self) -> str | None:
        """What tells a change: the sync-token, else the ctag."""
        return self.sync_token or self.ctag


Auth = tuple[str, str] | None


async def discover(
    http: httpx.AsyncClient, policy: Policy, url: str, auth: Auth
) -> list[Collection]:
    """The calendars reachable from ``url``: a calendar itself, a calendar home, a principal, or
    the server's root (followed through ``current-user-principal`` and ``calendar-home-set``)."""
    props = "<d:resourcetype/><d:current-user-principal/><c:calendar-home-set/>"
    here = await _propfind(http, policy, url, auth, props, depth="0")
    if not here:
        raise CalDAVError("The address answered, but not as a CalDAV server.")
    first = here[0]
    if _is_calendar(first[1]):
        return [_collection(url, first[1])]
    home = _href(first[1], f"{{{CAL}}}calendar-home-set")
    principal = _href(first[1], f"{{{DAV}}}current-user-principal")
    if home is None and principal is not None:
        found = await _propfind(
            http, policy, _absolute(url, principal), auth, "<c:calendar-home-set/>", depth="0"
        )
        home = _href(found[0][1], f"{{{CAL}}}calendar-home-set") if found else None
    base = _absolute(url, home) if home else url
    props = (
        "<d:resourcetype/><d:displayname/><cs:getctag/><d:sync-token/>"
        "<c:supported-calendar-component-set/>"
    )
    listed = await _propfind(http, policy, base, auth, props, depth="1")
    return [_collection(_absolute(base, href), p) for href, p in listed if _is_calendar(p)]


async def markers(http: httpx.AsyncClient, policy: Policy, href: str, auth: Auth) -> str | None:
    """The collection's change marker (sync-token, else ctag): one PROPFIND."""
    found = await _propfind(http, policy, href, auth, "<cs:getctag/><d:sync-token/>", depth="0")
    if not found:
        return None
    return _collection(href, found[0][1]).marker


async def events_between(
    http: httpx.AsyncClient, policy: Policy, href: str, auth: Auth, window: Interval
) -> list[str]:
    """The iCalendar text of every event with an instance in ``window`` (a calendar-query
    REPORT; recurring events come whole, and are expanded by the ICS reader)."""
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><c:calendar-query {_NS}>'
        "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
        '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
        f'<c:time-range start="{_stamp(window.start)}" end="{_stamp(window.end)}"/>'
        "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
    )
    answer = await fetch(
        http, "REPORT", href, policy, headers={**_XML, "Depth": "1"}, content=body, auth=auth
    )
    _require(answer.status_code, (207,), "read the calendar's events")
    texts = []
    for _, props in _multistatus(answer.content):
        data = props.find(f"{{{CAL}}}calendar-data")
        if data is not None and data.text:
            texts.append(data.text)
    return texts


def event_href(collection: str, uid: str) -> str:
    return collection.rstrip("/") + "/" + quote(uid, safe="") + ".ics"


async def put_event(
    http: httpx.AsyncClient, policy: Policy, collection: str, uid: str, ics: bytes, auth: Auth
) -> None:
    """Create or replace the event ``uid`` in ``collection`` (its resource is named after it,
    so writing again moves the same event instead of adding one)."""
    answer = await fetch(
        http,
        "PUT",
        event_href(collection, uid),
        policy,
        headers={"Content-Type": "text/calendar; charset=utf-8"},
        content=ics,
        auth=auth,
    )
    _require(answer.status_code, (200, 201, 204), "write the booking into the calendar")


async def delete_event(
    http: httpx.AsyncClient, policy: Policy, collection: str, uid: str, auth: Auth
) -> None:
    """Remove the event ``uid``; one already gone is fine."""
    answer = await fetch(http, "DELETE", event_href(collection, uid), policy, auth=auth)
    _require(answer.status_code, (200, 204, 404, 410), "remove the booking from the calendar")


# ----------------------------------------------------------------------------------- inside


async def _propfind(
    http: httpx.AsyncClient, policy: Policy, url: str, auth: Auth, props: str, *, depth: str
) -> list[tuple[str, Element]]:
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><d:propfind {_NS}>'
        f"<d:prop>{props}</d:prop></d:propfind>"
    )
    answer = await fetch(
        http, "PROPFIND", url, policy, headers={**_XML, "Depth": depth}, content=body, auth=auth
    )
    _require(answer.status_code, (207,), "list the calendars")
    return _multistatus(answer.content)


def _require(status: int, ok: tuple[int, ...], doing: str) -> None:
    if status in ok:
        return
    if status in (401, 403):
        raise CalDAVError(
            f"The calendar server refused the login (HTTP {status}) when asked to {doing}: "
            "check the user name and the (app) password."
        )
    if status == 404:
        raise CalDAVError(f"The calendar server has nothing at that address (asked to {doing}).")
    raise CalDAVError(f"The calendar server answered HTTP {status} when asked to {doing}.")


def _multistatus(content: bytes) -> list[tuple[str, Element]]:
    """``(href, merged 200-status props)`` of each response of a 207 body."""
    try:
        root = ElementTree.fromstring(content)
    except Exception as exc:  # defusedxml's and expat's errors alike
        raise CalDAVError("The calendar server answered XML that cannot be read.") from exc
    out = []
    for response in root.iter(f"{{{DAV}}}response"):
        href = response.findtext(f"{{{DAV}}}href") or ""
        merged = Element("prop")
        for propstat in response.iter(f"{{{DAV}}}propstat"):
            status = propstat.findtext(f"{{{DAV}}}status") or ""
            if " 200 " not in f"{status} ":
                continue
            for prop in propstat.iter(f"{{{DAV}}}prop"):
                merged.extend(list(prop))
        out.append((href.strip(), merged))
    return out


def _is_calendar(props: Element) -> bool:
    kind = props.find(f"{{{DAV}}}resourcetype")
    return kind is not None and kind.find(f"{{{CAL}}}calendar") is not None


def _href(props: Element, tag: str) -> str | None:
    found = props.find(tag)
    if found is None:
        return None
    text = found.findtext(f"{{{DAV}}}href")
    return text.strip() if text else None


def _collection(href: str, props: Element) -> Collection:
    name = (props.findtext(f"{{{DAV}}}displayname") or "").strip()
    components = props.find(f"{{{CAL}}}supported-calendar-component-set")
    events = components is None or any(
        c.get("name") == "VEVENT" for c in components.iter(f"{{{CAL}}}comp")
    )
    return Collection(
        href=href,
        name=name or href.rstrip("/").rsplit("/", 1)[-1],
        ctag=_text(props, f"{{{CS}}}getctag"),
        sync_token=_text(props, f"{{{DAV}}}sync-token"),
        events=events,
    )


def _text(props: Element, tag: str) -> str | None:
    value = props.findtext(tag)
    return value.strip() if value and value.strip() else None


def _absolute(base: str, href: str) -> str:
    return str(httpx.URL(base).join(href))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def describe(collections: list[Collection]) -> list[dict[str, Any]]:
    return [{"href": c.href, "name": c.name, "events": c.events} for c in collections]
