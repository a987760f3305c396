"""``concierge mcp`` started as a subprocess and driven over stdio by the SDK's client.

The subprocess reads the system clock, so these tests ask about dates relative to today.
"""

from __future__ import annotations

import subprocess

import pytest

from concierge.config import Settings
from tests.fixtures.mcp import CONCIERGE, ok, stdio_environment

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def test_tools_are_listed_with_schemas_and_act_as_the_token_owner(
    connect_stdio, sign_up
) -> None:
    ada = await sign_up("Ada", "UTC")
    grace = await sign_up("Grace", "UTC")
    async with connect_stdio(ada) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        slots = tools["find_free_slots"]
        assert slots.input_schema["required"] == ["person", "date_range"]
        assert slots.output_schema is not None
        assert slots.annotations is not None
        assert slots.annotations.read_only_hint
        result = ok(
            await client.call_tool(
                "find_common_time", {"people": [str(grace.id)], "date_range": "next week"}
            )
        )
    assert [p["name"] for p in result.structured_content["people"]] == ["Ada", "Grace"]


# Refusals happen before any database work: one backend is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_without_a_token_it_says_what_to_set_and_exits(settings: Settings) -> None:
    finished = subprocess.run(
        [CONCIERGE, "mcp"],
        env=stdio_environment(settings, token=None),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert "CONCIERGE_MCP_TOKEN" in finished.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unknown_token_is_refused_before_serving(settings: Settings) -> None:
    finished = subprocess.run(
        [CONCIERGE, "mcp"],
        env=stdio_environment(settings, token="cnc_unknown"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 1
    assert finished.stdout == ""
    assert "Unknown or revoked token" in finished.stderr
