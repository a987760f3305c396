"""The ResyOS client on the wire: headers, bodies, the venue token's life, retries, errors."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from concierge.clock import FrozenClock
from concierge.integrations.resyos.client import ResyOSClient, token_expiry
from concierge.integrations.resyos.errors import (
    ResyOSAuthError,
    ResyOSError,
    ResyOSProtocolError,
    ResyOSUnavailable,
)

pytestmark = pytest.mark.anyio

API = "https://api.resyos.test"
AUTH = "https://auth.resy.test"
LONG_LIVED = "long-lived-secret"


def jwt(exp: datetime | None, n: int = 1) -> str:
    claims: dict[str, Any] = {"n": n} if exp is None else {"n": n, "exp": exp.timestamp()}
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiJ9.{body}.c2ln"


class Fake:
    """A scripted ResyOS: ``routes[path]`` answers; every request is kept."""

    def __init__(self, clock: FrozenClock, ttl: timedelta | None = timedelta(hours=1)) -> None:
        self.clock = clock
        self.ttl = ttl
        self.seen: list[httpx.Request] = []
        self.issued: list[str] = []
        self.routes: dict[str, Callable[[httpx.Request], httpx.Response]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if request.url.path == "/1/auth/venue":
            token = jwt(self.clock.now() + self.ttl if self.ttl else None, len(self.issued) + 1)
            self.issued.append(token)
            return httpx.Response(200, json={"token": token})
        return self.routes[request.url.path](request)

    def paths(self) -> list[str]:
        return [r.url.path for r in self.seen]


@pytest.fixture
def fake(clock: FrozenClock) -> Fake:
    return Fake(clock)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
async def make_client(clock: FrozenClock, sleeps: list[float]) -> Any:
    clients: list[httpx.AsyncClient] = []

    async def pause(seconds: float) -> None:
        sleeps.append(seconds)

    def make(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> ResyOSClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        clients.append(http)
        return ResyOSClient(
            http,
            api_url=API,
            auth_url=AUTH,
            venue_id="42",
            token=LONG_LIVED,
            clock=clock,
            sleep=pause,
            **options,
        )

    yield make
    for http in clients:
        await http.aclose()


STAMP = {"id": "fly_669864221", "last_updated": "2024-12-16T02:49:42.461588+00:00", "flag": False}


async def test_each_call_has_the_documented_shape_and_headers(fake: Fake, make_client) -> None:
    fake.routes = {
        "/4/os/reservation/ids": lambda r: httpx.Response(200, json=[STAMP]),
        "/5/os/reservations": lambda r: httpx.Response(
            200,
            json=[{"reservation_id": "fly_1", "user_id": "30653022", "flag": 0, "specs": {}}],
        ),
        "/2/os/users": lambda r: httpx.Response(
            200, json=[{"user_id": 30653022, "first_name": "Will", "last_name": "Stewart"}]
        ),
    }
    client = make_client(fake)
    stamps = await client.reservation_ids(datetime(2026, 11, 1), datetime(2027, 5, 1, 23, 59, 59))
    details = await client.reservations(["fly_1", "fly_2"])
    guests = await client.guests(["30653022", "6483602"])

    auth, ids, reservations, users = fake.seen
    assert (auth.method, str(auth.url)) == ("POST", f"{AUTH}/1/auth/venue")
    assert auth.headers["X-Resy-Universal-Auth"] == LONG_LIVED
    assert parse_qs(auth.content.decode()) == {"venue_id": ["42"]}
    for call in (ids, reservations, users):
        assert call.headers["X-Resy-Universal-Auth"] == fake.issued[0]
        assert call.headers["Accept"] == "application/json"
        assert call.headers["User-Agent"].startswith("ResyOS/")
        assert call.headers["X-ResyOS-Host"] == "resyos.ios.mobile"
    assert (ids.method, ids.url.host, ids.url.path) == (
        "GET",
        "api.resyos.test",
        "/4/os/reservation/ids",
    )
    assert dict(ids.url.params) == {
        "start_datetime": "2026-11-01 00:00:00",
        "end_datetime": "2027-05-01 23:59:59",
    }
    assert reservations.method == "POST"
    assert json.loads(reservations.content) == {"ids": ["fly_1", "fly_2"]}
    assert users.method == "POST"
    assert users.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(users.content.decode()) == {"ids": ["30653022,6483602"]}

    assert stamps[0].id == "fly_669864221"
    assert stamps[0].last_updated == datetime(2024, 12, 16, 2, 49, 42, 461588, tzinfo=UTC)
    assert stamps[0].flag is False
    assert (details[0].user_id, details[0].flag) == ("30653022", False)
    assert (guests[0].user_id, guests[0].first_name) == ("30653022", "Will")
    assert guests[0].raw["user_id"] == 30653022
    assert client.requests == 4


async def test_the_venue_token_is_reused_until_it_lapses(
    fake: Fake, make_client, clock: FrozenClock
) -> None:
    fake.routes = {"/4/os/reservation/ids": lambda r: httpx.Response(200, json=[])}
    client = make_client(fake)
    day = datetime(2026, 12, 1)
    for _ in range(3):
        await client.reservation_ids(day, day)
    clock.advance(minutes=59, seconds=31)  # within the 30 s margin of its exp
    await client.reservation_ids(day, day)
    await client.reservation_ids(day, day)
    assert fake.paths().count("/1/auth/venue") == 2
    assert [r.headers["X-Resy-Universal-Auth"] for r in fake.seen[-2:]] == [fake.issued[1]] * 2


async def test_a_refused_token_is_refreshed_once_and_the_call_retried(
    fake: Fake, make_client
) -> None:
    answers = iter(
        [httpx.Response(401, json={"message": "Unauthorized"}), httpx.Response(200, json=[STAMP])]
    )
    fake.routes = {"/4/os/reservation/ids": lambda r: next(answers)}
    client = make_client(fake)
    day = datetime(2026, 12, 1)
    assert len(await client.reservation_ids(day, day)) == 1
    assert fake.paths() == [
        "/1/auth/venue", "/4/os/reservation/ids", "/1/auth/venue", "/4/os/reservation/ids",
    ]  # fmt: skip
    assert fake.seen[-1].headers["X-Resy-Universal-Auth"] == fake.issued[1]


async def test_a_fresh_token_refused_again_is_an_auth_error_not_a_loop(
    fake: Fake, make_client
) -> None:
    fake.routes = {"/4/os/reservation/ids": lambda r: httpx.Response(419)}
    client = make_client(fake)
    with pytest.raises(ResyOSAuthError, match="CONCIERGE_RESYOS_VENUE_ID"):
        await client.reservation_ids(datetime(2026, 12, 1), datetime(2026, 12, 2))
    assert len(fake.seen) == 4


async def test_a_refused_long_lived_token_says_which_setting_to_fix(make_client) -> None:
    client = make_client(lambda r: httpx.Response(401, json={"message": "bad token"}))
    with pytest.raises(ResyOSAuthError, match="CONCIERGE_RESYOS_TOKEN") as caught:
        await client.venue_token()
    assert LONG_LIVED not in str(caught.value)


async def test_a_token_without_exp_is_kept_until_refused(clock: FrozenClock, make_client) -> None:
    fake = Fake(clock, ttl=None)
    fake.routes = {"/4/os/reservation/ids": lambda r: httpx.Response(200, json=[])}
    client = make_client(fake)
    clock.advance(days=30)
    await client.reservation_ids(datetime(2026, 12, 1), datetime(2026, 12, 1))
    clock.advance(days=30)
    await client.reservation_ids(datetime(2026, 12, 1), datetime(2026, 12, 1))
    assert fake.paths().count("/1/auth/venue") == 1


async def test_5xx_429_and_connection_failures_are_retried_with_growing_waits(
    fake: Fake, make_client, sleeps: list[float]
) -> None:
    def flaky(request: httpx.Request) -> httpx.Response:
        n = fake.paths().count("/4/os/reservation/ids")
        if n == 1:
            raise httpx.ConnectError("refused", request=request)
        if n == 2:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response({3: 500, 4: 429}.get(n, 200), json=[STAMP])

    fake.routes = {"/4/os/reservation/ids": flaky}
    client = make_client(fake, retries=5, backoff=0.5)
    assert len(await client.reservation_ids(datetime(2026, 12, 1), datetime(2026, 12, 2))) == 1
    assert client.requests == 6
    assert len(sleeps) == 4
    for n, wait in enumerate(sleeps):
        assert 0.5 * 2**n <= wait <= 0.5 * 2**n + 0.25


async def test_retries_give_up_after_the_configured_attempts(
    fake: Fake, make_client, sleeps: list[float]
) -> None:
    fake.routes = {"/5/os/reservations": lambda r: httpx.Response(503)}
    client = make_client(fake, retries=3, backoff=1, max_backoff=1.5)
    with pytest.raises(ResyOSUnavailable, match="after 3 tries") as caught:
        await client.reservations(["fly_1"])
    assert caught.value.attempts == 3
    assert fake.paths().count("/5/os/reservations") == 3
    assert all(wait <= 1.5 for wait in sleeps)


async def test_other_client_errors_are_not_retried(fake: Fake, make_client) -> None:
    fake.routes = {"/2/os/users": lambda r: httpx.Response(400, json={"message": "no"})}
    client = make_client(fake)
    with pytest.raises(ResyOSError, match="HTTP 400"):
        await client.guests(["1"])
    assert fake.paths().count("/2/os/users") == 1


@pytest.mark.parametrize(
    "body",
    [
        {"error": "nope"},
        "a string",
        [{"last_updated": "2024-12-16T02:49:42+00:00"}],
        [{"id": "x", "last_updated": "yesterday"}],
    ],
    ids=["object", "string", "no-id", "bad-date"],
)
async def test_an_answer_of_the_wrong_shape_is_a_protocol_error(
    fake: Fake, make_client, body: Any
) -> None:
    fake.routes = {"/4/os/reservation/ids": lambda r: httpx.Response(200, json=body)}
    with pytest.raises(ResyOSProtocolError):
        await make_client(fake).reservation_ids(datetime(2026, 12, 1), datetime(2026, 12, 2))


async def test_wrapped_lists_are_accepted(fake: Fake, make_client) -> None:
    fake.routes = {
        "/5/os/reservations": lambda r: httpx.Response(
            200, json={"reservations": [{"reservation_id": "fly_1"}]}
        ),
        "/2/os/users": lambda r: httpx.Response(200, json={"users": [{"user_id": 5}]}),
    }
    client = make_client(fake)
    assert [d.reservation_id for d in await client.reservations(["fly_1"])] == ["fly_1"]
    assert [g.user_id for g in await client.guests(["5"])] == ["5"]


async def test_empty_batches_send_nothing(fake: Fake, make_client) -> None:
    client = make_client(fake)
    assert await client.reservations([]) == []
    assert await client.guests([]) == []
    assert fake.seen == []


def test_token_expiry_reads_exp_and_tolerates_anything_else() -> None:
    at = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert token_expiry(jwt(at)) == at
    assert token_expiry(jwt(None)) is None
    assert token_expiry("not-a-jwt") is None
    assert token_expiry("a.%%%.c") is None
