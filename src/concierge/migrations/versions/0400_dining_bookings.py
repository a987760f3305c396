"""dining bookings: restaurant tables booked through Concierge, and visits

Revision ID: 0400
Revises: 0300
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0400"
down_revision: str | Sequence[str] | None = "0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dining_reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("platform_token", sa.String(length=500), nullable=False),
        sa.Column("confirmation", sa.String(length=100), nullable=True),
        sa.Column("venue_id", sa.Integer(), nullable=True),
        sa.Column("place_id", sa.String(length=255), nullable=True),
        sa.Column("restaurant_name", sa.String(length=300), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("time", sa.Time(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("table_type", sa.String(length=100), nullable=True),
        sa.Column("special_requests", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('confirmed', 'cancelled')",
            name=op.f("ck_dining_reservations_known_status"),
        ),
        sa.CheckConstraint("party_size > 0", name=op.f("ck_dining_reservations_positive_party")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_dining_reservations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dining_reservations")),
        sa.UniqueConstraint("user_id", "platform", "platform_token", name="uq_dining_booking"),
    )
    op.create_index(
        "ix_dining_reservations_user_starts", "dining_reservations", ["user_id", "starts_at"]
    )

    op.create_table(
        "dining_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.Integer(), nullable=True),
        sa.Column("venue_id", sa.Integer(), nullable=True),
        sa.Column("place_id", sa.String(length=255), nullable=True),
        sa.Column("restaurant_name", sa.String(length=300), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["dining_reservations.id"],
            name=op.f("fk_dining_visits_reservation_id_dining_reservations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_dining_visits_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dining_visits")),
        sa.UniqueConstraint("reservation_id", name=op.f("uq_dining_visits_reservation_id")),
    )
    op.create_index("ix_dining_visits_user_day", "dining_visits", ["user_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_dining_visits_user_day", table_name="dining_visits")
    op.drop_table("dining_visits")
    op.drop_index("ix_dining_reservations_user_starts", table_name="dining_reservations")
    op.drop_table("dining_reservations")
