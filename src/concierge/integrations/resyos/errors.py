"""What can go wrong talking to ResyOS. Services translate these into domain errors."""

from __future__ import annotations


class ResyOSError(Exception):
    """Any failure of a ResyOS call."""


class ResyOSAuthError(ResyOSError):
    """The long-lived token was refused, or a fresh venue token was refused at once."""


class ResyOSUnavailable(ResyOSError):
    """5xx, 429, timeouts or connection failures that outlasted every retry."""

    def __init__(self, message: str, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


class ResyOSProtocolError(ResyOSError):
    """An answer that is not the shape EXTERNAL-APIS.md describes."""
