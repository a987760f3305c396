"""Meeting types over HTTP: a host makes and edits their own, anyone signed in reads the public
ones, and a booking through one obeys its lengths, rules and questions.

The frozen clock reads Monday 2026-11-23 12:00 UTC; the host works 09:00-17:00 UTC on weekdays
with the default 24 hours' notice (tests/fixtures/reservations.py).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.app import Person
from tests.fixtures.reservations import WEDNESDAY, Reserve, at

pytestmark = pytest.mark.anyio

INTRO = {
    "title": "Intro call",
    "description": "Twenty minutes to see whether we fit.",
    "durations": [30, 15],
    "location": {"kind": "video", "detail": "https://meet.example.com/hana"},
    "questions": [
        {"id": "company", "label": "Your company", "required": True},
        {"id": "topic", "label": "What would you like to discuss?"},
    ],
}


async def make_type(client: httpx.AsyncClient, owner: Person, **changes: Any) -> dict[str, Any]:
    response = await client.post(
        f"/v1/users/{owner.id}/meeting-types", json={**INTRO, **changes}, headers=owner.auth
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_every_host_starts_with_one_meeting_type_from_their_lengths(
    client: httpx.AsyncClient, host: Person
) -> None:
    listed = await client.get(f"/v1/users/{host.id}/meeting-types", headers=host.auth)

    assert listed.status_code == 200
    (first,) = listed.json()["items"]
    assert first["slug"] == "meeting"
    assert first["durations"] == [15, 30, 60]
    assert first["location"] == {"kind": "none", "detail": ""}
    assert first["min_notice_minutes"] is None  # the host's own


async def test_the_lengths_a_host_sets_on_themself_are_their_first_types(
    client: httpx.AsyncClient, host: Person
) -> None:
    patched = await client.patch(
        f"/v1/users/{host.id}", json={"booking_durations": [45, 90]}, headers=host.auth
    )
    assert patched.status_code == 200, patched.text

    listed = await client.get(f"/v1/users/{host.id}/meeting-types", headers=host.auth)
    assert listed.json()["items"][0]["durations"] == [45, 90]


async def test_a_host_creates_reads_edits_and_deletes_their_own_type(
    client: httpx.AsyncClient, host: Person, guest: Person
) -> None:
    created = await make_type(client, host)
    assert created["slug"] == "intro-call"
    assert created["durations"] == [30, 15]
    assert created["booking_path"].endswith("/intro-call")

    read = await client.get(f"/v1/meeting-types/{created['id']}", headers=guest.auth)
    assert read.status_code == 200
    assert read.json()["questions"][0] == {
        "id": "company",
        "label": "Your company",
        "required": True,
    }

    edited = await client.patch(
        f"/v1/meeting-types/{created['id']}",
        json={"title": "First call", "min_notice_minutes": 60, "public": False},
        headers=host.auth,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["title"] == "First call"
    assert edited.json()["min_notice_minutes"] == 60
    hidden = await client.get(f"/v1/meeting-types/{created['id']}", headers=guest.auth)
    assert hidden.status_code == 404
    theirs = await client.get(f"/v1/users/{host.id}/meeting-types", headers=guest.auth)
    assert [t["slug"] for t in theirs.json()["items"]] == ["meeting"]
    mine = await client.get(f"/v1/users/{host.id}/meeting-types", headers=host.auth)
    assert [t["slug"] for t in mine.json()["items"]] == ["meeting", "intro-call"]

    deleted = await client.delete(f"/v1/meeting-types/{created['id']}", headers=host.auth)
    assert deleted.status_code == 204
    gone = await client.get(f"/v1/meeting-types/{created['id']}", headers=host.auth)
    assert gone.status_code == 404


async def test_only_the_owner_writes_a_type(
    client: httpx.AsyncClient, host: Person, guest: Person
) -> None:
    created = await make_type(client, host)

    refused = [
        await client.post(f"/v1/users/{host.id}/meeting-types", json=INTRO, headers=guest.auth),
        await client.patch(
            f"/v1/meeting-types/{created['id']}", json={"title": "Mine"}, headers=guest.auth
        ),
        await client.delete(f"/v1/meeting-types/{created['id']}", headers=guest.auth),
    ]

    assert [r.status_code for r in refused] == [403, 403, 403]
    assert {r.json()["code"] for r in refused} == {"forbidden"}
    unchanged = await client.get(f"/v1/meeting-types/{created['id']}", headers=host.auth)
    assert unchanged.json()["title"] == "Intro call"


async def test_a_slug_is_the_hosts_once(client: httpx.AsyncClient, host: Person) -> None:
    await make_type(client, host)

    again = await client.post(f"/v1/users/{host.id}/meeting-types", json=INTRO, headers=host.auth)
    reserved = await client.post(
        f"/v1/users/{host.id}/meeting-types", json={**INTRO, "slug": "hold"}, headers=host.auth
    )

    assert again.status_code == 409
    assert again.json()["code"] == "slug_taken"
    assert reserved.status_code == 422
    assert reserved.json()["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"durations": []}, "durations"),
        ({"durations": [20]}, "durations"),
        ({"durations": [30, 30]}, "body"),
        ({"description": "x" * 2001}, "description"),
        ({"location": {"kind": "video", "detail": "http://meet.example.com"}}, "location"),
        ({"location": {"kind": "phone", "detail": "call me"}}, "location"),
        ({"location": {"kind": "in_person", "detail": ""}}, "location"),
        ({"questions": [{"id": "q", "label": "Why?"}] * 2}, "body"),
        ({"questions": [{"id": f"q{n}", "label": "Why?"} for n in range(11)]}, "questions"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"min_notice_minutes": -1}, "min_notice_minutes"),
        ({"horizon_days": 0}, "horizon_days"),
    ],
)
async def test_what_a_type_may_hold_is_bounded(
    client: httpx.AsyncClient, host: Person, change: dict[str, Any], field: str
) -> None:
    response = await client.post(
        f"/v1/users/{host.id}/meeting-types", json={**INTRO, **change}, headers=host.auth
    )

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"
    where = field if field == "body" else f"body.{field}"
    assert any(e["field"].startswith(where) for e in response.json()["errors"]), response.json()


async def test_booking_a_type_keeps_its_answers_for_the_host(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    intro = await make_type(client, host)

    booked = await reserve(
        guest,
        host,
        at(14),
        duration=30,
        meeting_type=intro["id"],
        answers={"company": "Analytical Engines Ltd", "topic": ""},
        confirm=True,
    )

    assert booked.status_code == 201, booked.text
    assert booked.json()["meeting_type"] == intro["id"]
    assert booked.json()["duration"] == 30
    seen = await client.get(f"/v1/reservations/{booked.json()['id']}", headers=host.auth)
    assert seen.json()["answers"] == [
        {"question": "Your company", "answer": "Analytical Engines Ltd"}
    ]


async def test_a_type_books_its_first_length_unless_told(
    client: httpx.AsyncClient, host: Person, guest: Person
) -> None:
    intro = await make_type(client, host)

    booked = await client.post(
        "/v1/reservations",
        json={
            "host_id": host.id,
            "start": at(15),
            "meeting_type": intro["id"],
            "answers": {"company": "Acme"},
        },
        headers=guest.auth,
    )

    assert booked.status_code == 201, booked.text
    assert booked.json()["duration"] == 30


async def test_a_required_answer_left_out_is_refused_by_name(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    intro = await make_type(client, host)

    refused = await reserve(
        guest, host, at(14), duration=30, meeting_type=intro["id"], answers={"topic": "Hi"}
    )
    stray = await reserve(
        guest, host, at(14), duration=30, meeting_type=intro["id"], answers={"nope": "x"}
    )

    assert refused.status_code == 422
    assert refused.json()["code"] == "answer_required"
    assert "Your company" in refused.json()["detail"]
    assert stray.status_code == 422
    assert stray.json()["code"] == "invalid_request"
    listed = await client.get("/v1/reservations", headers=guest.auth)
    assert listed.json()["items"] == []


async def test_a_type_offers_only_its_lengths_and_its_own_rules(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person
) -> None:
    quick = await make_type(
        client, host, slug="quick", questions=[], min_notice_minutes=60, horizon_days=2
    )
    answers: dict[str, str] = {}

    long = await reserve(guest, host, at(14), duration=60, meeting_type=quick["id"])
    soon = await reserve(
        guest,
        host,
        at(14, day=WEDNESDAY.replace(day=23)),
        duration=30,
        meeting_type=quick["id"],
        answers=answers,
    )
    far = await reserve(guest, host, at(10, day=WEDNESDAY), duration=30, meeting_type=quick["id"])
    plain_soon = await reserve(guest, host, at(14, day=WEDNESDAY.replace(day=23)), duration=30)

    assert long.status_code == 422
    assert long.json()["code"] == "duration_not_offered"
    assert soon.status_code == 201, soon.text  # 2 hours ahead: enough for this type's hour
    assert far.status_code == 201, far.text  # inside two days
    assert plain_soon.status_code == 422
    assert plain_soon.json()["code"] == "too_soon"  # the host's own 24 hours still stand
    beyond = await reserve(
        guest, host, at(13, day=WEDNESDAY.replace(day=26)), duration=30, meeting_type=quick["id"]
    )
    assert beyond.json()["code"] == "too_far"


async def test_a_type_of_another_host_cannot_be_booked(
    client: httpx.AsyncClient, reserve: Reserve, host: Person, guest: Person, sign_up: Any
) -> None:
    other = await sign_up("Olga Other")
    theirs = await make_type(client, other)

    refused = await reserve(guest, host, at(14), duration=30, meeting_type=theirs["id"])

    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_request"
