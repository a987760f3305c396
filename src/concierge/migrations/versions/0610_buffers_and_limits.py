"""buffers and limits: per person, minutes kept clear around their meetings and caps per day/week

Revision ID: 0610
Revises: 0600
Create Date: 2026-12-02

Four columns on ``users``. Existing people get no buffers (0) and no limits (NULL), which is
exactly how they were booked before: the upgrade changes no answer. Downgrading drops the
settings and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0610"
down_revision: str | Sequence[str] | None = "0600"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("buffer_before_minutes", "buffer_after_minutes", "max_per_day", "max_per_week")


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in _COLUMNS[:2]:
            batch_op.add_column(
                sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))
            )
        for name in _COLUMNS[2:]:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
