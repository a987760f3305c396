"""``concierge calendars``: connect, list, test and remove from the command line, against a
real feed on loopback (an admin who allowed private addresses)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from concierge.cli import app
from concierge.config import get_settings
from tests.fixtures.static_http import StaticHTTP
from tests.outside.helpers import calendar, event


@pytest.fixture
def operator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CONCIERGE_DATABASE_URL", f"sqlite:///{tmp_path / 'concierge.db'}")
    monkeypatch.setenv("CONCIERGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CONCIERGE_OUTBOUND_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_connect_list_test_and_remove_a_feed(operator: None, static_http: StaticHTTP) -> None:
    assert invoke("db", "upgrade")[0] == 0
    assert invoke("users", "create", "--name", "Ada", "--email", "ada@example.com")[0] == 0
    static_http.put(
        "/s3cret/cal.ics", calendar(event("x", ":20991201T100000Z", ":20991201T110000Z"))
    )
    code, out = invoke("calendars", "connect", "1", "Work", static_http.url("/s3cret/cal.ics"))
    assert code == 0, out
    assert "Connected 'Work' as calendar 1" in out

    code, out = invoke("calendars", "list", "1")
    assert code == 0
    assert "Work" in out
    assert "fresh" in out
    assert "s3cret" not in out

    code, out = invoke("calendars", "test", "1", "1")
    assert (code, "Read 1 event(s) in 1 request(s).") == (0, out.strip())

    assert invoke("calendars", "remove", "1", "1")[0] == 0
    code, out = invoke("calendars", "remove", "1", "1")
    assert code == 1
    assert "No connected calendar numbered 1" in out
