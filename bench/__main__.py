"""``python -m bench [name ...]``: run every benchmark module (or those named) and print one table.

A benchmark is a module ``bench/<name>.py`` with ``async def run() -> list[Row]``, each row a
``(benchmark, figure, value)`` of strings. Modules whose names start with ``_`` are helpers.
Every benchmark bounds itself in requests and time and talks to loopback only.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import pkgutil
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

Row = tuple[str, str, str]
HERE = Path(__file__).parent


def discover(names: list[str]) -> list[str]:
    found = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if not m.name.startswith("_"))
    unknown = set(names) - set(found)
    if unknown:
        raise SystemExit(f"No benchmark named {', '.join(sorted(unknown))}; have {found}")
    return [name for name in found if not names or name in names]


async def run_all(names: list[str], err: Console) -> tuple[list[Row], bool]:
    rows: list[Row] = []
    ok = True
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        run: Callable[[], Awaitable[list[Row]]] | None = getattr(module, "run", None)
        if run is None or not inspect.iscoroutinefunction(run):
            continue
        err.print(f"[dim]bench {name}...[/dim]")
        started = time.perf_counter()
        try:
            rows += await run()
        except Exception:
            ok = False
            err.print(traceback.format_exc())
            rows.append((name, "failed", "see the traceback above"))
        err.print(f"[dim]bench {name}: {time.perf_counter() - started:.1f}s[/dim]")
    return rows, ok


def main() -> None:
    err = Console(stderr=True)
    load_before = os.getloadavg()[0]
    rows, ok = asyncio.run(run_all(discover(sys.argv[1:]), err))
    # Figures from a shared machine mean little without how busy it was.
    table = Table(
        title="Concierge benchmarks",
        caption=f"{os.cpu_count()} CPUs; 1-minute load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after",
    )
    for column in ("benchmark", "figure", "value"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for row in rows:
        table.add_row(*row)
    Console(width=max(Console().width, 120)).print(table)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
