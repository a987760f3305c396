"""Short secrets kept in database columns, encrypted with the install's key (the one that
encrypts stored logins, see ``concierge.credentials``): webhook signing secrets, the SMTP
password, manage-link tokens that emails must carry. A database dump alone reveals none."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from concierge.config import Settings
from concierge.credentials import CredentialStore, CredentialsUnreadable


def _cipher(settings: Settings) -> Fernet:
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    return _cached(key, str(settings.data_dir), settings)


_CIPHERS: dict[tuple[str | None, str], Fernet] = {}


def _cached(key: str | None, data_dir: str, settings: Settings) -> Fernet:
    found = _CIPHERS.get((key, data_dir))
    if found is None:
        found = _CIPHERS[(key, data_dir)] = CredentialStore.for_owner(settings).cipher()
    return found


def seal(settings: Settings, secret: str) -> str:
    return _cipher(settings).encrypt(secret.encode()).decode()


def unseal(settings: Settings, sealed: str) -> str:
    try:
        return _cipher(settings).decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise CredentialsUnreadable(
            "A secret stored in the database cannot be decrypted with the current key: "
            "CONCIERGE_SECRET_KEY (or the key file in the data directory) changed."
        ) from exc
