"""``python -m bench [name ...]``: run the benchmarks and print one table.

A benchmark is a module ``bench/<name>.py`` exposing ``async def run() -> list[Row]``; every such
module is found and run, or only the ones named on the command line.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys

from rich.console import Console
from rich.table import Table

import bench


def main(names: list[str]) -> None:
    names = names or sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )
    table = Table(title="Concierge benchmarks")
    for column in ("benchmark", "measure", "value", "unit", "note"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "run"):
            continue
        for row in asyncio.run(module.run()):
            table.add_row(name, row.measure, f"{row.value:,.2f}", row.unit, row.note)
    Console().print(table)


if __name__ == "__main__":
    main(sys.argv[1:])
