"""Rate limits over the `limits` library: per address, per token, per account.

Counters live in memory for one process, or in Redis (``CONCIERGE_REDIS_URL``) so that every
process behind a load balancer counts against the same limits.
"""

from concierge.ratelimit.limiter import LIMIT_NAMES, LimitName, RateLimiter

__all__ = ["LIMIT_NAMES", "LimitName", "RateLimiter"]
