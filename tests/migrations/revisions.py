"""Where a migration sits in the chain, so a test of one migration starts just before it
whatever is added ahead of it later."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from concierge import migrate


def previous(revision: str) -> str:
    """The revision ``revision`` upgrades from."""
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    down = script.get_revision(revision).down_revision
    assert isinstance(down, str)
    return down
