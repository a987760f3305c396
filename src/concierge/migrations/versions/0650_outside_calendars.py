"""outside calendars: CalDAV accounts and ICS feeds per person, their cached busy times, and
bookings written back to them

Revision ID: 0650
Revises: 0640
Create Date: 2026-12-02

New tables only: upgrade touches no existing row; downgrade drops the three tables (the cached
busy times are read again on the next refresh; the connections are lost, as they must be when
the code that reads them is gone).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0650"
down_revision: str | Sequence[str] | None = "0640"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outside_calendars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("collections", sa.JSON(), nullable=False),
        sa.Column("write_href", sa.Text(), nullable=True),
        sa.Column("validators", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("next_refresh_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_outside_calendars_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outside_calendars")),
    )
    with op.batch_alter_table("outside_calendars", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outside_calendars_next_refresh_at"), ["next_refresh_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outside_calendars_user_id"), ["user_id"], unique=False)

    op.create_table(
        "calendar_writes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("wanted", sa.Integer(), nullable=False),
        sa.Column("written", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["outside_calendars.id"],
            name=op.f("fk_calendar_writes_calendar_id_outside_calendars"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_calendar_writes_reservation_id_reservations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_writes")),
        sa.UniqueConstraint(
            "reservation_id", "calendar_id", name=op.f("uq_calendar_writes_reservation_id")
        ),
    )
    with op.batch_alter_table("calendar_writes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_writes_calendar_id"), ["calendar_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calendar_writes_reservation_id"), ["reservation_id"], unique=False
        )

    op.create_table(
        "outside_busy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["outside_calendars.id"],
            name=op.f("fk_outside_busy_calendar_id_outside_calendars"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outside_busy")),
    )
    with op.batch_alter_table("outside_busy", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outside_busy_calendar_id"), ["calendar_id"], unique=False
        )
        batch_op.create_index(
            "ix_outside_busy_user_start", ["user_id", "start_at", "end_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outside_busy", schema=None) as batch_op:
        batch_op.drop_index("ix_outside_busy_user_start")
        batch_op.drop_index(batch_op.f("ix_outside_busy_calendar_id"))

    op.drop_table("outside_busy")
    with op.batch_alter_table("calendar_writes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_writes_reservation_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_writes_calendar_id"))

    op.drop_table("calendar_writes")
    with op.batch_alter_table("outside_calendars", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outside_calendars_user_id"))
        batch_op.drop_index(batch_op.f("ix_outside_calendars_next_refresh_at"))

    op.drop_table("outside_calendars")
