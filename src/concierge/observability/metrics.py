"""Prometheus metrics: what every part of the service counts, in one place.

Other modules call the small functions here (``reservation_event``, ``resy_call``...) rather than
touching metric objects, so names and labels stay consistent and bounded.

One process, one registry. With several worker processes set ``PROMETHEUS_MULTIPROC_DIR`` (see
the README) and /metrics aggregates them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from concierge import events

ReservationEvent = events.ReservationKind

# Latency buckets for an API whose reads take milliseconds and whose slow paths call out.
_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_LATENCY = Histogram(
    "concierge_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template (not raw path), method and status.",
    ["method", "route", "status"],
    buckets=_LATENCY_BUCKETS,
)
RESERVATIONS = Counter(
    "concierge_reservations",
    "Reservations moved into a state: held, confirmed, cancelled or expired.",
    ["event"],
)
DOUBLE_BOOKINGS_REFUSED = Counter(
    "concierge_double_bookings_refused",
    "Reservations refused because the time overlapped an active one, by the guard that "
    "refused it: the service's check, or the database's constraint (a race the check lost).",
    ["guard"],
)
RATE_LIMITED = Counter(
    "concierge_rate_limited",
    "Requests refused with 429, by limit name.",
    ["limit"],
)
RESY_CALLS = Counter(
    "concierge_resy_calls",
    "Calls to Resy, by endpoint (the path template) and outcome.",
    ["endpoint", "outcome"],
)
RESY_LATENCY = Histogram(
    "concierge_resy_call_duration_seconds",
    "Time a call to Resy took, by endpoint.",
    ["endpoint"],
    buckets=_LATENCY_BUCKETS,
)
VENUE_SYNC_REQUESTS = Histogram(
    "concierge_venue_sync_requests_per_cycle",
    "ResyOS requests one venue-sync cycle made.",
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144),
)
VENUE_SYNC_CYCLES = Counter(
    "concierge_venue_sync_cycles",
    "Venue-sync cycles run, by outcome.",
    ["outcome"],
)


def reservation_event(event: ReservationEvent, count: int = 1) -> None:
    """Count ``count`` reservations moved into ``event`` (already committed)."""
    if count:
        RESERVATIONS.labels(event=event).inc(count)


def double_booking_refused(guard: Literal["check", "constraint"]) -> None:
    DOUBLE_BOOKINGS_REFUSED.labels(guard=guard).inc()


def _count_reservation_events(committed: Sequence[events.Event], _info: Mapping[str, Any]) -> None:
    for event in committed:
        reservation_event(event.kind)


events.subscribe(_count_reservation_events)


def resy_call(endpoint: str, outcome: str, seconds: float | None = None) -> None:
    """Count one call to Resy (each attempt of a retried call counts). ``endpoint`` is the path
    template, e.g. ``/4/find``; ``outcome`` is ``ok`` or the kind of error, from a fixed set."""
    RESY_CALLS.labels(endpoint=endpoint, outcome=outcome).inc()
    if seconds is not None:
        RESY_LATENCY.labels(endpoint=endpoint).observe(seconds)


def venue_sync_cycle(requests: int, outcome: Literal["ok", "error"] = "ok") -> None:
    """Record one sync cycle and how many ResyOS requests it made."""
    VENUE_SYNC_REQUESTS.observe(requests)
    VENUE_SYNC_CYCLES.labels(outcome=outcome).inc()


def exposition() -> tuple[bytes, str]:
    """The text a Prometheus scrape gets, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
