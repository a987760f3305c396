"""participants: the database guards every person in a reservation, host or guest

Revision ID: 0500
Revises: 0400
Create Date: 2026-12-02

One row per person taking part in a reservation, with the reservation's span and whether it is
active (held or confirmed). The database keeps these rows in step with ``reservations`` in the
same statement (triggers on both backends), and refuses two active rows of one person that
overlap: an exclusion constraint on PostgreSQL, triggers on SQLite. This replaces the host-only
guard of the core migration. Existing rows are copied in; if they already put a person into two
meetings at once, the migration refuses and lists them, since no rule can say which one to drop.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from concierge.models.base import UTCDateTime

revision: str = "0500"
down_revision: str | Sequence[str] | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = "('held', 'confirmed')"
GUARD = "participants_no_overlap"

# Everyone in an active reservation, from the reservations themselves.
_PEOPLE = f"""
    SELECT id AS reservation_id, host_id AS user_id, start_at, end_at
      FROM reservations WHERE status IN {_ACTIVE}
    UNION ALL
    SELECT id, guest_id, start_at, end_at
      FROM reservations WHERE status IN {_ACTIVE} AND guest_id IS NOT NULL
"""  # noqa: S608 (constants only)

_OVERLAPS = f"""
    WITH people AS ({_PEOPLE})
    SELECT a.user_id, a.reservation_id, b.reservation_id
      FROM people a JOIN people b
        ON a.user_id = b.user_id AND a.reservation_id < b.reservation_id
       AND a.start_at < b.end_at AND b.start_at < a.end_at
     ORDER BY a.user_id, a.reservation_id, b.reservation_id
