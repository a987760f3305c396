"""``python -m bench [name ...]``: run the benchmarks and print one table of figures.

A benchmark is a module ``bench/<name>.py`` with ``async def run() -> list[Row]``, each row
``(benchmark, figure, value)`` as text. Every such module is found by itself; naming some on the
command line runs only those.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

Row = tuple[str, str, str]
Benchmark = Callable[[], Awaitable[list[Row]]]

HERE = Path(__file__).parent


def discover() -> list[str]:
    """The names of the modules in ``bench/`` (not the private ones)."""
    names = (module.name for module in pkgutil.iter_modules([str(HERE)]))
    return sorted(name for name in names if not name.startswith("_"))


def load(name: str) -> Benchmark | None:
    """The module's ``run``, if it is a benchmark (a helper module has none)."""
    run = getattr(importlib.import_module(f"bench.{name}"), "run", None)
    return run if inspect.iscoroutinefunction(run) else None


def main(argv: list[str]) -> int:
    console = Console()
    available = discover()
    unknown = [name for name in argv if name not in available]
    if unknown:
        console.print(
            f"[red]No benchmark named {', '.join(unknown)}[/red]; "
            f"choose from: {', '.join(available)}"
        )
        return 2
    table = Table(title="Concierge benchmarks")
    for column in ("benchmark", "figure", "value"):
        table.add_column(column, justify="right" if column == "value" else "left")
    failed = False
    for name in argv or available:
        began = time.perf_counter()
        try:
            run = load(name)
            if run is None:
                continue
            console.print(f"[dim]running {name}...[/dim]")
            rows = asyncio.run(run())
        except Exception:  # one broken benchmark must not hide the others' figures
            failed = True
            console.print(f"[red]{name} failed:[/red]\n{traceback.format_exc()}")
            table.add_row(name, "failed", "see above")
            continue
        for benchmark, figure, value in rows:
            table.add_row(benchmark, figure, value)
        console.print(f"[dim]{name} took {time.perf_counter() - began:.1f} s[/dim]")
    console.print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
