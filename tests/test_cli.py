"""The ``concierge`` command: help that explains, users and admins, demo data, and serve."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from concierge.app import create_app
from concierge.cli import app
from concierge.config import Settings, get_settings

TOKEN = re.compile(r"cnc_[A-Za-z0-9_-]{43}")
CONCIERGE = Path(sys.executable).with_name("concierge")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private SQLite file, named the way an operator names it: in the environment."""
    url = f"sqlite:///{tmp_path / 'concierge.db'}"
    monkeypatch.setenv("CONCIERGE_DATABASE_URL", url)
    monkeypatch.setenv("CONCIERGE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def me(database: str, token: str) -> httpx.Response:
    """GET /v1/users/me with ``token``, against the app on the same database."""
    import anyio

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(Settings(database_url=database)))
        async with httpx.AsyncClient(transport=transport, base_url="http://concierge.test") as c:
            return await c.get("/v1/users/me", headers={"Authorization": f"Bearer {token}"})

    return anyio.run(ask)


# ---------------------------------------------------------------------------------- help


def test_help_names_every_command() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    for command in ("serve", "db", "users", "demo"):
        assert re.search(rf"│ {command}\s+\S", out), f"{command} is not listed with a summary"
    assert "appointments" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["serve", "--help"], ["--host", "--port", "--demo", "Upgrade the database"]),
        (["db", "--help"], ["upgrade"]),
        (["db", "upgrade", "--help"], ["migration"]),
        (["users", "--help"], ["create", "admins are made only here"]),
        (
            ["users", "create", "--help"],
            ["--name", "--email", "--timezone", "--admin", "token", "last line"],
        ),
        (["demo", "--help"], ["demo people", "tokens"]),
    ],
)
def test_each_command_explains_itself(args: list[str], words: list[str]) -> None:
    code, out, _ = invoke(*args)
    assert code == 0
    flat = " ".join(out.split())
    for word in words:
        assert word in flat, f"{' '.join(args)} does not mention {word!r}"


def test_a_command_without_arguments_shows_its_help() -> None:
    result = CliRunner().invoke(app, ["users"])
    assert "create" in result.output


# -------------------------------------------------------------------------- users create


@pytest.mark.slow
@pytest.mark.parametrize("admin", [False, True], ids=["user", "admin"])
def test_users_create_prints_a_working_token_alone_on_its_last_line(
    database: str, admin: bool
) -> None:
    """Run as a real process: what a script piping ``| tail -1`` sees."""
    args = ["users", "create", "--name", "Ada Lovelace", "--email", "ada@example.com"]
    args += ["--timezone", "Europe/London", *(["--admin"] if admin else [])]
    done = subprocess.run(
        [str(CONCIERGE), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CONCIERGE_DATABASE_URL": database},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.splitlines()[-1]
    assert TOKEN.fullmatch(token), done.stdout
    assert "shown once" in done.stderr
    response = me(database, token)
    assert response.status_code == 200
    assert response.json()["name"] == "Ada Lovelace"
    assert response.json()["timezone"] == "Europe/London"
    assert response.json()["is_admin"] is admin


def test_users_create_refuses_a_taken_email_in_words(database: str) -> None:
    first, out, _ = invoke("users", "create", "--name", "Ada", "--email", "ada@example.com")
    assert first == 0
    assert TOKEN.fullmatch(out.splitlines()[-1])
    again, out, err = invoke("users", "create", "--name", "Eve", "--email", "ADA@example.com")
    assert again == 1
    assert out == ""
    assert "already registered" in err
    assert "Traceback" not in err


def test_users_create_refuses_an_unknown_zone_in_words(database: str) -> None:
    code, out, err = invoke(
        "users", "create", "--name", "Ada", "--email", "a@example.com", "--timezone", "Mars/Base"
    )
    assert code == 1
    assert out == ""
    assert "IANA" in err


@pytest.mark.parametrize(
    ("option", "value"),
    [("--name", "Ada\x00"), ("--phone", "+44\x1b[2J"), ("--timezone", "posix/UTC")],
)
def test_users_create_holds_the_same_rules_as_the_api(
    database: str, option: str, value: str
) -> None:
    args = {"--name": "Ada", "--email": "a@example.com", option: value}
    code, out, err = invoke("users", "create", *[part for pair in args.items() for part in pair])
    assert code == 1
    assert out == ""
    assert option in err or "IANA" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------------------------- demo


def test_demo_loads_people_with_hours_and_prints_working_tokens_and_urls(database: str) -> None:
    code, out, _ = invoke("demo")
    assert code == 0, out
    for name in ("Demo Admin", "Ada Lovelace", "Grace Hopper", "Alan Turing"):
        assert name in out
    tokens = TOKEN.findall(out)
    assert len(set(tokens)) == 4
    assert "http://127.0.0.1:8000/docs" in out
    pages = re.findall(r"http://127\.0\.0\.1:8000/book/[\w-]+", out)
    assert len(pages) == 3, out  # the three who take bookings, not the admin
    curl = next(line for line in out.splitlines() if line.startswith("Try:"))
    grace = TOKEN.search(curl)
    assert grace is not None
    assert me(database, grace.group()).json()["name"] == "Grace Hopper"
    # Run again: the same people, new tokens, and the old ones keep working.
    code, again, _ = invoke("demo")
    assert code == 0
    assert set(TOKEN.findall(again)).isdisjoint(tokens)
    assert [line.split()[0] for line in again.splitlines()[1:5]] == ["1", "2", "3", "4"]
    assert me(database, tokens[1]).json()["name"] == "Ada Lovelace"


def test_db_upgrade_creates_the_schema_and_can_run_again(database: str) -> None:
    for _ in range(2):
        code, out, _ = invoke("db", "upgrade")
        assert code == 0
        assert "at head" in out
    assert Path(database.removeprefix("sqlite:///")).exists()


# --------------------------------------------------------------------------------- serve


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.slow
def test_serve_with_demo_upgrades_prints_where_to_go_and_answers(database: str) -> None:
    port = free_port()
    server = subprocess.Popen(
        [str(CONCIERGE), "serve", "--demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "CONCIERGE_DATABASE_URL": database, "COLUMNS": "200"},
    )
    try:
        deadline = time.monotonic() + 60
        docs = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                docs = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)  # a real process is starting: polling is the only way
        assert docs is not None
        assert docs.status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
        home = httpx.get(f"http://127.0.0.1:{port}/", headers={"Accept": "text/html"}, timeout=5)
        assert home.headers["content-type"].startswith("text/html")
        pages = re.findall(r'href="(/book/[\w-]+)"', home.text)
        assert len(pages) == 3
        for page in pages:
            assert httpx.get(f"http://127.0.0.1:{port}{page}", timeout=5).status_code == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/docs" in output
    assert output.count(f"http://127.0.0.1:{port}/book/") == 3
    assert len(set(TOKEN.findall(output))) == 4
