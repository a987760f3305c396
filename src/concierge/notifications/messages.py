"""One email from one outbox row: subject, plain-text and HTML parts (the templates beside this
file) and the meeting's invite as an .ics attachment. Pure: the row, the settings and ``now``
in, an ``EmailMessage`` out."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from concierge import sealed
from concierge.calendars.ics import CalendarEvent, invite
from concierge.calendars.service import event_uid
from concierge.config import Settings
from concierge.web.views import when_label, zone_label

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)

_HEADLINES = {
    "reservation.held": "{host} has a time held for you: confirm it before the hold lapses.",
    "reservation.confirmed": "Your meeting with {other} is booked.",
    "reservation.cancelled": "Your meeting with {other} is cancelled.",
    "reservation.rescheduled": "Your meeting with {other} has moved to a new time.",
    "reservation.reminder": "A reminder: you meet {other} soon.",
}
_SUBJECTS = {
    "reservation.held": "Held: {summary}",
    "reservation.confirmed": "Booked: {summary}",
    "reservation.cancelled": "Cancelled: {summary}",
    "reservation.rescheduled": "New time: {summary}",
    "reservation.reminder": "Reminder: {summary}",
}


def build(
    topic: str,
    payload: dict[str, Any],
    message_id: int,
    settings: Settings,
    now: datetime,
) -> EmailMessage:
    if topic == "webhook.disabled":
        return _webhook_disabled(payload, message_id, settings)
    return _about_meeting(topic, payload, message_id, settings, now)


def _envelope(
    subject: str, to: dict[str, Any], message_id: int, settings: Settings
) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = settings.smtp_from
    mail["To"] = formataddr((to["name"], to["email"]))
    # One id per outbox row: a resend after a crash carries the same id, so a mail system
    # (or the reader) can tell it is the same message.
    domain = settings.smtp_from.rpartition("@")[2].rstrip(">") or "concierge"
    mail["Message-ID"] = make_msgid(idstring=f"outbox-{message_id}", domain=domain)
    mail["X-Concierge-Message"] = str(message_id)
    return mail


def _webhook_disabled(payload: dict[str, Any], message_id: int, settings: Settings) -> EmailMessage:
    hook = payload["webhook"]
    mail = _envelope("Webhook disabled", payload["to"], message_id, settings)
    mail.set_content(
        f"Hello {payload['to']['name']},\n\nYour webhook {hook['id']} to {hook['url']} has been "
        f"disabled: {hook['reason']} (failing since {hook['since']}).\n\nFix the receiver, send "
        "it a test ping, then turn the webhook back on (PATCH it with enabled: true).\n\n"
        "— Concierge\n"
    )
    return mail


def _about_meeting(
    topic: str,
    payload: dict[str, Any],
    message_id: int,
    settings: Settings,
    now: datetime,
) -> EmailMessage:
    to, meeting = payload["to"], payload["reservation"]
    host, guest = meeting["host"], meeting["guest"]
    other = guest["name"] or guest["email"] if to["role"] == "host" else host["name"]
    summary = f"Meeting with {other}"
    start = datetime.fromisoformat(meeting["start"])
    end = datetime.fromisoformat(meeting["end"])
    tz = ZoneInfo(to["timezone"])
    cancelled = topic == "reservation.cancelled"
    manage_url = _manage_url(payload, settings)
    context = {
        "to_name": to["name"],
        "headline": _HEADLINES[topic].format(host=host["name"], other=other),
        "summary": summary,
        "when": when_label(start, end, tz),
        "tz": zone_label(tz.key),
        "reason": meeting.get("cancel_reason") if cancelled else None,
        "note": meeting.get("note"),
        "manage_url": manage_url,
        "cancelled": cancelled,
        "subject": _SUBJECTS[topic].format(summary=summary),
    }
    mail = _envelope(str(context["subject"]), to, message_id, settings)
    mail.set_content(_TEMPLATES.get_template("email.txt").render(context))
    mail.add_alternative(_TEMPLATES.get_template("email.html").render(context), subtype="html")
    event = CalendarEvent(
        uid=event_uid(meeting["id"], settings.uid_domain),
        start=start,
        end=end,
        summary=summary,
        created=datetime.fromisoformat(meeting["created_at"]),
        modified=now,
        description=meeting.get("note"),
        url=manage_url,
        organizer=(host["name"], host["email"]),
        attendee=(guest["name"], guest["email"]) if guest["email"] else None,
        sequence=int(meeting.get("sequence", 0)),
        status="CANCELLED" if cancelled else "CONFIRMED",
    )
    ics = invite(event, tz, now)
    method = "CANCEL" if cancelled else "REQUEST"
    mail.add_attachment(
        ics,
        maintype="text",
        subtype="calendar",
        filename="invite.ics",
        params={"method": method},
    )
    return mail


def _manage_url(payload: dict[str, Any], settings: Settings) -> str | None:
    token = payload.get("manage_sealed")
    if not token:
        return None
    return f"{settings.base_url.rstrip('/')}/bookings/{sealed.unseal(settings, token)}"
