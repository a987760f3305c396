"""dining: the restaurant cache (Google place -> Resy venue, and "not on Resy" answers)

Revision ID: 0200
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0200"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "restaurant_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("street_number", sa.String(length=20), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("resy_venue_id", sa.Integer(), nullable=True),
        sa.Column("url_slug", sa.String(length=200), nullable=True),
        sa.Column("city_code", sa.String(length=40), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recheck_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restaurant_cache")),
        sa.UniqueConstraint("place_id", name=op.f("uq_restaurant_cache_place_id")),
    )
    op.create_index("ix_restaurant_cache_name_key", "restaurant_cache", ["name_key"])


def downgrade() -> None:
    op.drop_index("ix_restaurant_cache_name_key", table_name="restaurant_cache")
    op.drop_table("restaurant_cache")
