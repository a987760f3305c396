"""``concierge outbox``: send what is due from a shell, and count what waits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from concierge import migrate
from concierge.cli import app
from concierge.config import get_settings
from concierge.db import Database
from concierge.models import OutboxMessage


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'concierge.db'}"
    monkeypatch.setenv("CONCIERGE_DATABASE_URL", url)
    monkeypatch.setenv("CONCIERGE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    migrate.upgrade(url)
    yield url
    get_settings.cache_clear()


def queue_notice(url: str) -> None:
    async def add() -> None:
        db = Database(url)
        now = datetime.now(UTC)
        async with db.unit_of_work() as session:
            session.add(
                OutboxMessage(
                    channel="email",
                    topic="webhook.disabled",
                    payload={
                        "to": {"name": "Ola", "email": "ola@example.com", "timezone": "UTC"},
                        "webhook": {
                            "id": 1,
                            "url": "https://x.test/",
                            "since": now.isoformat(),
                            "reason": "every delivery failed for 3 days",
                        },
                    },
                    created_at=now,
                    due_at=now,
                    attempts=0,
                )
            )
        await db.dispose()

    asyncio.run(add())


def test_outbox_run_until_empty_sends_what_is_due_and_status_counts_it(
    database: str, tmp_path: Path
) -> None:
    queue_notice(database)
    runner = CliRunner()
    waiting = runner.invoke(app, ["outbox", "status", "--json"])
    assert json.loads(waiting.stdout) == {"pending": 1, "sent": 0, "given_up": 0}
    sent = runner.invoke(app, ["outbox", "run", "--until-empty"])
    assert sent.exit_code == 0, sent.output
    assert "Sent 1 message." in sent.stdout
    (eml,) = (tmp_path / "data" / "outbox").glob("*.eml")
    assert b"Webhook disabled" in eml.read_bytes()
    done = runner.invoke(app, ["outbox", "status", "--json"])
    assert json.loads(done.stdout) == {"pending": 0, "sent": 1, "given_up": 0}
