"""No secret survives the trip through a log handler, whatever shape it is logged in."""

from __future__ import annotations

import logging

import pytest

from concierge.observability.redaction import MASK, redact_text, redact_value, register_secret
from tests.fixtures.logs import CapturedLogs

TOKEN = "cnc_Zx8v1Qm2Lr7Tb0Yp3Wd9Kf6Hs4Ng5Jc2Vu8Ea1Io7"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"Authorization: Bearer {TOKEN}", TOKEN),
        ("authorization: Bearer opaque.jwt-looking.value", "opaque.jwt-looking.value"),
        ("Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
        (f"token {TOKEN} was used", TOKEN),
        ('{"email": "a@b.c", "password": "correct horse battery"}', "correct horse battery"),
        ("{'password': 'two words'}", "two words"),
        ("login password=hunter22&next=/", "hunter22"),
        ("GET https://places.example/v1?key=AIzaSyFakeKey123&q=pizza", "AIzaSyFakeKey123"),
        ("resy auth_token=eyJhbGciOiJIUzI1NiJ9.abc", "eyJhbGciOiJIUzI1NiJ9.abc"),
        ("x-resy-auth-token: 9f8e7d6c5b4a", "9f8e7d6c5b4a"),
        ("postgresql://app:s3cretpw@db.internal:5432/concierge", "s3cretpw"),
        ("api_key = 'k-123456789'", "k-123456789"),
        ("client_secret: abcdefgh12345", "abcdefgh12345"),
    ],
)
def test_secrets_are_masked_in_text(text: str, secret: str) -> None:
    redacted = redact_text(text)
    assert secret not in redacted
    assert MASK in redacted


def test_ordinary_text_is_left_alone() -> None:
    line = "POST /v1/users 201 duration_ms=3.2 route=/v1/users/{user_id} tokens=2"
    assert redact_text(line) == line


def test_registered_values_are_masked_wherever_they_appear() -> None:
    register_secret("fernet-key-ABCDEFGH0123456789")
    assert "ABCDEFGH" not in redact_text("key material fernet-key-ABCDEFGH0123456789 leaked")


def test_structured_values_are_masked_by_name_at_any_depth() -> None:
    value = {
        "headers": {"Authorization": "Bearer abc", "Accept": "application/json"},
        "body": [{"password": "pw-1", "name": "Ada"}],
        "Cookie": "session=zzz",
    }
    assert redact_value(value) == {
        "headers": {"Authorization": MASK, "Accept": "application/json"},
        "body": [{"password": MASK, "name": "Ada"}],
        "Cookie": MASK,
    }


def test_the_handler_masks_messages_arguments_extras_and_tracebacks(
    captured_logs: CapturedLogs,
) -> None:
    log = logging.getLogger("concierge.test")
    log.info("signing in with %s", {"password": "pw-in-args-1"})
    log.info("request", extra={"headers": {"authorization": f"Bearer {TOKEN}"}})
    try:
        raise RuntimeError(f"could not use token {TOKEN}")
    except RuntimeError:
        log.exception("failed")
    logging.getLogger("httpx").info(
        'HTTP Request: GET https://api.example/find?api_key=resy-key-0001 "HTTP/1.1 200 OK"'
    )

    text = captured_logs.text
    for secret in ("pw-in-args-1", TOKEN, "resy-key-0001"):
        assert secret not in text
    lines = captured_logs.lines()
    assert lines[1]["headers"] == {"authorization": MASK}
    assert "RuntimeError" in lines[2]["exc"]
