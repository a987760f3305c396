"""Input the service cannot represent is refused with a 422 and a stable code, before any
arithmetic: instants and dates outside the supported range, cursors we did not issue, digits
that are not ASCII, control characters in text, zone names that are not canonical IANA zones.

Each case here was a 500 found by a hostile-client harness (issue 20)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from concierge.api.pagination import encode_cursor
from tests.fixtures.web import Visitor, slug_of

pytestmark = pytest.mark.anyio

CALENDAR_ENDS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]
FAR_DATES = ["0001-01-01", "9999-12-31", "1969-12-31", "2200-01-02"]
FAR_ZONES = ["Pacific/Kiritimati", "Etc/GMT+12", "UTC"]


def assert_refused(response: httpx.Response, code: str = "invalid_request") -> None:
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code, response.text


@pytest.fixture
async def pair(sign_up: Any) -> tuple[Any, Any]:
    return await sign_up("Ada"), await sign_up("Bob")


UNIX_NUMBERS: list[Any] = [1_764_597_600, 1_764_597_600.0, "1764597600"]


@pytest.mark.parametrize(
    "start", [*CALENDAR_ENDS, "1969-12-31T23:45:00Z", "2200-01-01T00:15:00Z", *UNIX_NUMBERS]
)
async def test_a_reservation_start_outside_the_supported_instants_is_refused(
    client: httpx.AsyncClient, pair: tuple[Any, Any], start: Any
) -> None:
    ada, bob = pair
    response = await client.post(
        "/v1/reservations", json={"host_id": ada.id, "start": start}, headers=bob.auth
    )
    assert_refused(response)
    assert response.json()["errors"][0]["field"] == "body.start"


@pytest.mark.parametrize("instant", [*CALENDAR_ENDS, *UNIX_NUMBERS])
@pytest.mark.parametrize("name", ["from", "to"])
async def test_a_list_bounded_outside_the_supported_instants_is_refused(
    client: httpx.AsyncClient, pair: tuple[Any, Any], instant: Any, name: str
) -> None:
    ada, _ = pair
    response = await client.get("/v1/reservations", params={name: instant}, headers=ada.auth)
    assert_refused(response)


@pytest.mark.parametrize("day", FAR_DATES)
@pytest.mark.parametrize("tz", FAR_ZONES)
async def test_reads_of_far_dates_are_refused_in_any_zone(
    client: httpx.AsyncClient, pair: tuple[Any, Any], day: str, tz: str
) -> None:
    ada, bob = pair
    for path, extra in (
        (f"/v1/users/{ada.id}/slots", {}),
        (f"/v1/users/{ada.id}/availability", {}),
        ("/v1/availability/common", {"users": f"{ada.id},{bob.id}"}),
    ):
        for params in ({"from": day, "to": day}, {"from": day}, {"to": day}):
            response = await client.get(
                path, params={**params, **extra, "tz": tz}, headers=ada.auth
            )
            assert_refused(response)


async def test_an_override_on_a_far_date_is_refused_and_availability_still_reads(
    client: httpx.AsyncClient, pair: tuple[Any, Any]
) -> None:
    ada, _ = pair
    for day in ("9999-12-31", "0001-01-01"):
        response = await client.put(
            f"/v1/users/{ada.id}/availability",
            json={"dates": {day: [{"start": "09:00", "end": "10:00"}]}},
            headers=ada.auth,
        )
        assert_refused(response)
        removal = await client.delete(
            f"/v1/users/{ada.id}/availability", params={"from": day, "to": day}, headers=ada.auth
        )
        assert_refused(removal)
    read = await client.get(f"/v1/users/{ada.id}/availability", headers=ada.auth)
    assert read.status_code == 200, read.text


@pytest.mark.parametrize(
    "position",
    [
        ["0001-01-01T00:00:00+14:00", 1],
        ["9999-12-31T23:59:59-14:00", 1],
        [12, 1],
        ["2026-12-01T09:00:00Z", "1"],
        ["2026-12-01T09:00:00Z", True],
        ["2026-12-01T09:00:00Z", 1.5],
        ["2026-12-01T09:00:00", 1],
        ["2026-12-01T09:00:00Z"],
        {"at": 1},
        "x",
        None,
    ],
)
async def test_a_cursor_we_did_not_issue_is_invalid_cursor(
    client: httpx.AsyncClient, pair: tuple[Any, Any], position: Any
) -> None:
    ada, _ = pair
    cursor = encode_cursor(position)
    assert_refused(
        await client.get("/v1/reservations", params={"cursor": cursor}, headers=ada.auth),
        "invalid_cursor",
    )


@pytest.mark.parametrize("cursor", ["!!!", encode_cursor(["x"]), encode_cursor([True])])
async def test_a_bad_user_list_cursor_is_invalid_cursor(
    client: httpx.AsyncClient, pair: tuple[Any, Any], cursor: str
) -> None:
    ada, _ = pair
    response = await client.get("/v1/users", params={"cursor": cursor}, headers=ada.auth)
    assert_refused(response, "invalid_cursor")


@pytest.mark.parametrize(
    "text", ["Ada\x00Lovelace", "Ada\x07", "Ada\x1b[31m", "Ada\x7f", "A\u0085B"]
)
async def test_control_characters_in_a_name_or_phone_are_refused(
    client: httpx.AsyncClient, text: str
) -> None:
    body = {"name": text, "email": "ada@example.com", "timezone": "UTC"}
    assert_refused(await client.post("/v1/users", json=body))
    body = {"name": "Ada", "email": "ada@example.com", "timezone": "UTC", "phone": f"+44{text}"}
    assert_refused(await client.post("/v1/users", json=body))


async def test_a_note_may_span_lines_but_holds_no_other_control_character(
    client: httpx.AsyncClient, pair: tuple[Any, Any]
) -> None:
    ada, bob = pair
    for note in ("nul\x00here", "bell\x07"):
        response = await client.post(
            "/v1/reservations",
            json={"host_id": ada.id, "start": "2026-12-01T09:00:00Z", "note": note},
            headers=bob.auth,
        )
        assert_refused(response)
        assert response.json()["errors"][0]["field"] == "body.note"


@pytest.mark.parametrize(
    "name", ["right/UTC", "posix/UTC", "localtime", "posixrules", "Factory", "right/Europe/Paris"]
)
async def test_only_canonical_zone_names_are_accepted(client: httpx.AsyncClient, name: str) -> None:
    body = {"name": "Ada", "email": "ada@example.com", "timezone": name}
    assert_refused(await client.post("/v1/users", json=body))


@pytest.mark.parametrize("name", ["UTC", "Europe/Kyiv", "Europe/Kiev", "US/Eastern", "Etc/GMT+12"])
async def test_canonical_zones_and_their_aliases_are_accepted(
    client: httpx.AsyncClient, name: str
) -> None:
    body = {"name": "Ada", "email": "ada@example.com", "timezone": name}
    assert (await client.post("/v1/users", json=body)).status_code == 201


async def test_digits_are_ascii_digits(client: httpx.AsyncClient, pair: tuple[Any, Any]) -> None:
    ada, _ = pair
    for value in ("\u00b2", "\u0663\u0660", "\uff13\uff10"):
        response = await client.get(
            f"/v1/users/{ada.id}/slots", params={"duration": value}, headers=ada.auth
        )
        assert_refused(response)
        users = await client.get(
            "/v1/availability/common", params={"users": f"{ada.id},{value}"}, headers=ada.auth
        )
        assert_refused(users)


async def test_the_booking_page_ignores_a_duration_that_is_not_ascii_digits(
    client: httpx.AsyncClient, pair: tuple[Any, Any]
) -> None:
    ada, _ = pair
    slug = await slug_of(client, ada)
    for value in ("\u00b2", "\u0663\u0660", "\uff13\uff10"):
        page = await client.get(f"/book/{slug}", params={"duration": value})
        assert page.status_code == 200, page.text


async def test_the_hold_form_refuses_hostile_fields_with_its_own_messages(
    client: httpx.AsyncClient, pair: tuple[Any, Any]
) -> None:
    ada, _ = pair
    visitor = Visitor(client, await slug_of(client, ada), tz="UTC")
    await visitor.open()
    assert visitor.last is not None
    base = {
        "csrf": visitor.last.csrf[0],
        "start": "2026-12-01T09:00:00+00:00",
        "duration": "30",
        "tz": "UTC",
        "name": "Vera",
        "email": "vera@example.com",
    }
    for field, value in (
        ("start", CALENDAR_ENDS[0]),
        ("start", CALENDAR_ENDS[1]),
        ("duration", "\u00b2"),
        ("duration", "\u0663\u0660"),
        ("name", "Vera\x00"),
        ("email", "vera\x00@example.com"),
        ("tz", "posix/UTC"),
        ("tz", "UTC\x00"),
    ):
        response = await client.post(f"/book/{visitor.slug}", data={**base, field: value})
        assert response.status_code == 422, (field, value, response.text[:300])


@pytest.mark.parametrize(
    "path", ["/book/booking.css%00.js", "/static/booking.css%00.js", "/v1/users/%00", "/book/%00"]
)
async def test_a_nul_in_a_path_is_a_client_error(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert 400 <= response.status_code < 500, response.text


async def test_a_nul_in_a_query_is_refused(
    client: httpx.AsyncClient, pair: tuple[Any, Any]
) -> None:
    ada, _ = pair
    response = await client.get("/v1/reservations", params={"tz": "UTC\x00"}, headers=ada.auth)
    assert_refused(response)
