"""Meeting types on the booking pages, as a browser without JavaScript sees them: the host's
list, one type's page with its title, place and questions, and booking it with the answers.

The frozen clock reads Monday 2026-11-23 12:00 UTC; Ada (London) is bookable only on Tuesday
1 December 2026, 09:00-10:00.
"""

from __future__ import annotations

import gzip
import re
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from tests.fixtures.app import Person
from tests.fixtures.web import read, slug_of

pytestmark = pytest.mark.anyio

NINE = "2026-12-01T09:00:00+00:00"
TOKYO = "Asia/Tokyo"
CONSULT = {
    "title": "Design review",
    "slug": "review",
    "description": "We go through your design together.",
    "durations": [30],
    "location": {"kind": "in_person", "detail": "1 Analytical Row, London"},
    "questions": [
        {"id": "project", "label": "What is your project?", "required": True},
        {"id": "link", "label": "A link to the design"},
    ],
}


@pytest.fixture
async def ada(make_host: Any) -> Person:
    host: Person = await make_host(
        "Ada Lovelace", "Europe/London", {"2026-12-01": [("09:00", "10:00")]}
    )
    return host


@pytest.fixture
async def review(client: httpx.AsyncClient, ada: Person) -> dict[str, Any]:
    made = await client.post(f"/v1/users/{ada.id}/meeting-types", json=CONSULT, headers=ada.auth)
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


async def booking_form(client: httpx.AsyncClient, path: str) -> dict[str, str]:
    page = read(await client.get(path, params={"tz": TOKYO}))
    return {"csrf": page.csrf[0], "start": NINE, "duration": "30", "tz": TOKYO}


async def test_the_hosts_page_lists_every_public_type_to_pick_from(
    client: httpx.AsyncClient, ada: Person, review: dict[str, Any]
) -> None:
    slug = await slug_of(client, ada)
    await client.post(
        f"/v1/users/{ada.id}/meeting-types",
        json={**CONSULT, "slug": "secret", "title": "Board only", "public": False},
        headers=ada.auth,
    )

    response = await client.get(f"/book/{slug}", params={"tz": TOKYO})

    assert response.status_code == 200
    page = read(response)
    assert "Meeting" in page.text
    assert "Design review" in page.text
    assert "30 minutes · In person at 1 Analytical Row, London" in page.text
    assert "Board only" not in page.text  # hidden: bookable by its address only
    assert f"/book/{slug}/review?tz=Asia%2FTokyo&clock=24" in page.links
    hidden = await client.get(f"/book/{slug}/secret")
    assert hidden.status_code == 200
    assert "Board only" in read(hidden).text


async def test_a_types_page_shows_its_title_place_description_and_questions(
    client: httpx.AsyncClient, ada: Person, review: dict[str, Any]
) -> None:
    slug = await slug_of(client, ada)

    response = await client.get(f"/book/{slug}/review", params={"tz": TOKYO})

    assert response.status_code == 200
    html = response.text
    page = read(response)
    assert "Design review" in page.text
    assert "We go through your design together." in page.text
    assert "In person at 1 Analytical Row, London" in page.text
    assert page.slots == [NINE, "2026-12-01T09:15:00+00:00", "2026-12-01T09:30:00+00:00"]
    assert re.search(r'<textarea id="answer-project" name="answer-project"[^>]* required', html)
    assert "A link to the design (optional)" in page.text
    assert f'action="/book/{slug}/review"' in html
    assert "All meetings with Ada Lovelace" in page.text  # back to the list of types


async def test_an_unknown_type_is_a_404_page(client: httpx.AsyncClient, ada: Person) -> None:
    slug = await slug_of(client, ada)

    response = await client.get(f"/book/{slug}/nothing-here", headers={"Accept": "text/html"})

    assert response.status_code == 404
    assert "has no meeting type 'nothing-here'" in read(response).text


async def test_booking_without_a_required_answer_says_which_and_books_nothing(
    client: httpx.AsyncClient, ada: Person, review: dict[str, Any]
) -> None:
    slug = await slug_of(client, ada)
    form = await booking_form(client, f"/book/{slug}/review")

    response = await client.post(
        f"/book/{slug}/review",
        data={**form, "name": "Vera Visitor", "email": "vera@example.com", "answer-link": "x"},
    )

    assert response.status_code == 422
    page = read(response)
    assert "Answer 'What is your project?'" in page.text
    assert "#answer-project" in page.links  # the summary links to the field at fault
    assert 'aria-invalid="true" aria-describedby="answer-project-error"' in response.text
    assert ">x</textarea>" in response.text  # what they typed is kept
    listed = await client.get("/v1/reservations", headers=ada.auth)
    assert listed.json()["items"] == []


async def test_an_overlong_answer_is_refused_next_to_its_field(
    client: httpx.AsyncClient, ada: Person, review: dict[str, Any]
) -> None:
    slug = await slug_of(client, ada)
    form = await booking_form(client, f"/book/{slug}/review")

    response = await client.post(
        f"/book/{slug}/review",
        data={**form, "name": "Vera", "email": "vera@example.com", "answer-project": "x" * 1001},
    )

    assert response.status_code == 422
    assert "Keep this answer under 1000 characters." in read(response).text


async def test_booking_a_type_keeps_the_answers_for_the_host_in_the_api_and_the_feed(
    client: httpx.AsyncClient, ada: Person, review: dict[str, Any]
) -> None:
    slug = await slug_of(client, ada)
    form = await booking_form(client, f"/book/{slug}/review")

    response = await client.post(
        f"/book/{slug}/review",
        data={
            **form,
            "name": "Vera Visitor",
            "email": "vera@example.com",
            "answer-project": "A difference engine",
        },
    )

    assert response.status_code == 303, response.text
    booking = read(await client.get(response.headers["location"]))
    assert "Design review" in booking.text
    assert "What is your project? A difference engine" in booking.text
    assert "In person at 1 Analytical Row, London" in booking.text
    (listed,) = (await client.get("/v1/reservations", headers=ada.auth)).json()["items"]
    assert listed["meeting_type"] == review["id"]
    assert listed["answers"] == [
        {"question": "What is your project?", "answer": "A difference engine"}
    ]
    address = await client.post(f"/v1/users/{ada.id}/calendar-url", headers=ada.auth)
    feed = await client.get(address.json()["url"].replace("http://concierge.test", ""))
    (event,) = Calendar.from_ical(feed.content).events
    assert str(event["SUMMARY"]) == "Design review with Vera Visitor"
    assert "What is your project?: A difference engine" in str(event["DESCRIPTION"])
    assert str(event["ATTENDEE"]) == "mailto:vera@example.com"


async def test_a_types_page_with_questions_still_weighs_under_50_kb(
    client: httpx.AsyncClient, ada: Person, review: dict[str, Any], capsys: Any
) -> None:
    slug = await slug_of(client, ada)
    page = await client.get(f"/book/{slug}/review", params={"tz": TOKYO})
    bodies = [page.content] + [(await client.get(a)).content for a in read(page).assets]

    total = sum(len(gzip.compress(body, 9)) for body in bodies)

    with capsys.disabled():
        print(f"\nmeeting type page, gzip -9: total {total} B")
    assert total < 50 * 1024
