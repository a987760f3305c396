"""``concierge sandbox google-places`` serves the stand-in as its own process."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from concierge.integrations.google_places import FIELD_MASK
from concierge.sandbox.google_places import SANDBOX_API_KEY

pytestmark = pytest.mark.slow


def test_the_command_serves_google_places_on_the_port_it_prints() -> None:
    command = Path(sys.executable).parent / "concierge"
    process = subprocess.Popen(
        [str(command), "sandbox", "google-places", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 20
        url = None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            if found := re.search(r"on (http://127\.0\.0\.1:\d+)", line):
                url = found.group(1)
        assert url, "the command printed no address"
        answer = None
        while answer is None and time.monotonic() < deadline:
            try:
                answer = httpx.post(
                    f"{url}/v1/places:searchText",
                    json={"textQuery": "Don Angie", "includedType": "restaurant"},
                    headers={"X-Goog-Api-Key": SANDBOX_API_KEY, "X-Goog-FieldMask": FIELD_MASK},
                )
            except httpx.ConnectError:
                time.sleep(0.05)  # the process is still binding its socket
        assert answer is not None
        assert answer.status_code == 200
        assert answer.json()["places"][0]["displayName"]["text"] == "Don Angie"
    finally:
        process.terminate()
        process.wait(timeout=10)
