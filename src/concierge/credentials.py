"""Logins to outside platforms (Resy), encrypted at rest with Fernet.

Layout under the data directory::

    credentials/.key              the Fernet key (mode 0600), made on first use,
                                  unless CONCIERGE_SECRET_KEY gives one
    credentials/<owner>/resy.enc  one owner's Resy login: encrypted JSON

``owner`` is whose login it is: a Concierge user's id (``str(user.id)``), so each user's
assistant uses only that user's login, or ``local`` for a one-person setup driven from the CLI.
A file that the current key cannot open is an error that says what to do, never an empty store.
"""

from __future__ import annotations

import hmac
import json
import os
import re
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from concierge.config import Settings
from concierge.errors import ConciergeError

LOCAL_OWNER = "local"
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


class CredentialsUnreadable(ConciergeError):
    status, code, title = 500, "credentials_unreadable", "Stored credentials unreadable"


class StoredCredentials(BaseModel):
    """One platform login. Secrets are ``SecretStr`` so a stray log line shows ``**********``."""

    model_config = ConfigDict(extra="ignore")

    email: str
    password: SecretStr
    auth_token: SecretStr | None = None
    token_expires_at: datetime | None = None
    payment_method_id: int | None = None
    payment_method_label: str | None = None  # "Visa ending in 1234"

    def revealed(self) -> dict[str, Any]:
        """The plain fields, only for encryption."""
        data = self.model_dump(mode="json")
        data["password"] = self.password.get_secret_value()
        data["auth_token"] = self.auth_token.get_secret_value() if self.auth_token else None
        return data


class CredentialStore:
    """Fernet-encrypted JSON per platform, in one owner's directory."""

    def __init__(self, directory: Path, *, key: str | None = None, key_file: Path) -> None:
        self.directory = directory
        self._key = key
        self._key_file = key_file
        self._fernet: Fernet | None = None

    @classmethod
    def for_owner(cls, settings: Settings, owner: int | str = LOCAL_OWNER) -> CredentialStore:
        """The store of one owner: a Concierge user id, or ``local``."""
        name = str(owner)
        if not _NAME.fullmatch(name):
            raise ValueError("an owner is a user id or a short name of letters, digits, - and _")
        root = settings.data_dir / "credentials"
        key = settings.secret_key.get_secret_value() if settings.secret_key else None
        return cls(root / name, key=key, key_file=root / ".key")

    # --- the four operations

    def save(self, platform: str, credentials: StoredCredentials) -> None:
        path = self._path(platform)
        token = self._cipher(create=True).encrypt(json.dumps(credentials.revealed()).encode())
        _ensure_dir(path.parent)
        temporary = path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(token)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    def get(self, platform: str) -> StoredCredentials | None:
        path = self._path(platform)
        if not path.exists():
            return None
        try:
            plain = self._cipher(create=False).decrypt(path.read_bytes())
            return StoredCredentials.model_validate_json(plain)
        except (InvalidToken, ValidationError, ValueError) as exc:
            raise CredentialsUnreadable(self._unreadable(platform)) from exc

    def delete(self, platform: str) -> bool:
        """Forget a platform's login; False when there was none."""
        try:
            self._path(platform).unlink()
        except FileNotFoundError:
            return False
        return True

    def has(self, platform: str) -> bool:
        return self._path(platform).exists()

    def derived_key(self, purpose: str) -> bytes:
        """A key for signing (never for encrypting), derived from the encryption key: one
        secret to keep, and a signature never reveals it."""
        return hmac.new(self._load_key(create=True), purpose.encode(), sha256).digest()

    def cipher(self) -> Fernet:
        """The install's Fernet, for other secrets kept at rest (see ``concierge.sealed``)."""
        return self._cipher(create=True)

    # --- keys and paths

    def _path(self, platform: str) -> Path:
        if not _NAME.fullmatch(platform):
            raise ValueError("a platform name is letters, digits, - and _")
        return self.directory / f"{platform}.enc"

    def _cipher(self, *, create: bool) -> Fernet:
        if self._fernet is None:
            self._fernet = Fernet(self._load_key(create=create))
        return self._fernet

    def _load_key(self, *, create: bool) -> bytes:
        if self._key:
            key = self._key.encode()
            try:
                Fernet(key)
            except ValueError as exc:
                raise CredentialsUnreadable(
                    "CONCIERGE_SECRET_KEY is not a Fernet key. Make one with: python -c "
                    '"from cryptography.fernet import Fernet; '
                    'print(Fernet.generate_key().decode())"'
                ) from exc
            return key
        try:
            return self._key_file.read_bytes().strip()
        except FileNotFoundError:
            if not create:
                raise CredentialsUnreadable(
                    f"The key that encrypted the stored logins ({self._key_file}) is missing. "
                    "Put it back, or set CONCIERGE_SECRET_KEY to it; otherwise log in again "
                    "with `concierge resy logout` then `concierge resy login`."
                ) from None
        _ensure_dir(self._key_file.parent)
        key = Fernet.generate_key()
        try:
            # O_EXCL: when two processes race to make the key, one wins and both use its key.
            descriptor = os.open(self._key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return self._key_file.read_bytes().strip()
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        return key

    def _unreadable(self, platform: str) -> str:
        source = "CONCIERGE_SECRET_KEY" if self._key else str(self._key_file)
        return (
            f"The stored {platform} login cannot be decrypted with the current key ({source}): "
            "the key changed or the file is damaged. Put the old key back, or run "
            f"`concierge {platform} logout` and then `concierge {platform} login` again."
        )


def _ensure_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


def fernet(settings: Settings) -> Fernet:
    """The same Fernet key as the stored logins, for secrets kept in database rows (outside
    calendars' addresses and passwords)."""
    return CredentialStore.for_owner(settings)._cipher(create=True)
