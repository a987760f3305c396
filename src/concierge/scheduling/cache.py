"""Free-slots answers, rendered, kept for ``SLOTS_CACHE_SECONDS`` per host and query.

An answer is served again only while it is exactly what computing it again would give by this
process's clock (see ``engine.slots_stand_until``), no commit in this process has touched the
host's availability since it was read, and its TTL lasts. Commits of other processes (another
worker, the CLI) show within the TTL. Booking never reads it: the reservations service checks
inside its write transaction and the database refuses overlaps.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from concierge.cache import AnswerCache
from concierge.changes import AVAILABILITY, ChangeFeed
from concierge.config import Settings


class SlotsQuery(NamedTuple):
    """A slots request as it was asked, defaults unresolved."""

    host_id: int
    first: date | None
    last: date | None
    duration: int
    tz: str | None


SlotsCache = AnswerCache[SlotsQuery, bytes]


def slots_cache(feed: ChangeFeed, settings: Settings) -> SlotsCache:
    # A month of 15-minute slots renders to about 17 kB: at most 32 MiB of them.
    return AnswerCache(
        feed,
        AVAILABILITY,
        settings.slots_cache_seconds,
        max_entries=4096,
        max_size=32 * 2**20,
    )
