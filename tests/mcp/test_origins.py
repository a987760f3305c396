"""Which origins /mcp lists: read from the setting, spelled the way browsers send them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from concierge.config import Settings
from concierge.mcp.origins import listed_origins


def test_listed_origins_are_lower_cased_and_include_the_public_address() -> None:
    listed = listed_origins(
        " https://App.Example.com, http://intranet:8080 ", "https://c.example/x"
    )
    assert listed == {"https://app.example.com", "http://intranet:8080", "https://c.example"}


@pytest.mark.parametrize("bad", ["app.example.com", "ftp://files.example", "https://"])
def test_an_origin_that_is_not_one_stops_the_service_at_start_up(bad: str) -> None:
    with pytest.raises(ValidationError, match="is not a web origin"):
        Settings(mcp_allowed_origins=bad, _env_file=None)  # type: ignore[call-arg]
