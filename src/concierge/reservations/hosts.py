"""Who hosts a reservation: its own host column first, then a meeting's other hosts, read
from the participant rows (a host who left has none)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.models import ParticipantRole, Reservation, ReservationParticipant

Participant = ReservationParticipant


async def hosts_of(
    session: AsyncSession, reservations: Sequence[Reservation]
) -> dict[int, list[int]]:
    """Each reservation's hosts still in it: its own host first, then the others by id."""
    found: dict[int, list[int]] = {r.id: [r.host_id] for r in reservations}
    if not found:
        return found
    rows = await session.execute(
        select(Participant.reservation_id, Participant.user_id)
        .where(
            Participant.reservation_id.in_(list(found)),
            Participant.role == ParticipantRole.HOST,
        )
        .order_by(Participant.reservation_id, Participant.user_id)
    )
    for reservation_id, user_id in rows:
        if user_id != found[reservation_id][0]:
            found[reservation_id].append(user_id)
    return found
