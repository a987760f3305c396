"""Migration 0600 turns each user's booking_durations into their first meeting type, and its
downgrade gives that type's lengths back, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import insert, select, update

from concierge import migrate
from concierge.models import MeetingType, User
from tests.migrations.test_0500_participants import SOON, engine_for
from tests.migrations.test_0500_participants import fresh_url as fresh_url  # the fixture

REVISION = "0600"


def test_each_users_lengths_become_their_first_type_and_come_back_on_downgrade(
    fresh_url: str,
) -> None:
    migrate.upgrade(fresh_url, "0500")
    engine = engine_for(fresh_url)
    users, types = User.__table__, MeetingType.__table__
    with engine.begin() as connection:
        ada = connection.execute(
            insert(users)
            .values(
                name="Ada",
                email="ada@example.com",
                timezone="UTC",
                slug="ada",
                min_notice_minutes=0,
                horizon_days=60,
                is_admin=False,
                created_at=SOON,
                booking_durations=[45, 90],
            )
            .returning(users.c.id)
        ).scalar_one()

    migrate.upgrade(fresh_url, REVISION)
    with engine.begin() as connection:
        row = connection.execute(
            select(
                types.c.slug, types.c.title, types.c.durations, types.c.questions, types.c.public
            ).where(types.c.owner_id == ada)
        ).one()
        assert tuple(row) == ("meeting", "Meeting", [45, 90], [], True)
        connection.execute(update(types).values(durations=[30]))

    command.downgrade(migrate.alembic_config(fresh_url), "0500")
    with engine.connect() as connection:
        kept = connection.execute(
            select(users.c.booking_durations).where(users.c.id == ada)
        ).scalar_one()
    engine.dispose()
    assert kept == [30]
