"""The emails of a booking's life, as a real SMTP server on loopback receives them: who gets
which, their parts, and the invite each carries (parsed with icalendar)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import select

from concierge.clock import FrozenClock
from concierge.config import Settings
from concierge.db import Database
from concierge.models import OutboxMessage
from concierge.outbox.worker import Worker
from tests.fixtures.app import Person
from tests.fixtures.reservations import Reserve, at
from tests.fixtures.smtp import SmtpServer
from tests.fixtures.web import Visitor, slug_of

pytestmark = pytest.mark.anyio

HOST_EMAIL = "hana.host@example.com"
GUEST_EMAIL = "gus.guest@example.com"


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "smtp_security": "none",
            "smtp_from": "Concierge <bookings@concierge.test>",
        }
    )


@pytest.fixture
async def worker(db: Database, clock: FrozenClock, settings: Settings) -> AsyncIterator[Worker]:
    found = Worker(db, clock, settings)
    yield found
    await found.aclose()


def invite(mail: EmailMessage) -> Calendar:
    parts = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_content())


def the_event(mail: EmailMessage) -> Any:
    (event,) = invite(mail).walk("VEVENT")
    return event


def texts(mail: EmailMessage) -> tuple[str, str]:
    plain = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert plain is not None
    assert html is not None
    return plain.get_content(), html.get_content()


async def reschedule(client: httpx.AsyncClient, who: Person, reservation: dict[str, Any]) -> None:
    """Move the booking an hour later through the API, as its guest or host would."""
    later = datetime.fromisoformat(reservation["start"]) + timedelta(hours=1)
    moved = await client.post(
        f"/v1/reservations/{reservation['id']}/reschedule",
        json={"start": later.isoformat()},
        headers=who.auth,
    )
    assert moved.status_code == 200, moved.text


async def test_a_booking_s_life_sends_the_right_emails_with_invites(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    db: Database,
    worker: Worker,
    smtp_server: SmtpServer,
) -> None:
    box = smtp_server.mailbox
    held = (await reserve(guest, host, at(14), duration=30, note="Quarterly plans")).json()
    assert await worker.drain() == 1
    (on_hold,) = box.messages
    assert box.recipients == [[GUEST_EMAIL]]  # a hold tells the guest only
    assert on_hold["Subject"] == "Held: Meeting with Hana Host"
    plain, html = texts(on_hold)
    assert "Tuesday 24 November 2026, 14:00–14:30" in plain
    assert "Quarterly plans" in plain
    assert "<strong>" in html
    assert "Hana Host" in html
    calendar = invite(on_hold)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = the_event(on_hold)
    uid = str(event["UID"])
    assert event.decoded("DTSTART").isoformat() == "2026-11-24T14:00:00+00:00"
    assert str(event["ORGANIZER"]) == f"mailto:{HOST_EMAIL}"
    assert str(event["ATTENDEE"]) == f"mailto:{GUEST_EMAIL}"

    await client.post(f"/v1/reservations/{held['id']}/confirm", headers=guest.auth)
    assert await worker.drain() == 2
    confirmed = box.messages[1:]
    assert sorted(r[0] for r in box.recipients[1:]) == [GUEST_EMAIL, HOST_EMAIL]
    assert {m["Subject"] for m in confirmed} == {
        "Booked: Meeting with Hana Host",
        "Booked: Meeting with Gus Guest",
    }
    for mail in confirmed:
        assert str(invite(mail)["METHOD"]) == "REQUEST"
        assert str(the_event(mail)["UID"]) == uid
    to_guest = box.to(GUEST_EMAIL)[-1]
    assert "Europe/London" in texts(to_guest)[0]  # each person reads the time in their zone

    await reschedule(client, guest, held)
    assert await worker.drain() == 2
    moved = box.messages[3:]
    assert {m["Subject"].split(":")[0] for m in moved} == {"New time"}
    sequence = {phase: {int(the_event(m)["SEQUENCE"]) for m in mails}
                for phase, mails in (("held", [on_hold]), ("confirmed", confirmed),
                                     ("moved", moved))}  # fmt: skip
    assert all(len(numbers) == 1 for numbers in sequence.values())  # one per change
    assert max(sequence["confirmed"]) < min(sequence["moved"])  # a new time is a new revision
    for mail in moved:
        event = the_event(mail)
        assert str(event["UID"]) == uid
        assert event.decoded("DTSTART").isoformat() == "2026-11-24T15:00:00+00:00"

    await client.post(
        f"/v1/reservations/{held['id']}/cancel",
        json={"reason": "Hana is ill"},
        headers=host.auth,
    )
    assert await worker.drain() == 2
    cancelled = box.messages[5:]
    assert {m["Subject"].split(":")[0] for m in cancelled} == {"Cancelled"}
    for mail in cancelled:
        assert str(invite(mail)["METHOD"]) == "CANCEL"
        event = the_event(mail)
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == uid
        assert int(event["SEQUENCE"]) > min(sequence["moved"])
        plain, html = texts(mail)
        assert "Hana is ill" in plain
        assert "Hana is ill" in html
    assert len(box.messages) == 7
    assert await worker.drain() == 0  # each sent once


async def test_reminders_come_before_the_meeting_follow_a_reschedule_and_end_with_it(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    db: Database,
    worker: Worker,
    smtp_server: SmtpServer,
) -> None:
    box = smtp_server.mailbox
    await client.put(
        f"/v1/users/{host.id}/notifications",
        json={"emails": True, "reminder_minutes": [120]},
        headers=host.auth,
    )
    # Tuesday 14:00, 26 h ahead: the guest's 24 h and 1 h reminders, the host's 2 h one.
    booked = (await reserve(guest, host, at(14), confirm=True)).json()
    assert await worker.drain() == 2  # the two confirmations
    await reschedule(client, host, booked)
    assert await worker.drain() == 2
    async with db.unit_of_work(write=False) as session:
        due = sorted(
            (m.payload["to"]["email"], m.payload["minutes"], m.due_at)
            for m in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.topic == "reservation.reminder")
            )
        )
    start = clock.now().replace(hour=15) + timedelta(days=1)  # Tuesday 15:00, after the move
    assert due == [
        (GUEST_EMAIL, 60, start - timedelta(minutes=60)),
        (GUEST_EMAIL, 1440, start - timedelta(minutes=1440)),
        (HOST_EMAIL, 120, start - timedelta(minutes=120)),
    ]
    clock.set(start - timedelta(minutes=1441))
    assert await worker.drain() == 0  # not yet
    clock.advance(minutes=1)
    assert await worker.drain() == 1
    reminder = box.messages[-1]
    assert reminder["Subject"] == "Reminder: Meeting with Hana Host"
    assert "Tuesday 24 November 2026, 15:00–15:15" in texts(reminder)[0]
    assert str(invite(reminder)["METHOD"]) == "REQUEST"

    await client.post(f"/v1/reservations/{booked['id']}/cancel", headers=guest.auth)
    assert await worker.drain() == 2  # the cancellations, and no reminder ever again
    clock.set(start)
    assert await worker.drain() == 0
    assert [m["Subject"].split(":")[0] for m in box.messages].count("Reminder") == 1


async def test_a_person_who_turned_emails_off_gets_none(
    client: httpx.AsyncClient,
    reserve: Reserve,
    host: Person,
    guest: Person,
    worker: Worker,
    smtp_server: SmtpServer,
) -> None:
    answer = await client.put(
        f"/v1/users/{host.id}/notifications",
        json={"emails": False, "reminder_minutes": []},
        headers=host.auth,
    )
    assert answer.status_code == 200, answer.text
    other = await client.get(f"/v1/users/{host.id}/notifications", headers=guest.auth)
    assert other.status_code == 403
    await reserve(guest, host, at(14), confirm=True)
    await worker.drain()
    assert smtp_server.mailbox.recipients == [[GUEST_EMAIL]]


async def test_a_mail_server_that_refuses_for_a_while_gets_the_mail_once_later(
    reserve: Reserve,
    host: Person,
    guest: Person,
    clock: FrozenClock,
    db: Database,
    worker: Worker,
    smtp_server: SmtpServer,
) -> None:
    smtp_server.mailbox.refuse_next = 1
    await reserve(guest, host, at(14))
    assert await worker.drain() == 0
    async with db.unit_of_work(write=False) as session:
        (message,) = await session.scalars(select(OutboxMessage))
    assert message.attempts == 1
    assert message.sent_at is None
    assert "451" in (message.last_error or "")
    assert clock.now() + timedelta(seconds=5) <= message.due_at  # backed off
    assert await worker.drain() == 0  # not due yet
    clock.set(message.due_at)
    assert await worker.drain() == 1
    assert len(smtp_server.mailbox.messages) == 1


async def test_without_a_mail_server_each_email_is_an_eml_file(
    reserve: Reserve,
    host: Person,
    guest: Person,
    db: Database,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    local = settings.model_copy(update={"smtp_host": None})
    worker = Worker(db, clock, local)
    await reserve(guest, host, at(14), confirm=True)
    assert await worker.drain() == 2
    files = sorted((local.data_dir / "outbox").glob("*.eml"))
    assert len(files) == 2
    parsed = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    assert sorted(str(m["To"]).split("<")[1].rstrip(">") for m in parsed) == [
        GUEST_EMAIL,
        HOST_EMAIL,
    ]
    for mail in parsed:
        assert isinstance(mail, EmailMessage)
        assert str(invite(mail)["METHOD"]) == "REQUEST"


async def test_a_visitor_s_email_carries_the_manage_link_that_opens_their_booking(
    client: httpx.AsyncClient,
    host: Person,
    worker: Worker,
    smtp_server: SmtpServer,
    settings: Settings,
) -> None:
    visitor = Visitor(client, await slug_of(client, host), tz="Asia/Tokyo", duration=30)
    booked = await visitor.book(at(14), name="Vera Visitor", email="vera@example.com")
    assert booked.status_code == 303, booked.text
    page = booked.headers["location"].split("?")[0]
    assert await worker.drain() == 2
    (mail,) = smtp_server.mailbox.to("vera@example.com")
    plain, html = texts(mail)
    link = f"{settings.base_url}{page}"
    assert link in plain
    assert f'href="{link}"' in html
    assert str(the_event(mail)["URL"]) == link
    assert "Asia/Tokyo" in plain  # the zone the visitor chose on the page
    opened = await client.get(link.removeprefix(settings.base_url))
    assert opened.status_code == 200
    (to_host,) = smtp_server.mailbox.to(HOST_EMAIL)
    assert page not in texts(to_host)[0]  # the guest's link is the guest's alone


async def test_every_host_of_a_meeting_hears_of_it(
    client: httpx.AsyncClient,
    host: Person,
    guest: Person,
    sign_up: Any,
    worker: Worker,
    smtp_server: SmtpServer,
) -> None:
    cohost = await sign_up("Cora Cohost", "America/New_York")
    booked = await client.post(
        "/v1/reservations",
        json={"hosts": [host.id, cohost.id], "start": at(14), "duration": 30, "confirm": True},
        headers=guest.auth,
    )
    assert booked.status_code == 201, booked.text
    assert await worker.drain() == 3
    box = smtp_server.mailbox
    assert sorted(r[0] for r in box.recipients) == sorted(
        [GUEST_EMAIL, HOST_EMAIL, "cora.cohost@example.com"]
    )
    # The co-host leaves: nobody is emailed, and the others' meeting goes on.
    left = await client.post(f"/v1/reservations/{booked.json()['id']}/leave", headers=cohost.auth)
    assert left.status_code == 200, left.text
    assert await worker.drain() == 0
