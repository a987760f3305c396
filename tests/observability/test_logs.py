"""Structured logs: JSON off a terminal, a request id on every line of a request, one line per
request, and a problem+json 500 carrying that id when something escapes."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from concierge.config import Settings
from concierge.observability.logs import configure_logging, wants_json
from tests.fixtures.logs import CapturedLogs

pytestmark = pytest.mark.anyio


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_json_off_a_terminal_and_readable_on_one_unless_forced() -> None:
    assert wants_json(_settings(), io.StringIO())
    assert not wants_json(_settings(), Terminal())
    assert wants_json(_settings(log_json=True), Terminal())
    assert not wants_json(_settings(log_json=False), io.StringIO())


def test_human_lines_carry_the_same_fields() -> None:
    stream = Terminal()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(_settings(log_level="INFO"), stream)
    try:
        logging.getLogger("concierge.test").info("held", extra={"reservation_id": 7})
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    line = stream.getvalue()
    assert "INFO" in line
    assert "concierge.test" in line
    assert "held reservation_id=7" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


async def test_a_sane_request_id_is_kept_and_returned(
    client: httpx.AsyncClient, captured_logs: CapturedLogs
) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "lb-1234-abcd"})
    assert response.headers["X-Request-ID"] == "lb-1234-abcd"
    (line,) = [x for x in captured_logs.lines() if x["logger"] == "concierge.http"]
    assert line["request_id"] == "lb-1234-abcd"
    assert (line["method"], line["path"], line["route"], line["status"]) == (
        "GET",
        "/healthz",
        "/healthz",
        200,
    )


@pytest.mark.parametrize("incoming", [None, "short", "x" * 200, "bad id\r\nX-Injected: 1"])
async def test_a_missing_or_insane_request_id_is_replaced(
    client: httpx.AsyncClient, incoming: str | None
) -> None:
    headers = {"X-Request-ID": incoming} if incoming else {}
    try:
        response = await client.get("/healthz", headers=headers)
    except httpx.LocalProtocolError:  # httpx itself refuses to send a header with CR LF
        return
    rid = response.headers["X-Request-ID"]
    assert rid != incoming
    assert len(rid) == 32
    assert rid.isalnum()


async def test_every_line_of_a_request_carries_its_id(
    app: FastAPI, client: httpx.AsyncClient, captured_logs: CapturedLogs
) -> None:
    @app.get("/_test/logs", include_in_schema=False)
    async def chatty() -> dict[str, str]:
        logging.getLogger("concierge.somewhere").warning("deep inside")
        return {}

    response = await client.get("/_test/logs")
    rid = response.headers["X-Request-ID"]
    lines = captured_logs.lines()
    assert [x["msg"] for x in lines if x.get("request_id") == rid] == [
        "deep inside",
        "GET /_test/logs 200",
    ]


async def test_an_unhandled_error_is_a_problem_500_with_the_id_to_quote(
    app: FastAPI, client: httpx.AsyncClient, captured_logs: CapturedLogs
) -> None:
    @app.get("/_test/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("kaput")

    response = await client.get("/_test/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    rid = response.headers["X-Request-ID"]
    assert rid in response.json()["detail"]
    assert response.json()["code"] == "internal_error"
    (error,) = [x for x in captured_logs.lines() if x["msg"] == "unhandled error"]
    assert error["request_id"] == rid
    assert "kaput" in error["exc"]


async def test_secret_path_parameters_are_masked_in_the_request_line(
    client: httpx.AsyncClient, captured_logs: CapturedLogs
) -> None:
    manage_token = "mAnAgE-LiNk-sEcReT-0123456789"
    await client.get(f"/bookings/{manage_token}")
    (line,) = [x for x in captured_logs.lines() if x["logger"] == "concierge.http"]
    assert line["route"] == "/bookings/{token}"
    assert line["path"] == "/bookings/[REDACTED]"
    assert line["msg"] == "GET /bookings/[REDACTED] 404"
