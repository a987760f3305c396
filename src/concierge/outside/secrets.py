"""A connection's address and login, sealed with the stored-credentials key (Fernet) before
they reach the database, and never shown again: lists show the host name only."""

from __future__ import annotations

import json
from dataclasses import dataclass

from cryptography.fernet import InvalidToken

from concierge.config import Settings
from concierge.credentials import CredentialsUnreadable, fernet


@dataclass(frozen=True, slots=True)
class Secret:
    url: str
    username: str | None = None
    password: str | None = None

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.username is None or self.password is None:
            return None
        return (self.username, self.password)


def seal(settings: Settings, secret: Secret) -> str:
    plain = {"url": secret.url, "username": secret.username, "password": secret.password}
    return fernet(settings).encrypt(json.dumps(plain).encode()).decode()


def unseal(settings: Settings, token: str) -> Secret:
    try:
        plain = json.loads(fernet(settings).decrypt(token.encode()))
    except (InvalidToken, ValueError) as exc:
        raise CredentialsUnreadable(
            "A connected calendar's stored login cannot be decrypted with the current key: "
            "the key changed. Put the old key back, or remove the calendar and connect it again."
        ) from exc
    return Secret(plain["url"], plain.get("username"), plain.get("password"))
