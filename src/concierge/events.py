"""Domain events: what a unit of work changed, told to subscribers once it has committed.

A state-changing function records an event on the session (``record``); nothing else learns of
it until the transaction commits. Then, and only then, every subscriber runs with the committed
events, in the order they were recorded; a rolled-back transaction tells nothing. Subscribers
are in-process and best effort (metrics, cache invalidation): an event is lost if the process
dies between commit and subscriber.

Work that must not be lost (emails, webhooks) is written as outbox rows just before the
commit, on the same transaction, from the events recorded (``concierge.outbox.writer``), and
delivered by the outbox worker; the in-process subscribers stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

ReservationKind = Literal["held", "confirmed", "cancelled", "expired", "left", "rescheduled"]


@dataclass(frozen=True, slots=True)
class ReservationChanged:
    """``reservation.<kind>``: the reservation moved into ``kind``; ``users`` are the people
    whose taken time it was (its participants with an account)."""

    kind: ReservationKind
    reservation_id: int
    users: frozenset[int]
    # For ``rescheduled``: the span it was moved from (its new one is on the row).
    moved_from: tuple[datetime, datetime] | None = None

    @property
    def name(self) -> str:
        return f"reservation.{self.kind}"


Event = ReservationChanged


@dataclass(frozen=True, slots=True)
class Notice:
    """Something outside reservations that webhooks may hear of (``restaurant_booking.booked``,
    ``venue_sync.completed``...): ``users`` whose subscriptions it concerns (admin-wide ones
    hear of every notice), ``data`` the body's ``data``. Only the outbox is told of it, in the
    same transaction; the in-process subscribers hear of reservation events alone."""

    name: str
    users: frozenset[int]
    data: Mapping[str, Any]
    at: datetime


# Called with the committed events and the committing session's ``info`` (where, for example,
# the change feed of its database is found).
Subscriber = Callable[[Sequence[Event], Mapping[str, Any]], None]

_PENDING = "concierge.events.pending"
_NOTICES = "concierge.events.notices"
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Callable[[], None]:
    """Run ``subscriber`` after every commit that recorded events; returns the unsubscribe."""
    _subscribers.append(subscriber)
    return lambda: _subscribers.remove(subscriber)


def record(session: AsyncSession | Session, event: Event) -> None:
    """Note ``event`` on the unit of work; told to subscribers if and when it commits."""
    orm = session.sync_session if isinstance(session, AsyncSession) else session
    orm.info.setdefault(_PENDING, []).append(event)


def notify(session: AsyncSession | Session, notice: Notice) -> None:
    """Note ``notice`` on the unit of work, for the outbox, if and when it commits."""
    orm = session.sync_session if isinstance(session, AsyncSession) else session
    orm.info.setdefault(_NOTICES, []).append(notice)


def pending(session: Session) -> Sequence[Event]:
    """The events recorded on ``session`` and not yet committed."""
    found: list[Event] = session.info.get(_PENDING, [])
    return found


@sa_event.listens_for(Session, "before_commit")
def _write_outbox(session: Session) -> None:
    # The outbox rows go into the very transaction that made the change (see the docstring).
    if session.info.get(_PENDING) or session.info.get(_NOTICES):
        from concierge.outbox.writer import write

        write(session, session.info.get(_PENDING, []), session.info.pop(_NOTICES, []))


@sa_event.listens_for(Session, "after_commit")
def _tell_subscribers(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    committed: list[Event] = session.info.pop(_PENDING, [])
    if not committed:
        return
    for subscriber in list(_subscribers):
        subscriber(committed, session.info)


@sa_event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_NOTICES, None)
