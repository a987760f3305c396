"""What my_reservations adds about watches: the tables they booked lately, so the person is
told (until the notification channel exists, this is where they hear of it)."""

from __future__ import annotations

from datetime import timedelta

from concierge.dining import watches
from concierge.mcp.runtime import Caller

NEWS_DAYS = 7


async def watch_news(call: Caller) -> str:
    booked = await watches.booked_recently(
        call.db, user=call.user, since=call.now - timedelta(days=NEWS_DAYS)
    )
    if not booked:
        return ""
    return "\n\nBooked by your watches:\n" + "\n".join(f"- {w.line()}" for w in booked)
