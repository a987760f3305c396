"""``python -m bench [name ...]``: run every ``bench/<name>.py`` exposing
``async def run() -> list[tuple[str, str, str]]`` (benchmark, figure, value) and print one table.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

Row = tuple[str, str, str]


def modules(wanted: list[str]) -> list[str]:
    found = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not info.name.startswith("_")
    )
    return [name for name in found if not wanted or name in wanted]


def main(argv: list[str]) -> int:
    console = Console()
    table = Table(title="Concierge benchmarks")
    for column in ("benchmark", "figure", "value"):
        table.add_column(column)
    for name in modules(argv):
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "run", None)
        if run is None or not inspect.iscoroutinefunction(run):
            continue
        console.print(f"[dim]running bench.{name}...[/dim]")
        began = time.perf_counter()
        rows: list[Row] = asyncio.run(run())
        for row in rows:
            table.add_row(*row)
        console.print(f"[dim]bench.{name}: {time.perf_counter() - began:.1f} s[/dim]")
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
