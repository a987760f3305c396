"""``python -m bench``: finds every benchmark module by itself and refuses unknown names."""

from __future__ import annotations

import inspect

from bench.__main__ import discover, load, main


def test_every_bench_module_is_found_and_exposes_an_async_run() -> None:
    names = discover()
    assert {"engine", "http"} <= set(names)
    assert "__main__" not in names
    for name in ("engine", "http"):
        run = load(name)
        assert run is not None
        assert inspect.iscoroutinefunction(run)


def test_an_unknown_benchmark_is_refused_with_the_choices(capsys) -> None:
    assert main(["no-such-bench"]) == 2
    out = capsys.readouterr().out
    assert "no-such-bench" in out
    assert "engine" in out
