"""``concierge resy login|status|logout`` against the stand-in Resy."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from concierge.cli import app
from concierge.config import get_settings
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, NO_CARD_EMAIL, ResySandbox

runner = CliRunner()


@pytest.fixture(autouse=True)
def environment(
    resy_sandbox: ResySandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    data = tmp_path / "data"
    for name, value in {
        "CONCIERGE_DATA_DIR": str(data),
        "CONCIERGE_RESY_BASE_URL": resy_sandbox.url,
        "CONCIERGE_RESY_WEB_URL": resy_sandbox.url,
        "CONCIERGE_RESY_MIN_DELAY": "0",
        "CONCIERGE_RESY_MAX_DELAY": "0",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


def test_login_saves_verifies_and_names_the_card(environment: Path) -> None:
    result = runner.invoke(app, ["resy", "login", "--email", DEMO_EMAIL], input=DEMO_PASSWORD)

    assert result.exit_code == 0, result.output
    assert "Credentials saved and verified. Payment method: Visa ending in 1234" in result.output
    assert DEMO_PASSWORD not in result.output  # the prompt does not echo it
    assert (environment / "credentials" / "local" / "resy.enc").exists()


def test_status_shows_the_login_but_no_secret(resy_sandbox: ResySandbox) -> None:
    runner.invoke(app, ["resy", "login", "--email", DEMO_EMAIL], input=DEMO_PASSWORD)

    result = runner.invoke(app, ["resy", "status", "--check"])

    assert result.exit_code == 0, result.output
    assert DEMO_EMAIL in result.output
    assert "Visa ending in 1234" in result.output
    assert "Token valid until 2027-01-07" in result.output
    assert "logged in as Dana Diner" in result.output
    assert DEMO_PASSWORD not in result.output
    assert "eyJ" not in result.output  # no JWT


def test_a_card_less_account_is_told_to_add_one() -> None:
    result = runner.invoke(app, ["resy", "login", "--email", NO_CARD_EMAIL], input=DEMO_PASSWORD)

    assert result.exit_code == 0, result.output
    assert "No payment method on file" in result.output


def test_a_wrong_password_is_refused_and_not_kept(environment: Path) -> None:
    result = runner.invoke(app, ["resy", "login", "--email", DEMO_EMAIL], input="nope")

    assert result.exit_code == 1
    assert "rejected the email or password" in result.output
    assert not (environment / "credentials" / "local" / "resy.enc").exists()


def test_logout_forgets_and_status_then_says_how_to_log_in() -> None:
    runner.invoke(app, ["resy", "login", "--email", DEMO_EMAIL], input=DEMO_PASSWORD)

    assert "forgotten" in runner.invoke(app, ["resy", "logout"]).output
    result = runner.invoke(app, ["resy", "status"])
    assert result.exit_code == 1
    assert "concierge resy login" in result.output


def test_user_option_keeps_each_users_login_apart(environment: Path) -> None:
    result = runner.invoke(
        app, ["resy", "login", "--email", DEMO_EMAIL, "--user", "7"], input=DEMO_PASSWORD
    )

    assert result.exit_code == 0, result.output
    assert (environment / "credentials" / "7" / "resy.enc").exists()
    assert runner.invoke(app, ["resy", "status", "--user", "7"]).exit_code == 0
    assert runner.invoke(app, ["resy", "status"]).exit_code == 1


@pytest.mark.browser  # the API cannot be reached, so the browser fallback is tried too
def test_a_login_resy_cannot_check_now_is_kept_for_later(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as closed:  # a port nobody listens on: Resy is unreachable
        closed.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}"
    monkeypatch.setenv("CONCIERGE_RESY_BASE_URL", nowhere)
    monkeypatch.setenv("CONCIERGE_RESY_WEB_URL", nowhere)
    monkeypatch.setenv("CONCIERGE_RESY_RETRIES", "0")
    get_settings.cache_clear()

    result = runner.invoke(
        app,
        ["resy", "login", "--email", DEMO_EMAIL, "--password-stdin"],
        input=DEMO_PASSWORD + "\n",
    )

    assert result.exit_code == 0, result.output
    assert "saved but not verified" in result.output
    status = runner.invoke(app, ["resy", "status"])
    assert "Not logged in yet" in status.output
