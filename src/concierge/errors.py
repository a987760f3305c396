"""Domain errors: one base with an HTTP status and a stable machine ``code``.

Every front door renders these the same way: REST as ``application/problem+json``, MCP as a tool
error with the same message, the CLI as a red line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class PickFreeTime:
    """The way out of a refused time: another of this host's free times. Each front door
    says where to find them in its own words (a REST route, an MCP tool, the page's list)."""

    host_id: int
    host_name: str


class ConciergeError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, next_step: PickFreeTime | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.next_step = next_step
        self.extra = extra


class InvalidRequest(ConciergeError):
    status, code, title = 422, "invalid_request", "Invalid request"


class InvalidCursor(InvalidRequest):
    status, code, title = 422, "invalid_cursor", "Invalid cursor"


class Unauthenticated(ConciergeError):
    status, code, title = 401, "unauthenticated", "Authentication required"


class Forbidden(ConciergeError):
    status, code, title = 403, "forbidden", "Forbidden"


class NotFound(ConciergeError):
    status, code, title = 404, "not_found", "Not found"


class EmailTaken(ConciergeError):
    status, code, title = 409, "email_taken", "Email already registered"


class SlotUnavailable(ConciergeError):
    status, code, title = 409, "slot_unavailable", "Slot unavailable"


class HoldExpired(ConciergeError):
    status, code, title = 409, "hold_expired", "Hold expired"


class NotCancellable(ConciergeError):
    status, code, title = 409, "not_cancellable", "Not cancellable"


class NotConfirmable(ConciergeError):
    status, code, title = 409, "not_confirmable", "Not confirmable"


class IdempotencyKeyReused(ConciergeError):
    status, code, title = 422, "idempotency_key_reused", "Idempotency key reused"


class OutsideAvailability(ConciergeError):
    status, code, title = 422, "outside_availability", "Outside availability"


class TooSoon(ConciergeError):
    status, code, title = 422, "too_soon", "Too soon"


class TooFar(ConciergeError):
    status, code, title = 422, "too_far", "Too far ahead"


class Misaligned(ConciergeError):
    status, code, title = 422, "misaligned", "Not on the time grid"


class RangeTooLong(ConciergeError):
    status, code, title = 422, "range_too_long", "Range too long"


class SelfBooking(ConciergeError):
    status, code, title = 422, "self_booking", "Cannot book yourself"


class RateLimited(ConciergeError):
    status, code, title = 429, "rate_limited", "Too many requests"


class ServiceUnavailable(ConciergeError):
    status, code, title = 503, "unavailable", "Service unavailable"


class NotLeavable(ConciergeError):
    status, code, title = 409, "not_leavable", "Not leavable"


class LimitReached(ConciergeError):
    """A person's meetings per day or per week are at the cap they set."""

    status, code, title = 409, "limit_reached", "Meeting limit reached"


class NotReschedulable(ConciergeError):
    status, code, title = 409, "not_reschedulable", "Not reschedulable"


class SlugTaken(ConciergeError):
    status, code, title = 409, "slug_taken", "Address already used"


class DurationNotOffered(ConciergeError):
    status, code, title = 422, "duration_not_offered", "Length not offered"


class AnswerRequired(ConciergeError):
    status, code, title = 422, "answer_required", "Answer required"
