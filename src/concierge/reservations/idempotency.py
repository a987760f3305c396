"""The ``Idempotency-Key`` header: a retried creation returns the first answer, creates nothing.

The record is written in the same transaction as the reservation it describes, so either both
exist or neither does. Only a success is remembered: a refused request created nothing, so
retrying it with the same key simply asks again. Two requests with one key wait for each other
(SQLite's write lock; an advisory lock on PostgreSQL), so the second always sees the first's
record. Reusing a key for a different request is refused with 422 ``idempotency_key_reused``,
the status the IETF idempotency-key draft recommends.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from concierge.errors import IdempotencyKeyReused
from concierge.models import IdempotencyRecord
from concierge.reservations.service import advisory_lock

KEY_LOCK = 0x4944_454D  # "IDEM"


def fingerprint(request: dict[str, Any]) -> str:
    """A digest of what was asked, independent of key order and spacing."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def recall(
    session: AsyncSession, user_id: int, key: str, request_fingerprint: str
) -> IdempotencyRecord | None:
    """The first answer to this key, or None when this request is the first."""
    await advisory_lock(session, KEY_LOCK, f"{user_id}:{key}")
    record = await session.get(IdempotencyRecord, (user_id, key))
    if record is not None and record.request_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different request; send a new key "
            "for a new request, or repeat the first request exactly to get its answer again."
        )
    return record


async def remember(
    session: AsyncSession,
    user_id: int,
    key: str,
    request_fingerprint: str,
    status_code: int,
    body: dict[str, Any],
    now: datetime,
) -> None:
    session.add(
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            request_fingerprint=request_fingerprint,
            status_code=status_code,
            body=body,
            created_at=now,
        )
    )
    await session.flush()
