"""Schemathesis over every operation of the live OpenAPI schema: no 5xx, and every answer is one
the schema documents (status, content type, headers, body). Bounded: CONCIERGE_FUZZ_EXAMPLES
cases per operation, identity and mode (default 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api import fuzzing


def test_every_operation_survives_fuzzing_and_keeps_its_documented_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = fuzzing.run(tmp_path)
    with capsys.disabled():
        print(f"\n{report.summary()}")
    assert report.operations, "the schema lists no operations"
    assert report.cases >= len(report.operations) * 3
    assert not report.failures, "\n\n".join(f"{k}:\n{v}" for k, v in report.failures.items())
