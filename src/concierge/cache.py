"""Answers kept in this process for a few seconds, dropped the moment what they were read from
changes here.

Each entry depends on one user's data under one topic of the ``ChangeFeed`` (the owner of a
token; the host whose free slots these are) and holds for a window of the app's clock:
from the instant it was computed until the earlier of its TTL and its own ``until`` (when the
answer would change by the clock alone). A commit in this process that touches the user drops
the entry at once; an answer read by a transaction that began before such a commit is never
stored. Commits of other processes go unseen: across processes an entry is stale for at most
its TTL. A TTL of 0 turns the cache off.

Not thread-safe: one per event loop, which is how the app uses it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from concierge.changes import Change, ChangeFeed, Topic

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(slots=True)
class _Entry(Generic[V]):
    value: V
    user: int
    start: datetime
    until: datetime
    size: int


class AnswerCache(Generic[K, V]):
    """A bounded LRU map of answers, each valid for ``[start, until)`` of the clock."""

    def __init__(
        self,
        feed: ChangeFeed,
        topic: Topic,
        seconds: float,
        *,
        max_entries: int,
        max_size: int | None = None,
    ) -> None:
        self.topic = topic
        self.ttl = timedelta(seconds=max(seconds, 0))
        self.max_entries = max_entries
        self.max_size = max_size
        self.size = 0
        # Lookups answered and not, for measuring whether the cache pays (``bench/slots_cache``).
        self.hits = 0
        self.misses = 0
        self._feed = feed
        self._entries: OrderedDict[K, _Entry[V]] = OrderedDict()
        self._by_user: dict[int, set[K]] = {}
        if self.enabled:
            feed.subscribe(self)

    @property
    def enabled(self) -> bool:
        return self.ttl > timedelta(0)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K, now: datetime) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        if not entry.start <= now < entry.until:
            self._drop(key)
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry.value

    def put(
        self,
        key: K,
        value: V,
        *,
        user: int,
        since: int | None,
        now: datetime,
        until: datetime | None = None,
        size: int = 1,
    ) -> None:
        """Keep ``value``, read from the database after change ``since`` of the feed (see
        ``changes.reading_since``), as the answer for ``key`` from ``now`` until the TTL or
        ``until``, whichever comes first. Nothing is kept if the user's data changed since."""
        if not self.enabled or since is None:
            return
        if self._feed.touched_since(since, self.topic, user):
            return  # read before a change committed here: possibly stale already
        end = now + self.ttl if until is None else min(now + self.ttl, until)
        if end <= now:
            return
        self._drop(key)
        self._entries[key] = _Entry(value, user, now, end, size)
        self._by_user.setdefault(user, set()).add(key)
        self.size += size
        while len(self._entries) > self.max_entries or (
            self.max_size is not None and self.size > self.max_size
        ):
            self._drop(next(iter(self._entries)))

    def changed(self, change: Change) -> None:
        """Drop what depends on the users a committed change touched (a feed listener)."""
        if change.topic != self.topic:
            return
        if change.users is None:
            self.clear()
            return
        for user in change.users:
            for key in self._by_user.pop(user, ()):
                entry = self._entries.pop(key, None)
                if entry is not None:
                    self.size -= entry.size

    def clear(self) -> None:
        self._entries.clear()
        self._by_user.clear()
        self.size = 0

    def _drop(self, key: K) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self.size -= entry.size
        keys = self._by_user.get(entry.user)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_user[entry.user]
