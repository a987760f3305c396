"""The encrypted credential store: nothing readable at rest, per owner, clear errors."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from concierge.config import Settings
from concierge.credentials import CredentialStore, CredentialsUnreadable, StoredCredentials

PASSWORD = "correct horse battery staple"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2lnbmF0dXJl"


def settings(tmp_path: Path, key: str | None = None) -> Settings:
    return Settings(data_dir=tmp_path, secret_key=key, _env_file=None)  # type: ignore[call-arg, arg-type]


def login() -> StoredCredentials:
    return StoredCredentials(
        email="dana@example.com",
        password=SecretStr(PASSWORD),
        auth_token=SecretStr(TOKEN),
        token_expires_at=datetime(2027, 1, 7, tzinfo=UTC),
        payment_method_id=11223344,
        payment_method_label="Visa ending in 1234",
    )


def test_saved_login_reads_back_whole(tmp_path: Path) -> None:
    store = CredentialStore.for_owner(settings(tmp_path), 7)
    assert not store.has("resy")
    assert store.get("resy") is None

    store.save("resy", login())

    assert store.has("resy")
    back = store.get("resy")
    assert back is not None
    assert back.password.get_secret_value() == PASSWORD
    assert back.auth_token is not None
    assert back.auth_token.get_secret_value() == TOKEN
    assert (back.email, back.payment_method_id, back.token_expires_at) == (
        "dana@example.com",
        11223344,
        datetime(2027, 1, 7, tzinfo=UTC),
    )


def test_the_file_holds_no_plaintext_and_only_its_owner_can_read_it(tmp_path: Path) -> None:
    store = CredentialStore.for_owner(settings(tmp_path), 7)
    store.save("resy", login())

    path = tmp_path / "credentials" / "7" / "resy.enc"
    raw = path.read_bytes()
    for secret in (PASSWORD, TOKEN, "dana@example.com", "11223344", "Visa"):
        assert secret.encode() not in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key_file = tmp_path / "credentials" / ".key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Fernet(key_file.read_bytes()).decrypt(raw)  # the generated key is what encrypted it


def test_repr_of_a_login_hides_the_secrets() -> None:
    text = repr(login()) + str(login())
    assert PASSWORD not in text
    assert TOKEN not in text


def test_each_owner_sees_only_their_own_login(tmp_path: Path) -> None:
    ada = CredentialStore.for_owner(settings(tmp_path), 1)
    bob = CredentialStore.for_owner(settings(tmp_path), 2)
    ada.save("resy", login())

    assert bob.get("resy") is None
    assert not bob.has("resy")
    assert bob.delete("resy") is False
    assert ada.has("resy")


def test_delete_forgets(tmp_path: Path) -> None:
    store = CredentialStore.for_owner(settings(tmp_path))
    store.save("resy", login())

    assert store.delete("resy") is True
    assert store.get("resy") is None


def test_a_key_from_the_environment_is_used_and_no_key_file_is_made(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    store = CredentialStore.for_owner(settings(tmp_path, key), 3)
    store.save("resy", login())

    assert not (tmp_path / "credentials" / ".key").exists()
    raw = (tmp_path / "credentials" / "3" / "resy.enc").read_bytes()
    assert PASSWORD in Fernet(key.encode()).decrypt(raw).decode()


def test_a_wrong_key_is_a_clear_error_not_an_empty_store(tmp_path: Path) -> None:
    CredentialStore.for_owner(settings(tmp_path, Fernet.generate_key().decode()), 3).save(
        "resy", login()
    )
    other = CredentialStore.for_owner(settings(tmp_path, Fernet.generate_key().decode()), 3)

    assert other.has("resy")
    with pytest.raises(CredentialsUnreadable, match="cannot be decrypted") as caught:
        other.get("resy")
    assert "concierge resy logout" in caught.value.detail
    assert "CONCIERGE_SECRET_KEY" in caught.value.detail


def test_a_lost_key_file_is_a_clear_error(tmp_path: Path) -> None:
    CredentialStore.for_owner(settings(tmp_path), 3).save("resy", login())
    (tmp_path / "credentials" / ".key").unlink()

    with pytest.raises(CredentialsUnreadable, match="is missing"):
        CredentialStore.for_owner(settings(tmp_path), 3).get("resy")


def test_a_malformed_key_in_the_environment_says_how_to_make_one(tmp_path: Path) -> None:
    store = CredentialStore.for_owner(settings(tmp_path, "not-a-fernet-key"), 3)

    with pytest.raises(CredentialsUnreadable, match="generate_key"):
        store.save("resy", login())


def test_owner_names_cannot_escape_the_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="owner"):
        CredentialStore.for_owner(settings(tmp_path), "../elsewhere")
