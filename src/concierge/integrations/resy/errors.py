"""What can go wrong talking to Resy, each with a message a person can act on.

Services translate these into domain errors; the messages are written to be shown as they are.
None of them ever carries a password or a token.
"""

from __future__ import annotations


class ResyError(Exception):
    """Base of every Resy failure. ``status`` is Resy's HTTP status when there was one."""

    default_message = "Resy could not complete the request. Try again in a few minutes."

    def __init__(self, message: str | None = None, *, status: int | None = None) -> None:
        self.message = message or self.default_message
        self.status = status
        super().__init__(self.message)


class AuthExpired(ResyError):
    default_message = (
        "Your Resy login has expired and logging in again did not help. "
        "Run `concierge resy login` to sign in again."
    )


class BadCredentials(ResyError):
    default_message = (
        "Resy rejected the email or password. Check them on resy.com, "
        "then run `concierge resy login` again."
    )


class PaymentRequired(ResyError):
    default_message = (
        "This table needs a card on file. Add a payment method in your Resy account "
        "(resy.com > Account > Payment methods), then try again."
    )


class SlotTaken(ResyError):
    default_message = (
        "That table is no longer available: someone else took it. Check availability again "
        "and pick another time."
    )


class RateLimited(ResyError):
    default_message = "Resy is asking us to slow down. Wait a few minutes before trying again."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class BlockedOrCaptcha(ResyError):
    """Resy wants a human (a captcha or an anti-bot check). ``deep_link`` opens the same table
    on resy.com when it is known, so the person can finish there."""

    default_message = (
        "Resy wants to check that a person is booking (a captcha or an anti-bot check). "
        "Book this one on resy.com."
    )

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        deep_link: str | None = None,
    ) -> None:
        if message is None and deep_link:
            message = (
                "Resy wants to check that a person is booking this table (a captcha). "
                f"Finish the booking on resy.com: {deep_link}"
            )
        super().__init__(message, status=status)
        self.deep_link = deep_link

    @classmethod
    def blocked(cls, *, status: int, deep_link: str | None) -> BlockedOrCaptcha:
        """A block page from Resy's edge (CloudFront, an anti-bot service) instead of an answer."""
        where = f"Finish on resy.com: {deep_link}" if deep_link else "Try again later on resy.com."
        return cls(
            "Resy blocked the request (an anti-bot check at its edge, not a problem with the "
            f"booking itself). {where}",
            status=status,
            deep_link=deep_link,
        )


class NotFound(ResyError):
    default_message = "Resy does not know that venue or reservation. Check the id and try again."


class Unavailable(ResyError):
    """Resy did not answer, or answered with a server error, after the retries we allow.

    ``reached`` is false only when the request surely never got to Resy (no connection); when
    true, Resy may have acted on it, which is what matters after a ``book``."""

    default_message = "Resy is not answering right now. Try again in a few minutes."

    def __init__(
        self, message: str | None = None, *, status: int | None = None, reached: bool = True
    ) -> None:
        super().__init__(message, status=status)
        self.reached = reached


class UnrecognisedResponse(ResyError):
    default_message = (
        "Resy answered in a way Concierge does not understand (its API may have changed). "
        "Try again later; if it persists, report it with the time it happened."
    )


class ApiKeyRejected(UnrecognisedResponse):
    default_message = (
        "Resy refused Concierge's application key. Check CONCIERGE_RESY_API_KEY "
        "(the public key of the resy.com web app)."
    )
