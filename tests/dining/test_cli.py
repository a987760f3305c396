"""``concierge dining search|check`` against both stand-ins, with the local owner's Resy login."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from concierge.cli import app
from concierge.config import get_settings
from concierge.sandbox.google_places import SANDBOX_API_KEY
from tests.fixtures.dining import GoogleSandbox
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, ResySandbox

runner = CliRunner()


@pytest.fixture(autouse=True)
def environment(
    resy_sandbox: ResySandbox, google_sandbox: GoogleSandbox, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:  # fmt: skip
    for name, value in {
        "CONCIERGE_DATABASE_URL": f"sqlite:///{tmp_path / 'concierge.db'}",
        "CONCIERGE_DATA_DIR": str(tmp_path / "data"),
        "CONCIERGE_RESY_BASE_URL": resy_sandbox.url,
        "CONCIERGE_RESY_WEB_URL": resy_sandbox.url,
        "CONCIERGE_RESY_MIN_DELAY": "0",
        "CONCIERGE_RESY_MAX_DELAY": "0",
        "CONCIERGE_GOOGLE_PLACES_BASE_URL": google_sandbox.url,
        "CONCIERGE_GOOGLE_PLACES_API_KEY": SANDBOX_API_KEY,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_search_lists_restaurants_with_their_addresses() -> None:
    result = runner.invoke(app, ["dining", "search", "Carbone", "--near", "40.7308,-74.0"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("Carbone - 181 Thompson St, New York, NY 10012, USA (on Resy)")
    assert lines[1].startswith("Carbone - 49 Collins Ave, Miami Beach, FL 33139, USA")
    facts = "Italian · Greenwich Village · $$$$ · 4.6★ · 0.3 km away · "
    assert f"{facts}https://resy.com/cities/ny/carbone" in lines[0]


def test_search_by_cuisine_in_an_area_within_a_price() -> None:
    result = runner.invoke(
        app, ["dining", "search", "italian", "--location", "West Village", "--max-price", "3"]
    )
    assert result.exit_code == 0, result.output
    names = [line.split(" - ")[0] for line in result.output.strip().splitlines()]
    assert set(names) == {"Don Angie", "Via Carota", "I Sodi", "San Sabino"}


def test_check_reads_open_tables_with_the_saved_resy_login(
    resy_sandbox: ResySandbox, google_sandbox: GoogleSandbox
) -> None:
    login = runner.invoke(app, ["resy", "login", "--email", DEMO_EMAIL], input=DEMO_PASSWORD)
    assert login.exit_code == 0, login.output

    # The stand-in Resy keeps its own clock, the command the system's: "tomorrow" may or may not
    # have tables there, but it always answers for Carbone on that day.
    result = runner.invoke(
        app, ["dining", "check", "Carbone", "--date", "tomorrow", "--time", "8pm"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Carbone - ")
    assert "(Resy)" in result.output or "no open tables" in result.output
    assert "https://resy.com/cities/ny/carbone?date=" in result.output
    assert resy_sandbox.count("POST /3/venuesearch/search") == 1
    assert google_sandbox.searches() == 1


def test_check_needs_no_resy_login_because_open_tables_are_public(
    resy_sandbox: ResySandbox,
) -> None:
    result = runner.invoke(app, ["dining", "check", "Carbone", "--date", "tomorrow"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Carbone - ")
    asked = resy_sandbox.requests()
    assert asked
    assert not any(request["auth_token"] for request in asked)


def test_unreadable_words_list_the_forms() -> None:
    result = runner.invoke(app, ["dining", "check", "Carbone", "--date", "soonish"])
    assert result.exit_code == 1
    assert "next Saturday" in result.output