"""  # noqa: S608 (constants only)


def upgrade() -> None:
    bind = op.get_bind()
    # A lapsed hold is free already: tidy it as the sweeper would, so it blocks no one here.
    bind.execute(
        sa.text(
            "UPDATE reservations SET status = 'expired', expired_at = :now "
            "WHERE status = 'held' AND hold_expires_at <= :now"
        ).bindparams(sa.bindparam("now", type_=UTCDateTime())),
        {"now": datetime.now(UTC)},
    )
    overlaps = bind.execute(sa.text(_OVERLAPS)).all()
    if overlaps:
        listed = "; ".join(f"user {u}: reservations {a} and {b}" for u, a, b in overlaps)
        raise RuntimeError(
            f"{len(overlaps)} pair(s) of active reservations put one person into two meetings "
            f"at once ({listed}). Cancel one of each pair, then run the upgrade again."
        )
    op.create_table(
        "reservation_participants",
        sa.Column("reservation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("end_at", UTCDateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "role IN ('host', 'guest')", name=op.f("ck_reservation_participants_known_role")
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_reservation_participants_reservation_id_reservations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reservation_participants_user_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "reservation_id", "user_id", name=op.f("pk_reservation_participants")
        ),
    )
    op.create_index(
        "ix_reservation_participants_user_start",
        "reservation_participants",
        ["user_id", "start_at"],
    )
    op.execute(
        f"""
        INSERT INTO reservation_participants
            (reservation_id, user_id, role, start_at, end_at, active)
        SELECT id, host_id, 'host', start_at, end_at, status IN {_ACTIVE} FROM reservations
        UNION ALL
        SELECT id, guest_id, 'guest', start_at, end_at, status IN {_ACTIVE} FROM reservations
         WHERE guest_id IS NOT NULL
        """  # noqa: S608 (constants only)
    )
    _drop_host_guard()
    if bind.dialect.name == "postgresql":
        _guard_postgres()
    else:
        _guard_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS reservations_participants ON reservations")
        op.execute("DROP FUNCTION IF EXISTS reservations_participants_sync()")
    else:
        for name in (
            "reservations_participants_insert",
            "reservations_participants_update",
            f"{GUARD}_insert",
            f"{GUARD}_update",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_reservation_participants_user_start", "reservation_participants")
    op.drop_table("reservation_participants")
    _restore_host_guard()


# ------------------------------------------------------------------------------- PostgreSQL


def _guard_postgres() -> None:
    op.execute(
        f"ALTER TABLE reservation_participants ADD CONSTRAINT {GUARD} "
        "EXCLUDE USING gist (user_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&) "
        "WHERE (active)"
    )
    op.execute(
        f"""
        CREATE FUNCTION reservations_participants_sync() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO reservation_participants
                    (reservation_id, user_id, role, start_at, end_at, active)
                VALUES (NEW.id, NEW.host_id, 'host', NEW.start_at, NEW.end_at,
                        NEW.status IN {_ACTIVE});
                IF NEW.guest_id IS NOT NULL THEN
                    INSERT INTO reservation_participants
                        (reservation_id, user_id, role, start_at, end_at, active)
                    VALUES (NEW.id, NEW.guest_id, 'guest', NEW.start_at, NEW.end_at,
                            NEW.status IN {_ACTIVE});
                END IF;
            ELSE
                UPDATE reservation_participants
                   SET start_at = NEW.start_at, end_at = NEW.end_at,
                       active = NEW.status IN {_ACTIVE}
                 WHERE reservation_id = NEW.id;
            END IF;
            RETURN NULL;
        END $$
        """  # noqa: S608 (constants only)
    )
    op.execute(
        "CREATE TRIGGER reservations_participants "
        "AFTER INSERT OR UPDATE OF status, start_at, end_at ON reservations "
        "FOR EACH ROW EXECUTE FUNCTION reservations_participants_sync()"
    )


# ----------------------------------------------------------------------------------- SQLite


def _guard_sqlite() -> None:
    columns = "(reservation_id, user_id, role, start_at, end_at, active)"
    op.execute(
        f"""
        CREATE TRIGGER reservations_participants_insert AFTER INSERT ON reservations
        BEGIN
            INSERT INTO reservation_participants {columns}
            VALUES (NEW.id, NEW.host_id, 'host', NEW.start_at, NEW.end_at,
                    NEW.status IN {_ACTIVE});
            INSERT INTO reservation_participants {columns}
            SELECT NEW.id, NEW.guest_id, 'guest', NEW.start_at, NEW.end_at,
                   NEW.status IN {_ACTIVE}
             WHERE NEW.guest_id IS NOT NULL;
        END
        """  # noqa: S608 (constants only)
    )
    op.execute(
        f"""
        CREATE TRIGGER reservations_participants_update
        AFTER UPDATE OF status, start_at, end_at ON reservations
        BEGIN
            UPDATE reservation_participants
               SET start_at = NEW.start_at, end_at = NEW.end_at,
                   active = NEW.status IN {_ACTIVE}
             WHERE reservation_id = NEW.id;
        END
        """  # noqa: S608 (constants only)
    )
    for name, event in (
        ("insert", "INSERT"),
        ("update", "UPDATE OF active, start_at, end_at, user_id"),
    ):
        op.execute(
            f"""
            CREATE TRIGGER {GUARD}_{name}
            BEFORE {event} ON reservation_participants
            WHEN NEW.active
            BEGIN
                SELECT RAISE(ABORT, '{GUARD}')
                WHERE EXISTS (
                    SELECT 1 FROM reservation_participants p
                    WHERE p.user_id = NEW.user_id AND p.active
                      AND p.reservation_id <> NEW.reservation_id
                      AND p.start_at < NEW.end_at AND NEW.start_at < p.end_at
                );
            END
            """  # noqa: S608 (constants only)
        )


# ------------------------------------------------------------------ the core migration's guard


def _drop_host_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE reservations DROP CONSTRAINT IF EXISTS reservations_no_overlap")
        return
    op.execute("DROP TRIGGER IF EXISTS reservations_no_overlap_insert")
    op.execute("DROP TRIGGER IF EXISTS reservations_no_overlap_update")


def _restore_host_guard() -> None:
    importlib.import_module("concierge.migrations.versions.0001_core")._forbid_overlaps()
