"""``python -m bench``: finds every benchmark module by itself and refuses unknown names."""

from __future__ import annotations

import importlib
import inspect

import pytest
from bench.__main__ import modules


def test_the_scheduling_benchmarks_are_found_and_expose_an_async_run() -> None:
    found = modules([])
    assert {"engine", "http"} <= set(found)
    assert "__main__" not in found
    for name in ("engine", "http"):
        assert inspect.iscoroutinefunction(importlib.import_module(f"bench.{name}").run)


def test_naming_modules_runs_only_those_and_an_unknown_name_is_refused() -> None:
    assert modules(["engine"]) == ["engine"]
    with pytest.raises(SystemExit, match="no-such-bench"):
        modules(["no-such-bench"])
