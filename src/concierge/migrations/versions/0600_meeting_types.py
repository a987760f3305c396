"""meeting types: a host's bookable kinds of meeting; each host's durations become the first

Revision ID: 0600
Revises: 0500
Create Date: 2026-12-02

Every user gets one meeting type, "Meeting" at ``/book/<slug>/meeting``, offering the lengths
their ``booking_durations`` offered, with their own notice and horizon. Reservations gain the
type they were booked through and the guest's answers. Downgrade writes each user's first type's
lengths back to ``booking_durations`` before dropping the types, so no offer is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from concierge.models.base import UTCDateTime

revision: str = "0600"
down_revision: str | Sequence[str] | None = "0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("durations", sa.JSON(), nullable=False),
        sa.Column("location_kind", sa.String(length=16), nullable=False),
        sa.Column("location_detail", sa.String(length=500), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("min_notice_minutes", sa.Integer(), nullable=True),
        sa.Column("horizon_days", sa.Integer(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "location_kind IN ('none', 'in_person', 'phone', 'video')",
            name=op.f("ck_meeting_types_known_location"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_meeting_types_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_types")),
        sa.UniqueConstraint("owner_id", "slug", name="uq_meeting_types_owner_slug"),
    )
    op.create_index(op.f("ix_meeting_types_owner_id"), "meeting_types", ["owner_id"])
    # Plain columns on both backends: see the model for why there is no foreign key.
    op.add_column("reservations", sa.Column("meeting_type_id", sa.Integer(), nullable=True))
    op.add_column("reservations", sa.Column("answers", sa.JSON(), nullable=True))
    op.execute(
        sa.text(
            "INSERT INTO meeting_types (owner_id, slug, title, description, durations, "
            "location_kind, location_detail, questions, public, created_at) "
            "SELECT id, 'meeting', 'Meeting', '', booking_durations, 'none', '', :questions, "
            ":public, created_at FROM users"
        ).bindparams(
            sa.bindparam("questions", value=[], type_=sa.JSON()),
            sa.bindparam("public", value=True, type_=sa.Boolean()),
        )
    )


def downgrade() -> None:
    op.execute(
        "UPDATE users SET booking_durations = (SELECT m.durations FROM meeting_types m "
        "WHERE m.owner_id = users.id ORDER BY m.id LIMIT 1) "
        "WHERE EXISTS (SELECT 1 FROM meeting_types m WHERE m.owner_id = users.id)"
    )
    op.drop_column("reservations", "answers")
    op.drop_column("reservations", "meeting_type_id")
    op.drop_index(op.f("ix_meeting_types_owner_id"), table_name="meeting_types")
    op.drop_table("meeting_types")
