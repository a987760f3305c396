"""``python -m bench [name ...]``: run the benchmarks and print one table.

A benchmark is a module ``bench/<name>.py`` exposing ``async def run()`` that returns rows:
either ``(benchmark, figure, value)`` string triples or ``bench._row.Row`` records. Every such
module runs, or only the ones named on the command line.

Standard output carries the table and nothing else (it can be kept or compared as it is);
progress, timings and a failed benchmark's traceback go to standard error.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench._row import Row


def modules(wanted: list[str]) -> list[str]:
    found = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not info.name.startswith("_")
    )
    unknown = set(wanted) - set(found)
    if unknown:
        raise SystemExit(
            f"No benchmark named {', '.join(sorted(unknown))}; have {', '.join(found)}"
        )
    return [name for name in found if not wanted or name in wanted]


def cells(module: str, row: Row | tuple[str, ...]) -> tuple[str, str, str, str]:
    if isinstance(row, Row):
        return module, row.measure, f"{row.value:,.2f} {row.unit}", row.note
    benchmark, figure, value, *note = row
    return benchmark, figure, value, " ".join(note)


# Loggers that speak once per request: a benchmark's servers and clients would bury the table
# under a line for each of its thousands of requests (the MCP SDK sets the root logger to INFO).
CHATTY = (
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
    "uvicorn",
    "uvicorn.access",
    "uvicorn.error",
    "mcp",
    "concierge",
)


def quiet() -> None:
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)


def main(argv: list[str]) -> int:
    console = Console()
    progress = Console(stderr=True)
    table = Table(title="Concierge benchmarks")
    for column in ("benchmark", "figure", "value", "note"):
        table.add_column(column, justify="right" if column == "value" else "left")
    failed = 0
    for name in modules(argv):
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "run", None)
        if run is None or not inspect.iscoroutinefunction(run):
            continue
        progress.print(f"[dim]running bench.{name}...[/dim]")
        quiet()
        began = time.perf_counter()
        try:
            rows = asyncio.run(run())
        except Exception:  # one broken benchmark must not hide the others' figures
            failed += 1
            progress.print(f"[red]bench.{name} failed:[/red]\n{traceback.format_exc()}")
            continue
        for row in rows:
            table.add_row(*cells(name, row))
        progress.print(f"[dim]bench.{name}: {time.perf_counter() - began:.1f} s[/dim]")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    table.caption = f"{os.cpu_count()} cores, load average {load} (1, 5, 15 min)"
    console.print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
