"""Templates, the headers every page carries, and problems put into words for visitors."""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from concierge.config import Settings
from concierge.errors import ConciergeError
from concierge.models import MeetingType, User
from concierge.web import csrf, views
from concierge.web.calendar import month_view
from concierge.web.service import GuestBooking

# Everything a page loads comes from this service: no CDN, no inline script, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
# A manage link is a secret: keep its pages out of caches, history sync and search engines.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}

_env = Environment(
    loader=PackageLoader("concierge.web", "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@lru_cache(maxsize=16)
def static_url(name: str) -> str:
    """``/static/<name>?v=<content hash>``: browsers may cache it for good, yet see each change."""
    digest = hashlib.sha256(files("concierge.web").joinpath("static", name).read_bytes())
    return f"/static/{name}?v={digest.hexdigest()[:10]}"


def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    private: bool = False,
) -> HTMLResponse:
    token = csrf.token(request)
    html = _env.get_template(template).render(
        csrf=token, static_url=static_url, noindex=private, **context
    )
    response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
    if private:
        response.headers.update(PRIVATE_HEADERS)
    csrf.remember(request, response, token)
    return response


def not_found(request: Request, heading: str, message: str) -> HTMLResponse:
    return error_page(request, 404, heading, message)


def error_page(request: Request, status: int, heading: str, message: str) -> HTMLResponse:
    """A refusal as a page with a way on: back to the start, or to try again."""
    context = {"heading": heading, "message": message, "status": status}
    return page(request, "not_found.html", context, status, private=True)


# ------------------------------------------------------------------------------------ problems


@dataclass(frozen=True)
class Problem:
    title: str
    message: str
    status: int = 422


EXPIRED_FORM = Problem(
    "Please try again",
    "This form was opened too long ago or in another window, so it could not be sent. "
    "Nothing was booked. Please choose again below.",
    403,
)
FIX_FIELDS = Problem("Check the form", "Some details need fixing before we can hold a time:")


def hold_expired(start: datetime, tz: ZoneInfo, status: int = 409) -> Problem:
    return Problem(
        "Your hold expired",
        f"{views.moment_label(start, tz)} was held for you, but the hold ran out before it was "
        "confirmed, so the time was released. Nothing was booked. Pick a time again below.",
        status,
    )


def problem_for(error: ConciergeError, host_name: str, start: datetime, tz: ZoneInfo) -> Problem:
    """A refusal in words a visitor can act on; the free times shown with it are fresh."""
    moment = views.moment_label(start, tz)
    status = error.status
    if error.code == "slot_unavailable":
        return Problem(
            "That time was just taken",
            f"Someone else booked {moment} a moment ago, so it could not be held for you. "
            "Please pick another time: the list below is up to date.",
            status,
        )
    if error.code == "hold_expired":
        return hold_expired(start, tz, status)
    if error.code == "too_soon":
        return Problem(
            "That time is too soon",
            f"{host_name} needs more notice than that; {moment} can no longer be booked. "
            "Pick a later time below.",
            status,
        )
    if error.code in ("too_far", "outside_availability", "misaligned", "limit_reached"):
        return Problem(
            "That time cannot be booked",
            f"{host_name} does not take bookings at {moment}. Pick a time from the list below.",
            status,
        )
    if error.code == "not_reschedulable":
        return Problem("Nothing to move", "This booking is already over or cancelled.", status)
    if error.code == "not_cancellable":
        return Problem("Nothing to cancel", "This booking is already over or cancelled.", status)
    if error.code == "not_confirmable":
        return Problem(
            "Nothing to confirm",
            "This hold was released, so it cannot be confirmed. Book a new time instead.",
            status,
        )
    return Problem("That did not work", error.detail, status)


# ------------------------------------------------------------------------------------ contexts


@dataclass(frozen=True)
class View:
    """What a visitor asked the booking page to show; the address keeps all of it."""

    tz: ZoneInfo
    duration: int
    clock: int = 24
    month: date | None = None
    day: date | None = None
    tz_chosen: bool = False
    clock_chosen: bool = False

    def url(self, page_url: str, **changes: Any) -> str:
        params: dict[str, Any] = {
            "tz": self.tz.key,
            "duration": self.duration,
            "clock": self.clock,
            "month": f"{self.month:%Y-%m}" if self.month else None,
            "day": self.day.isoformat() if self.day else None,
            **changes,
        }
        return f"{page_url}?{urlencode({k: v for k, v in params.items() if v is not None})}"


_WEEKDAYS = [(d, d[:3]) for d in calendar.day_name]


def _calendar(
    page_url: str, view: View, days: dict[date, list[datetime]], first: date, last: date
) -> dict[str, Any]:
    shown = month_view(days, first, last, view.month, view.day)

    def month_url(month: date | None) -> str | None:
        return view.url(page_url, month=f"{month:%Y-%m}", day=None) if month else None

    weeks = []
    for week in shown.weeks:
        cells = []
        for cell in week:
            link = None
            if cell.in_month and cell.bookable and cell.free:
                link = view.url(page_url, month=f"{cell.day:%Y-%m}", day=cell.day.isoformat())
            cells.append(
                {
                    "number": cell.day.day,
                    "in_month": cell.in_month,
                    "link": link,
                    "label": f"{views.day_label(cell.day)}, {views.count_label(cell.free)} free",
                    "chosen": cell.chosen,
                    "today": cell.today,
                }
            )
        weeks.append(cells)
    return {
        "title": f"{shown.month:%B %Y}",
        "weeks": weeks,
        "previous_url": month_url(shown.previous),
        "previous_label": f"{shown.previous:%B %Y}" if shown.previous else "",
        "next_url": month_url(shown.next),
        "next_label": f"{shown.next:%B %Y}" if shown.next else "",
        "chosen": shown.chosen,
        "month": shown.month,
    }


def times_context(
    page_url: str,
    view: View,
    days: dict[date, list[datetime]],
    bookable: tuple[date, date],
    chosen: str,
) -> dict[str, Any]:
    """The month calendar and the chosen day's free times (``_calendar.html``, ``_slots.html``):
    the booking page's, and the same for moving a booking to another time."""
    tz, duration, clock = view.tz, view.duration, view.clock
    month = _calendar(page_url, view, days, *bookable)
    day: date | None = month["chosen"]
    slots = []
    for start in days.get(day, []) if day else []:
        value = start.isoformat()
        slots.append(
            {
                "id": views.slot_id(start),
                "value": value,
                "label": views.time_label(start, tz, clock),
                "summary": views.when_label(start, views.ends(start, duration), tz, clock),
                "checked": value == chosen,
            }
        )
    return {
        "calendar": month,
        "weekdays": _WEEKDAYS,
        "month_value": f"{month['month']:%Y-%m}",
        "day_value": day.isoformat() if day else "",
        "day_label": views.day_label(day) if day else "",
        "slots": slots,
        "any_slots": any(days.values()),
        "last_day": views.day_label(bookable[1]),
    }


def _offer(host: User, offered: MeetingType, page_url: str, query: str = "") -> dict[str, Any]:
    """A meeting type as a page shows it: what, how long, where."""
    return {
        "title": offered.title,
        "description": offered.description,
        "lengths": views.lengths_label(offered.durations),
        "location": views.location_label(offered.location_kind, offered.location_detail),
        "location_kind": offered.location_kind,
        "url": page_url + (f"?{query}" if query else ""),
    }


def types_context(
    host: User,
    listed: list[MeetingType],
    tz: ZoneInfo,
    clock: int,
    query: str,
    problem: Problem | None,
) -> dict[str, Any]:
    """The host's page when they offer several meeting types (or none): pick one."""
    # The address's zone and clock carry over to the page of the type picked.
    keep = urlencode({"tz": tz.key, "clock": clock}) if query else ""
    return {
        "host": {"name": host.name, "zone_label": views.zone_label(host.timezone)},
        "types": [_offer(host, t, f"/book/{host.slug}/{t.slug}", keep) for t in listed],
        "problem": problem,
        "field_errors": {},
    }


def _questions(
    offered: MeetingType, form: dict[str, str], field_errors: dict[str, str]
) -> list[dict[str, Any]]:
    return [
        {
            "id": f"answer-{q['id']}",
            "label": q["label"],
            "required": bool(q.get("required")),
            "value": form.get(f"answer-{q['id']}", ""),
            "error": field_errors.get(f"answer-{q['id']}", ""),
        }
        for q in offered.questions
    ]


def book_context(
    host: User,
    offered: MeetingType,
    view: View,
    days: dict[date, list[datetime]],
    bookable: tuple[date, date],
    now: datetime,
    settings: Settings,
    *,
    problem: Problem | None,
    field_errors: dict[str, str],
    form: dict[str, str],
    several: bool = False,
    page_url: str,
) -> dict[str, Any]:
    tz, duration, clock = view.tz, view.duration, view.clock
    times = times_context(page_url, view, days, bookable, form.get("start", ""))
    host_zone = ZoneInfo(host.timezone)
    other_clock = 24 if clock == 12 else 12
    return {
        **times,
        "host": {
            "name": host.name,
            "zone_label": views.zone_label(host.timezone),
            "now": views.moment_label(now, host_zone, clock),
            "url": f"/book/{host.slug}",
            "types_url": f"/book/{host.slug}" if several else "",
        },
        "page_url": page_url,
        "tz": tz.key,
        "tz_label": views.zone_label(tz.key),
        "tz_offset": views.offset_label(tz, now),
        "tz_now": views.time_label(now, tz, clock),
        "tz_chosen": view.tz_chosen,
        "clock": clock,
        "clock_chosen": view.clock_chosen,
        "clock_toggle": {
            "url": view.url(page_url, clock=other_clock),
            "label": f"Show {other_clock}-hour times",
        },
        "zone_groups": views.zone_groups(tz.key, now),
        "duration": duration,
        "duration_label": views.duration_label(duration),
        "durations": [(m, views.duration_label(m)) for m in offered.durations],
        "offer": _offer(host, offered, page_url),
        "questions": _questions(offered, form, field_errors),
        "hold_minutes": settings.hold_minutes,
        "problem": problem,
        "field_errors": field_errors,
        "form": {"name": form.get("name", ""), "email": form.get("email", "")},
    }


_HEADINGS = {
    "held": "Confirm your booking",
    "confirmed": "You are booked",
    "cancelled": "Booking cancelled",
    "expired": "Your hold expired",
}
_STATE_LABELS = {
    "held": "Held, not yet confirmed",
    "confirmed": "Confirmed",
    "cancelled": "Cancelled",
    "expired": "Expired: the time was released",
}
_NOTICES = {
    "confirmed": ("success", "Your booking is confirmed. We have kept it for you."),
    "cancelled": ("info", "This booking is cancelled and the time is free again."),
    "expired": (
        "info",
        "The hold ran out before it was confirmed, so the time was released.",
    ),
}


_MOVED = (
    "success",
    "Your booking has moved to the time below. Download the calendar file again so your "
    "calendar shows the new time.",
)


def _where(booking: GuestBooking, state: str) -> dict[str, str]:
    """Where the guest meets: a video link only once the booking is theirs for sure."""
    offered = booking.meeting_type
    if offered is None or offered.location_kind == "none":
        return {}
    label = views.location_label(offered.location_kind, offered.location_detail)
    link = offered.location_detail if offered.location_kind == "video" else ""
    return {"label": label, "link": link if state == "confirmed" else ""}


def booking_context(
    booking: GuestBooking,
    token: str,
    base_url: str,
    now: datetime,
    problem: Problem | None,
    *,
    ics_available: bool = False,
    clock: int = 24,
) -> dict[str, Any]:
    r = booking.reservation
    tz = ZoneInfo(booking.timezone)
    state = booking.state(now)
    remaining = int((r.hold_expires_at - now).total_seconds()) if r.hold_expires_at else 0
    notice = None
    if problem is None and state in _NOTICES:
        kind, message = _NOTICES[state]
        if state == "confirmed" and r.rescheduled_at is not None:
            kind, message = _MOVED
        notice = {"kind": kind, "message": message}
    url = f"/bookings/{token}"
    return {
        "heading": _HEADINGS.get(state, "Your booking"),
        "problem": problem,
        "field_errors": {},
        "notice": notice,
        "booking": {
            "state": state,
            "state_label": _STATE_LABELS.get(state, state),
            "host_name": booking.host.name,
            "title": booking.meeting_type.title if booking.meeting_type else "",
            "where": _where(booking, state),
            "answers": list(r.answers or []),
            "when": views.when_label(r.start_at, r.end_at, tz, clock),
            "start_iso": r.start_at.astimezone(tz).isoformat(),
            "duration_label": views.duration_label(r.duration_minutes),
            "tz_label": views.zone_label(booking.timezone),
            "guest_name": r.guest_name or "",
            "guest_email": r.guest_email or "",
            "remaining_seconds": max(0, remaining),
            "remaining_label": views.remaining_label(remaining),
            "hold_until": views.time_label(r.hold_expires_at, tz, clock)
            if r.hold_expires_at
            else "",
            "url": url,
            # The guest's clock, kept on the pages and forms this one leads to.
            "keep": views.clock_query(clock),
            "manage_url": f"{base_url}{url}",
            "book_again_url": f"/book/{booking.host.slug}?{urlencode({'tz': booking.timezone})}",
            "ics_available": ics_available,
        },
    }


def reschedule_context(
    booking: GuestBooking,
    token: str,
    view: View,
    days: dict[date, list[datetime]],
    bookable: tuple[date, date],
    now: datetime,
    problem: Problem | None,
    chosen: str = "",
) -> dict[str, Any]:
    """Moving a booking: what it is now, and the host's free times in the booking's zone."""
    page_url = f"/bookings/{token}/reschedule"
    context = booking_context(booking, token, "", now, problem, clock=view.clock)
    context["notice"] = None
    return {
        **context,
        **times_context(page_url, view, days, bookable, chosen),
        "page_url": page_url,
    }


REASON_MAX = 500


def cancel_context(
    booking: GuestBooking,
    token: str,
    now: datetime,
    problem: Problem | None,
    reason: str = "",
    field_errors: dict[str, str] | None = None,
    clock: int = 24,
) -> dict[str, Any]:
    """Asking before a cancellation, with room for a reason."""
    context = booking_context(booking, token, "", now, problem, clock=clock)
    context.update(reason=reason, reason_max=REASON_MAX, field_errors=field_errors or {})
    return context
