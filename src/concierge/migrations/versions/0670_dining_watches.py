"""dining watches: tables booked the moment they open, and each watch's log

Revision ID: 0670
Revises: 0650
Create Date: 2026-12-02

Two new tables and nothing else: upgrading touches no existing row, and downgrading drops only
the watches (a booked watch's table stays in dining_reservations).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0670"
down_revision: str | Sequence[str] | None = "0650"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dining_watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("restaurant_name", sa.String(length=300), nullable=False),
        sa.Column("place_id", sa.String(length=255), nullable=True),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("earliest", sa.Time(), nullable=False),
        sa.Column("latest", sa.Time(), nullable=False),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("seating", sa.String(length=500), nullable=True),
        sa.Column("special_requests", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("release_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("confirmation", sa.String(length=100), nullable=True),
        sa.Column("booked_time", sa.Time(), nullable=True),
        sa.Column("booked_seating", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('watching', 'booked', 'cancelled', 'ended', 'failed')",
            name=op.f("ck_dining_watches_known_status"),
        ),
        sa.CheckConstraint("party_size > 0", name=op.f("ck_dining_watches_positive_party")),
        sa.CheckConstraint("earliest <= latest", name=op.f("ck_dining_watches_ordered_window")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_dining_watches_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["dining_reservations.id"],
            name=op.f("fk_dining_watches_booking_id_dining_reservations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dining_watches")),
    )
    op.create_index("ix_dining_watches_due", "dining_watches", ["status", "next_check_at"])
    op.create_index("ix_dining_watches_user", "dining_watches", ["user_id", "created_at"])

    op.create_table(
        "dining_watch_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["watch_id"],
            ["dining_watches.id"],
            name=op.f("fk_dining_watch_log_watch_id_dining_watches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dining_watch_log")),
    )
    op.create_index("ix_dining_watch_log_watch", "dining_watch_log", ["watch_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_dining_watch_log_watch", table_name="dining_watch_log")
    op.drop_table("dining_watch_log")
    op.drop_index("ix_dining_watches_user", table_name="dining_watches")
    op.drop_index("ix_dining_watches_due", table_name="dining_watches")
    op.drop_table("dining_watches")
