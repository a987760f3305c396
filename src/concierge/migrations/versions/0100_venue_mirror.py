"""venue mirror: ResyOS reservations, guests and sync cycles

Revision ID: 0100
Revises: 0001
Create Date: 2026-11-21

A venue's ResyOS book, mirrored by cheap incremental polling. Rows are never deleted by the
sync; ``raw`` keeps each object exactly as ResyOS sent it (``json``, not ``jsonb``, so even key
order and number spelling survive on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0100"
down_revision: str | Sequence[str] | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "venue_reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.String(length=64), nullable=False),
        sa.Column("resyos_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("booked_at", Instant, nullable=True),
        sa.Column("booked_local", sa.String(length=32), nullable=True),
        sa.Column("is_cancelled", sa.Boolean(), nullable=False),
        sa.Column("flag", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("last_updated", Instant, nullable=False),
        sa.Column("first_seen_at", Instant, nullable=False),
        sa.Column("last_synced_at", Instant, nullable=False),
        sa.Column("vanished_at", Instant, nullable=True),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "state IN ('booked', 'cancelled', 'vanished')",
            name=op.f("ck_venue_reservations_known_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_reservations")),
    )
    op.create_index(
        "uq_venue_reservations_resyos", "venue_reservations", ["venue_id", "resyos_id"], unique=True
    )
    op.create_index(
        "ix_venue_reservations_booked", "venue_reservations", ["venue_id", "booked_at", "id"]
    )
    op.create_index("ix_venue_reservations_user", "venue_reservations", ["venue_id", "user_id"])

    op.create_table(
        "venue_guests",
        sa.Column("venue_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("first_name", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=200), nullable=True),
        sa.Column("first_seen_at", Instant, nullable=False),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("venue_id", "user_id", name=op.f("pk_venue_guests")),
    )

    op.create_table(
        "venue_sync_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.String(length=64), nullable=False),
        sa.Column("started_at", Instant, nullable=False),
        sa.Column("finished_at", Instant, nullable=False),
        sa.Column("window_start", Instant, nullable=False),
        sa.Column("window_end", Instant, nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("listed", sa.Integer(), nullable=False),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("vanished", sa.Integer(), nullable=False),
        sa.Column("reappeared", sa.Integer(), nullable=False),
        sa.Column("guests_added", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_sync_cycles")),
    )
    op.create_index("ix_venue_sync_cycles_venue", "venue_sync_cycles", ["venue_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_venue_sync_cycles_venue", table_name="venue_sync_cycles")
    op.drop_table("venue_sync_cycles")
    op.drop_table("venue_guests")
    op.drop_index("ix_venue_reservations_user", table_name="venue_reservations")
    op.drop_index("ix_venue_reservations_booked", table_name="venue_reservations")
    op.drop_index("uq_venue_reservations_resyos", table_name="venue_reservations")
    op.drop_table("venue_reservations")
