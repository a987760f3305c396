"""Prometheus metrics: admin-only on the main port, or alone on a port of their own; latency by
route template; the counters other modules feed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from concierge.app import create_app
from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.observability import metrics
from tests.fixtures.server import free_port

pytestmark = pytest.mark.anyio


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_are_for_admins_only(
    client: httpx.AsyncClient, sign_up: Any, make_admin: Any
) -> None:
    ada = await sign_up("Ada")
    root = await make_admin()
    assert (await client.get("/metrics")).status_code == 401
    assert (await client.get("/metrics", headers=ada.auth)).status_code == 403
    response = await client.get("/metrics", headers=root.auth)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "concierge_http_request_duration_seconds" in response.text


async def test_latency_is_labelled_by_route_template_not_raw_path(
    client: httpx.AsyncClient, sign_up: Any
) -> None:
    ada = await sign_up("Ada")
    labels = {"method": "GET", "route": "/v1/users/{user_id}", "status": "200"}
    before = sample("concierge_http_request_duration_seconds_count", **labels)
    await client.get(f"/v1/users/{ada.id}", headers=ada.auth)
    await client.get(f"/v1/users/{ada.id}", headers=ada.auth)
    assert sample("concierge_http_request_duration_seconds_count", **labels) == before + 2
    raw = {"method": "GET", "route": f"/v1/users/{ada.id}", "status": "200"}
    assert sample("concierge_http_request_duration_seconds_count", **raw) == 0
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    before_404 = sample("concierge_http_request_duration_seconds_count", **unmatched)
    await client.get("/no/such/page/12345")
    assert sample("concierge_http_request_duration_seconds_count", **unmatched) == before_404 + 1


def test_the_counters_other_modules_feed() -> None:
    held = sample("concierge_reservations_total", event="held")
    metrics.reservation_event("held", 3)
    metrics.reservation_event("expired", 0)
    assert sample("concierge_reservations_total", event="held") == held + 3

    refused = sample("concierge_double_bookings_refused_total", guard="constraint")
    metrics.double_booking_refused("constraint")
    assert sample("concierge_double_bookings_refused_total", guard="constraint") == refused + 1

    ok = sample("concierge_resy_calls_total", endpoint="/4/find", outcome="ok")
    failed = sample("concierge_resy_calls_total", endpoint="/3/book", outcome="error")
    metrics.resy_call("/4/find", "ok", 0.01)
    metrics.resy_call("/3/book", "error")
    assert sample("concierge_resy_calls_total", endpoint="/4/find", outcome="ok") == ok + 1
    assert sample("concierge_resy_calls_total", endpoint="/3/book", outcome="error") == failed + 1

    cycles = sample("concierge_venue_sync_requests_per_cycle_count")
    total = sample("concierge_venue_sync_requests_per_cycle_sum")
    metrics.venue_sync_cycle(4)
    assert sample("concierge_venue_sync_requests_per_cycle_count") == cycles + 1
    assert sample("concierge_venue_sync_requests_per_cycle_sum") == total + 4


async def test_a_separate_port_serves_metrics_without_a_token(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    port = free_port()
    app = create_app(settings.model_copy(update={"metrics_port": port}), db=db, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://concierge.test") as main:
        assert (await main.get("/metrics")).status_code == 404
    async with app.router.lifespan_context(app), httpx.AsyncClient() as scraper:
        response = await scraper.get(f"http://127.0.0.1:{port}/metrics")
        assert response.status_code == 200
        assert "concierge_reservations_total" in response.text
    async with httpx.AsyncClient() as late:
        with pytest.raises(httpx.ConnectError):
            await late.get(f"http://127.0.0.1:{port}/metrics", timeout=2)


async def test_metrics_can_be_turned_off(
    settings: Settings, db: Database, clock: FrozenClock, make_admin: Any
) -> None:
    app = create_app(settings.model_copy(update={"metrics_enabled": False}), db=db, clock=clock)
    root = await make_admin()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://concierge.test") as c:
        assert (await c.get("/metrics", headers=root.auth)).status_code == 404
        labels = {"method": "GET", "route": "/healthz", "status": "200"}
        before = sample("concierge_http_request_duration_seconds_count", **labels)
        await c.get("/healthz")
        assert sample("concierge_http_request_duration_seconds_count", **labels) == before
