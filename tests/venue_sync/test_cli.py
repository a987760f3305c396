"""``concierge venue-sync`` as an operator runs it: real processes, real signals.

The processes are driven from worker threads (``to_thread``): waiting on a process or polling
the stand-in must not block the event loop the database checks run on.
"""

from __future__ import annotations

import math
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio import to_thread
from sqlalchemy import func, select

from concierge.db import Database
from concierge.models import VenueReservation
from tests.fixtures.resyos import CONCIERGE, assert_mirror_matches, sync_env

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def _stored(db: Database) -> int:
    async with db.unit_of_work(write=False) as session:
        return int(await session.scalar(select(func.count()).select_from(VenueReservation)) or 0)


def _admin(url: str, method: str, path: str) -> Any:
    with httpx.Client(base_url=url, timeout=10) as admin:
        return admin.request(method, path).json()


def _wait_for_details(url: str, proc: subprocess.Popen[str], at_least: int) -> None:
    """Poll the stand-in until the sync has made ``at_least`` details requests."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _admin(url, "GET", "/__sandbox/requests")["reservations"] >= at_least:
            return
        assert proc.poll() is None, "the sync ended before it could be interrupted"
        time.sleep(0.02)
    raise AssertionError("the sync made no progress")


def _start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [CONCIERGE, "venue-sync", *args],
        env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CONCIERGE, "venue-sync", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def _kill_mid_sync(url: str, env: dict[str, str], cwd: Path) -> int:
    proc = _start(["run", "--once"], env, cwd)
    try:
        _wait_for_details(url, proc, at_least=30)
        proc.send_signal(signal.SIGKILL)
        return proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _terminate_mid_sync(url: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    proc = _start(["run", "--every", "60"], env, cwd)
    try:
        _wait_for_details(url, proc, at_least=5)
        proc.send_signal(signal.SIGTERM)
        _, log = proc.communicate(timeout=60)
        return proc.returncode, log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def test_a_first_sync_killed_with_sigkill_resumes_and_ends_equal_to_resyos(
    db: Database, database_url: str, spawn_resyos, tmp_path: Path
) -> None:
    stand_in = spawn_resyos(reservations=5000, latency=0.02)
    env = sync_env(database_url, stand_in.url)

    status = await to_thread.run_sync(_kill_mid_sync, stand_in.url, env, tmp_path)
    assert status == -signal.SIGKILL
    kept = await _stored(db)
    # Whole batches were committed before the kill, and far from all of them.
    assert 1000 <= kept < 5000
    assert kept % 50 == 0

    await to_thread.run_sync(_admin, stand_in.url, "DELETE", "/__sandbox/requests")
    second = await to_thread.run_sync(_run, ["run", "--once"], env, tmp_path)
    assert second.returncode == 0, second.stderr
    requests = await to_thread.run_sync(_admin, stand_in.url, "GET", "/__sandbox/requests")
    state = await to_thread.run_sync(_admin, stand_in.url, "GET", "/__sandbox/state")

    # The restart fetched only what the killed run had not stored.
    assert requests["ids"] == 1
    assert requests["reservations"] == math.ceil((5000 - kept) / 50)
    assert f"created={5000 - kept} " in second.stderr
    await assert_mirror_matches(db, state)


async def test_sigterm_stops_after_the_current_cycle_which_completes(
    db: Database, database_url: str, spawn_resyos, tmp_path: Path
) -> None:
    stand_in = spawn_resyos(reservations=1500, latency=0.02)
    env = sync_env(database_url, stand_in.url, CONCIERGE_RESYOS_ATOMIC_LIMIT="100")

    status, log = await to_thread.run_sync(_terminate_mid_sync, stand_in.url, env, tmp_path)
    assert status == 0, log
    assert "stopping after the current cycle" in log
    cycle_lines = [line for line in log.splitlines() if "venue-sync venue=" in line]
    assert len(cycle_lines) == 1
    assert "mode=catch_up listed=1500 fetched=1500" in cycle_lines[0]
    state = await to_thread.run_sync(_admin, stand_in.url, "GET", "/__sandbox/state")
    await assert_mirror_matches(db, state)

    day = state["reservations"][0]["specs"]["booked_datetime"][:10]
    listed = await to_thread.run_sync(
        _run, ["list", "--from", day, "--to", day], {**env, "COLUMNS": "200"}, tmp_path
    )
    assert listed.returncode == 0, listed.stderr
    users = {str(u["user_id"]): u for u in state["users"]}
    that_day = [r for r in state["reservations"] if r["specs"]["booked_datetime"].startswith(day)]
    for reservation in that_day:
        guest = users[reservation["user_id"]]
        assert f"{guest['first_name']} {guest['last_name']}" in listed.stdout
        assert reservation["reservation_id"] in listed.stdout
    assert f"{len(that_day)} reservation(s)" in listed.stderr


def test_run_needs_once_or_every(tmp_path: Path) -> None:
    result = _run(["run"], {}, tmp_path)
    assert result.returncode != 0
    assert "--once or --every" in result.stderr
