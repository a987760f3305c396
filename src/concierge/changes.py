"""What committed transactions changed, told to this process's caches.

Every session a ``Database`` makes notes which users' *accounts* (users, API tokens) and
*availability* (users, weekly hours, date overrides) its flushes and its bulk
statements touch. When the transaction commits, and only then, its ``ChangeFeed`` numbers the
change, tells its listeners (the caches drop what depends on those users) and remembers it for
a while, so that a reader whose transaction began before the change can tell that what it read
may be stale and must not be cached. A rolled-back transaction tells nothing.

Reservations are not watched here: every change of one records a domain event naming its people
(``concierge.events``), and the feed publishes those users' availability as changed when the
transaction commits.

A bulk ``UPDATE``/``DELETE``/``INSERT`` cannot say whose rows it reaches; unless it names them
with ``.execution_options(**touching(user_id, ...))`` it counts as touching everyone. Raw SQL
text is not seen at all (nothing in the service writes those tables that way). Commits of
other processes are never seen here: a cache entry lives at most its TTL.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Final, Literal, Protocol

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from concierge import events
from concierge.models import ApiToken, DateOverride, OutsideBusy, User, WeeklySchedule

Topic = Literal["accounts", "availability"]
ACCOUNTS: Final = "accounts"
AVAILABILITY: Final = "availability"

# Who a row belongs to, per watched table: which topics a change to it touches, and the
# attributes naming the users it touches.
_WATCHED: Final[dict[str, tuple[tuple[Topic, ...], tuple[str, ...]]]] = {
    User.__tablename__: ((ACCOUNTS, AVAILABILITY), ("id",)),
    ApiToken.__tablename__: ((ACCOUNTS,), ("user_id",)),
    WeeklySchedule.__tablename__: ((AVAILABILITY,), ("user_id",)),
    DateOverride.__tablename__: ((AVAILABILITY,), ("user_id",)),
    OutsideBusy.__tablename__: ((AVAILABILITY,), ("user_id",)),
}

_TOUCHES = "concierge_touches"
_FEED = "concierge.changes.feed"
_SINCE = "concierge.changes.since"
_PENDING = "concierge.changes.pending"

# Users touched per topic; None: anyone at all.
Touched = dict[Topic, set[int] | None]


def touching(*user_ids: int | None) -> dict[str, Any]:
    """Execution options naming the users a bulk statement can touch (``None`` ids, e.g. a
    visitor's missing guest id, are skipped): ``update(...).execution_options(**touching(7))``."""
    return {_TOUCHES: frozenset(uid for uid in user_ids if uid is not None)}


@dataclass(frozen=True, slots=True)
class Change:
    """One committed transaction's effect on a topic: these users, or everyone (``None``)."""

    seq: int
    topic: Topic
    users: frozenset[int] | None

    def touches(self, user_id: int) -> bool:
        return self.users is None or user_id in self.users


class Listener(Protocol):
    def changed(self, change: Change) -> None: ...


class ChangeFeed:
    """The committed changes of one process's sessions, numbered, for its caches.

    ``seq`` is the number of the latest change. A reader notes it before its transaction
    reads anything (``reading_since``); ``touched_since`` later says whether a change to a
    user was committed meanwhile. The last ``memory`` changes are kept for that; a reader older
    than all of them is told "yes" and simply does not cache. Listeners are held weakly, so a
    cache goes away with its app.
    """

    def __init__(self, memory: int = 1024) -> None:
        self.seq = 0
        self._recent: deque[Change] = deque(maxlen=memory)
        self._listeners: weakref.WeakSet[Any] = weakref.WeakSet()

    def subscribe(self, listener: Listener) -> None:
        self._listeners.add(listener)

    def publish(self, touched: Mapping[Topic, Iterable[int] | None]) -> None:
        for topic, users in touched.items():
            self.seq += 1
            change = Change(self.seq, topic, None if users is None else frozenset(users))
            self._recent.append(change)
            for listener in list(self._listeners):
                listener.changed(change)

    def touched_since(self, seq: int, topic: Topic, user_id: int) -> bool:
        """Whether a change to ``user_id``'s ``topic`` was committed after change ``seq``."""
        if seq >= self.seq:
            return False
        if not self._recent or self._recent[0].seq > seq + 1:
            return True  # forgotten: assume the worst
        for change in reversed(self._recent):
            if change.seq <= seq:
                return False
            if change.topic == topic and change.touches(user_id):
                return True
        return False


def attach(info: dict[str, Any], feed: ChangeFeed) -> dict[str, Any]:
    """Session ``info`` that makes the sessions built with it report to ``feed``."""
    return {**info, _FEED: feed}


def reading_since(session: AsyncSession | Session) -> int | None:
    """The feed's ``seq`` from before this session's transaction read anything: what a cache
    entry filled from its reads is as fresh as. None for a session that reports to no feed."""
    orm = session.sync_session if isinstance(session, AsyncSession) else session
    feed: ChangeFeed | None = orm.info.get(_FEED)
    if feed is None:
        return None
    since: int = orm.info.get(_SINCE, feed.seq)
    return since


# ------------------------------------------------------------------------ session listeners


def _pending(session: Session) -> Touched | None:
    if _FEED not in session.info:
        return None
    pending: Touched = session.info.setdefault(_PENDING, {})
    return pending


def _note(pending: Touched, topics: Iterable[Topic], users: Iterable[int] | None) -> None:
    for topic in topics:
        if users is None:
            pending[topic] = None
        else:
            known = pending.setdefault(topic, set())
            if known is not None:
                known.update(users)


@event.listens_for(Session, "after_begin")
def _remember_start(session: Session, _transaction: Any, _connection: Any) -> None:
    feed: ChangeFeed | None = session.info.get(_FEED)
    if feed is not None:
        session.info.setdefault(_SINCE, feed.seq)


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _flush: UOWTransaction) -> None:
    pending = _pending(session)
    if pending is None:
        return
    for instance in chain(session.new, session.dirty, session.deleted):
        watched = _WATCHED.get(getattr(instance, "__tablename__", ""))
        if watched is None:
            continue
        topics, keys = watched
        _note(pending, topics, _owners(instance, keys))


def _owners(instance: object, keys: tuple[str, ...]) -> set[int] | None:
    """The users named by ``instance``'s ``keys``, before and after the flush; None when one
    is not loaded, since telling whose it is would take a query."""
    state = inspect(instance)
    users: set[int] = set()
    for key in keys:
        history = state.attrs[key].history
        if key not in state.dict and not history.deleted:
            return None
        values = chain(history.added, history.unchanged, history.deleted)
        users.update(v for v in values if v is not None)
    return users


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(execution: ORMExecuteState) -> None:
    statement = execution.statement
    if not statement.is_dml:
        return
    watched = _WATCHED.get(getattr(getattr(statement, "table", None), "name", ""))
    if watched is None:
        return
    pending = _pending(execution.session)
    if pending is not None:
        _note(pending, watched[0], execution.execution_options.get(_TOUCHES))


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    pending: Touched | None = session.info.pop(_PENDING, None)
    feed: ChangeFeed | None = session.info.get(_FEED)
    if pending and feed is not None:
        feed.publish(pending)


def _publish_events(committed: Sequence[events.Event], info: Mapping[str, Any]) -> None:
    feed: ChangeFeed | None = info.get(_FEED)
    if feed is not None:
        feed.publish({AVAILABILITY: set().union(*(e.users for e in committed))})


events.subscribe(_publish_events)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_SINCE, None)
