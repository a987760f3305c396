"""The limiter: named limits from settings, one storage, one strategy."""

from __future__ import annotations

import logging
import math
import time
from typing import Literal, get_args

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import (
    FixedWindowRateLimiter,
    MovingWindowRateLimiter,
    SlidingWindowCounterRateLimiter,
)
from limits.aio.strategies import RateLimiter as Strategy
from limits.errors import StorageError

from concierge.config import Settings
from concierge.errors import RateLimited
from concierge.observability import metrics

log = logging.getLogger(__name__)

_STRATEGIES: dict[
    str, type[MovingWindowRateLimiter | SlidingWindowCounterRateLimiter | FixedWindowRateLimiter]
] = {
    "moving-window": MovingWindowRateLimiter,
    "sliding-window-counter": SlidingWindowCounterRateLimiter,
    "fixed-window": FixedWindowRateLimiter,
}

LimitName = Literal[
    "default", "signup", "booking_pages", "reservations", "mcp_booking", "auth_failures"
]
LIMIT_NAMES: tuple[LimitName, ...] = get_args(LimitName)

_WHAT = {
    "default": "requests",
    "signup": "sign-ups from your address",
    "booking_pages": "booking page requests from your address",
    "reservations": "reservations created",
    "mcp_booking": "booking tool calls",
    "auth_failures": "unrecognised tokens",
}


def _storage(settings: Settings) -> Storage:
    if not settings.redis_url:
        return MemoryStorage()
    url = settings.redis_url
    return RedisStorage(
        url if url.startswith("async+") else f"async+{url}",
        implementation="redispy",
        key_prefix=settings.rate_limit_key_prefix,
        wrap_exceptions=True,
        socket_connect_timeout=1.0,
        socket_timeout=1.0,
    )


class RateLimiter:
    """Count hits against the limits named in settings; raise ``RateLimited`` when one is spent.

    When the shared storage (Redis) cannot be reached the request is let through and the failure
    logged: a broken counter must not take the whole service down with it.
    """

    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.enabled = settings.rate_limits_enabled
        self.storage = storage or _storage(settings)
        self.shared = isinstance(self.storage, RedisStorage)
        self._strategy: Strategy = _STRATEGIES[settings.rate_limit_strategy](self.storage)
        self._limits: dict[str, list[RateLimitItem]] = {}
        for name in LIMIT_NAMES:
            spec: str = getattr(settings, f"rate_limit_{name}")
            self._limits[name] = parse_many(spec) if spec.strip() else []

    def limits(self, name: LimitName) -> list[RateLimitItem]:
        return self._limits[name]

    async def hit(self, name: LimitName, who: str) -> None:
        """Count one request by ``who`` (e.g. ``ip:203.0.113.7``, ``user:42``) against the
        limit ``name``."""
        await self._apply(name, who, count=True)

    async def check(self, name: LimitName, who: str) -> None:
        """Raise ``RateLimited`` if ``name`` is already spent for ``who``, counting nothing."""
        await self._apply(name, who, count=False)

    async def _apply(self, name: LimitName, who: str, *, count: bool) -> None:
        if not self.enabled:
            return
        for item in self._limits[name]:
            try:
                ask = self._strategy.hit if count else self._strategy.test
                if await ask(item, name, who):
                    continue
                stats = await self._strategy.get_window_stats(item, name, who)
            except StorageError as exc:
                log.warning("rate-limit storage unavailable, letting request through: %s", exc)
                return
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            metrics.RATE_LIMITED.labels(limit=name).inc()
            raise RateLimited(
                f"Too many {_WHAT[name]}: the limit is {_describe(item)}. "
                f"Try again in {retry_after} s.",
                retry_after=retry_after,
            )

    async def reset(self) -> None:
        """Forget every count (tests, and an operator clearing a mistaken block)."""
        await self.storage.reset()

    async def close(self) -> None:
        if isinstance(self.storage, RedisStorage):
            bridge = self.storage.bridge
            client = getattr(bridge, "storage", None)
            if client is not None and hasattr(client, "aclose"):
                await client.aclose()


def _describe(item: RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    per = unit if item.multiples == 1 else f"{item.multiples} {unit}s"
    return f"{item.amount} per {per}"
