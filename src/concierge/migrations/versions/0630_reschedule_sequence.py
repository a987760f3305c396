"""reservations: a calendar SEQUENCE, the cancellation's reason, when it was last moved

Revision ID: 0630
Revises: 0610
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0630"
down_revision: str | Sequence[str] | None = "0610"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("sequence", "cancel_reason", "rescheduled_at")


def upgrade() -> None:
    # Plain ADD COLUMNs, never a batch copy of the table: that would drop the triggers which
    # keep the participant rows in step (migration 0500).
    op.add_column(
        "reservations",
        sa.Column("sequence", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column("reservations", sa.Column("cancel_reason", sa.Text(), nullable=True))
    op.add_column(
        "reservations", sa.Column("rescheduled_at", sa.DateTime(timezone=True), nullable=True)
    )
    # A row already cancelled or expired has changed once since calendars first saw it.
    op.execute("UPDATE reservations SET sequence = 1 WHERE status IN ('cancelled', 'expired')")


def downgrade() -> None:
    for column in reversed(_COLUMNS):
        # SQLite (3.35+) drops a column in place, which keeps the table's triggers.
        op.execute(f"ALTER TABLE reservations DROP COLUMN {column}")
