"""Outbound HTTP to user-given URLs: http(s) only, no private networks unless an admin allows
them, and every fetch bounded in time and size. Against a real HTTP server on loopback."""

from __future__ import annotations

import time

import pytest

from concierge import outbound
from concierge.outbound import OutboundFailed, OutboundRefused, Policy
from tests.fixtures.static_http import StaticHTTP

pytestmark = pytest.mark.anyio

OPEN = Policy(allow_private=True, timeout=2.0, max_bytes=100_000)
STRICT = Policy(allow_private=False, timeout=2.0)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x.ics", "file:///etc/passwd", "webcal", "http:///nohost"]
)
def test_only_absolute_http_and_https_urls_are_accepted(url: str) -> None:
    with pytest.raises(OutboundRefused):
        outbound.check_url(url)


def test_webcal_style_https_urls_pass_the_syntax_check() -> None:
    assert outbound.check_url("https://calendar.example.com/a.ics").host == "calendar.example.com"


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "192.168.0.9", "172.16.5.5", "169.254.169.254", "::1", "fe80::1",
     "::ffff:127.0.0.1", "100.64.0.1", "fd00::1"],
)  # fmt: skip
def test_private_loopback_and_link_local_addresses_are_refused(address: str) -> None:
    assert outbound.refused_address(address, allow_private=False)


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111", "93.184.215.14"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert outbound.refused_address(address, allow_private=False) is None


def test_an_admin_may_allow_private_addresses_but_never_unspecified_ones() -> None:
    assert outbound.refused_address("10.0.0.1", allow_private=True) is None
    assert outbound.refused_address("0.0.0.0", allow_private=True)


async def test_a_loopback_server_is_refused_by_default(static_http: StaticHTTP) -> None:
    static_http.put("/token-abc/cal.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    async with outbound.client(STRICT) as http:
        with pytest.raises(OutboundRefused) as refused:
            await outbound.fetch(http, "GET", static_http.url("/token-abc/cal.ics"), STRICT)
    assert "token-abc" not in refused.value.detail  # the secret part of a feed URL is not echoed
    assert static_http.requests == []  # refused before a byte was sent


async def test_a_name_resolving_to_loopback_is_refused(static_http: StaticHTTP) -> None:
    async with outbound.client(STRICT) as http:
        with pytest.raises(OutboundRefused):
            await outbound.fetch(http, "GET", f"http://localhost:{static_http.port}/x", STRICT)
    assert static_http.requests == []


async def test_allowed_private_fetches_read_the_body(static_http: StaticHTTP) -> None:
    static_http.put("/cal.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    async with outbound.client(OPEN) as http:
        got = await outbound.fetch(http, "GET", static_http.url("/cal.ics"), OPEN)
    assert got.status_code == 200
    assert got.content.startswith(b"BEGIN:VCALENDAR")


async def test_a_body_over_the_limit_is_cut_off(static_http: StaticHTTP) -> None:
    static_http.chunked_bytes = 300_000  # no Content-Length: the limit counts while reading
    async with outbound.client(OPEN) as http:
        with pytest.raises(OutboundFailed, match="more than 100,000 bytes"):
            await outbound.fetch(http, "GET", static_http.url("/chunked"), OPEN)


async def test_a_slow_server_fails_within_the_time_limit(static_http: StaticHTTP) -> None:
    static_http.slow_seconds = 5.0
    quick = Policy(allow_private=True, timeout=0.5)
    started = time.monotonic()
    async with outbound.client(quick) as http:
        with pytest.raises(OutboundFailed, match="did not answer within"):
            await outbound.fetch(http, "GET", static_http.url("/slow"), quick)
    assert time.monotonic() - started < 2.0


async def test_redirects_are_followed_and_each_hop_is_checked(static_http: StaticHTTP) -> None:
    static_http.put("/moved.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    async with outbound.client(OPEN) as http:
        got = await outbound.fetch(http, "GET", static_http.url("/redirect?to=/moved.ics"), OPEN)
        assert got.status_code == 200
        with pytest.raises(OutboundRefused):
            await outbound.fetch(
                http, "GET", static_http.url("/redirect?to=file:///etc/passwd"), OPEN
            )


async def test_credentials_follow_a_redirect_on_their_own_server_only(
    static_http: StaticHTTP,
) -> None:
    elsewhere = StaticHTTP().start()
    try:
        elsewhere.put("/feed.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        static_http.put("/feed.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        async with outbound.client(OPEN) as http:
            for to in ("/feed.ics", elsewhere.url("/feed.ics")):
                got = await outbound.fetch(
                    http,
                    "GET",
                    static_http.url(f"/redirect?to={to}"),
                    OPEN,
                    headers={"Cookie": "session=1"},
                    auth=("ada", "calendar-password"),
                )
                assert got.status_code == 200
    finally:
        elsewhere.stop()
    basic = "Basic YWRhOmNhbGVuZGFyLXBhc3N3b3Jk"
    assert static_http.authorizations == [
        ("/redirect", basic),
        ("/feed.ics", basic),  # the same server: still hers
        ("/redirect", basic),
    ]
    assert elsewhere.authorizations == [("/feed.ics", None)]
