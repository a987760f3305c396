"""The public booking pages: thin routes that parse a form, call one service, render a page.

Post/redirect/get: a form that succeeds answers 303 to a page that can be reloaded safely; one
that fails renders its page again at once, the problem in words and the free times re-read, so
what the visitor sees next is never stale.

Each route opens its own unit of work instead of taking the request-wide one: a refused write
rolls back whole, and the page that explains the refusal is read in a fresh transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from concierge.api.deps import ClockDep, SettingsDep, get_database
from concierge.api.urls import BaseUrl
from concierge.calendars import ics
from concierge.calendars import service as calendars
from concierge.config import Settings
from concierge.errors import ConciergeError, InvalidRequest, NotFound
from concierge.meeting_types import service as meeting_types
from concierge.meeting_types.schemas import MAX_ANSWER, MAX_QUESTIONS
from concierge.models import MeetingType, User
from concierge.ratelimit.deps import limit_by_address
from concierge.reservations.schemas import ReservationCancel
from concierge.timezones import zone
from concierge.validation import LINES, ascii_digits
from concierge.web import assets, csrf, errors, hold_cookie, rendering, service, views
from concierge.web.calendar import parse_day, parse_month
from concierge.web.rendering import Problem, View
from concierge.web.schemas import BookingForm, MoveForm, TimeForm, field_messages

# Public pages: every route counts against the per-address booking-pages limit (a 429
# problem with Retry-After when spent).
router = APIRouter(
    include_in_schema=False, dependencies=[Depends(limit_by_address("booking_pages"))]
)

FormText = Annotated[str, Form()]


def _hold_fields(
    csrf: FormText = "", start: FormText = "", duration: FormText = "", tz: FormText = ""
) -> dict[str, str]:
    """A picked time as the form posts it: when, how long, the visitor's zone, the CSRF token."""
    return {"csrf": csrf, "start": start, "duration": duration, "tz": tz}


HoldFields = Annotated[dict[str, str], Depends(_hold_fields)]


def _booking_fields(
    held: HoldFields,
    name: FormText = "",
    email: FormText = "",
    clock: FormText = "",
) -> dict[str, str]:
    """The picked time and who the visitor is (their answers are read from the form itself)."""
    return held | {"name": name, "email": email, "clock": clock}


BookingFields = Annotated[dict[str, str], Depends(_booking_fields)]


def _guest_clock(hours: Annotated[str | None, Query(alias="clock")] = None) -> int:
    """The clock a guest's booking pages keep in their address (``?clock=12``)."""
    return views.clock_of(hours)


GuestClock = Annotated[int, Depends(_guest_clock)]


def _to_booking(token: str, hours: int) -> RedirectResponse:
    return RedirectResponse(f"/bookings/{token}{views.clock_query(hours)}", status_code=303)


def install(app: FastAPI) -> None:
    """Mount the pages and the files they load (served from the package, never a CDN)."""
    app.include_router(router)
    errors.install(app)
    app.mount("/static", assets.static_files(), name="static")


# ------------------------------------------------------------------------------ booking page


def _viewer_zone(requested: str | None, host: User) -> tuple[ZoneInfo, Problem | None]:
    if requested:
        try:
            return zone(requested), None
        except InvalidRequest:
            return zone(host.timezone), Problem(
                "Unknown time zone",
                f"We do not know the time zone {requested[:64]!r}, so times are shown in "
                f"{host.name}'s zone. Pick yours from the list.",
            )
    return zone(host.timezone), None


def _minutes(raw: str | None) -> int | None:
    return int(raw) if raw and ascii_digits(raw) and len(raw) < 5 else None


def _view(
    host: User,
    offered: MeetingType,
    tz: str | None,
    duration: str | None,
    clock: str | None,
    month: str | None = None,
    day: str | None = None,
) -> tuple[View, Problem | None]:
    """What the address asks to see; whatever it gets wrong falls back to the host's choice."""
    viewer, problem = _viewer_zone(tz, host)
    return View(
        tz=viewer,
        duration=meeting_types.offered_duration(offered, _minutes(duration)),
        clock=views.clock_of(clock),
        month=parse_month(month),
        day=parse_day(day),
        tz_chosen=bool(tz) and problem is None,
        clock_chosen=clock in ("12", "24"),
    ), problem


async def _book_page(
    request: Request,
    session: AsyncSession,
    host: User,
    offered: MeetingType,
    view: View,
    now: datetime,
    settings: Settings,
    *,
    problem: Problem | None = None,
    field_errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
    typed: bool = True,
) -> HTMLResponse:
    """The page of one meeting type: at its own address, or (``typed=False``) at the host's when
    it is the one they offer."""
    days = await service.free_times(session, host, offered, view.tz, view.duration, now, settings)
    context = rendering.book_context(
        host,
        offered,
        view,
        days,
        service.bookable_days(host, offered, view.tz, now),
        now,
        settings,
        problem=problem,
        field_errors=field_errors or {},
        form=form or {},
        several=len(await service.public_types(session, host)) > 1,
        page_url=f"/book/{host.slug}/{offered.slug}" if typed else f"/book/{host.slug}",
    )
    return rendering.page(request, "book.html", context, status)


_BOOKING_PAGE = "No such booking page"


@router.get("/book/{slug}", response_class=HTMLResponse)
async def booking_page(
    request: Request,
    slug: str,
    clock: ClockDep,
    settings: SettingsDep,
    tz: str | None = None,
    duration: str | None = None,
    hours: Annotated[str | None, Query(alias="clock")] = None,
    month: str | None = None,
    day: str | None = None,
) -> Response:
    """A host's meeting types to pick from; with only one, that type's page at once."""
    async with get_database(request).unit_of_work(write=False) as session:
        try:
            host = await service.host_by_slug(session, slug)
        except NotFound as exc:
            return rendering.not_found(request, _BOOKING_PAGE, exc.detail)
        listed = await service.public_types(session, host)
        if len(listed) != 1:
            viewer, problem = _viewer_zone(tz, host)
            context = rendering.types_context(
                host, listed, viewer, views.clock_of(hours), request.url.query, problem
            )
            return rendering.page(request, "types.html", context)
        view_, problem = _view(host, listed[0], tz, duration, hours, month, day)
        return await _book_page(
            request,
            session,
            host,
            listed[0],
            view_,
            clock.now(),
            settings,
            problem=problem,
            typed=False,
        )


@router.get("/book/{slug}/{type_slug}", response_class=HTMLResponse)
async def meeting_type_page(
    request: Request,
    slug: str,
    type_slug: str,
    clock: ClockDep,
    settings: SettingsDep,
    tz: str | None = None,
    duration: str | None = None,
    hours: Annotated[str | None, Query(alias="clock")] = None,
    month: str | None = None,
    day: str | None = None,
) -> Response:
    """One meeting type: its title, description and place, a month calendar up to its horizon
    and the chosen day's free times, in the visitor's zone and clock, with the booking form."""
    async with get_database(request).unit_of_work(write=False) as session:
        try:
            host = await service.host_by_slug(session, slug)
            offered = await service.meeting_type(session, host, type_slug)
        except NotFound as exc:
            return rendering.not_found(request, _BOOKING_PAGE, exc.detail)
        view, problem = _view(host, offered, tz, duration, hours, month, day)
        return await _book_page(
            request, session, host, offered, view, clock.now(), settings, problem=problem
        )


_ANSWER = "answer-"


async def _answers(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """The answers in the form, by question id, and a message for each that cannot be kept."""
    answers: dict[str, str] = {}
    problems: dict[str, str] = {}
    for key, value in (await request.form()).multi_items():
        if not key.startswith(_ANSWER) or not isinstance(value, str):
            continue
        if len(answers) >= MAX_QUESTIONS:
            break
        qid = key[len(_ANSWER) :][:40]
        answers[qid] = value.strip()
        try:
            LINES.check(value)
        except ValueError:
            problems[key] = "Remove the control characters from this answer."
        if len(value) > MAX_ANSWER:
            problems[key] = f"Keep this answer under {MAX_ANSWER} characters."
    return answers, problems


async def _book(
    request: Request,
    slug: str,
    type_slug: str | None,
    now: datetime,
    settings: Settings,
    fields: dict[str, str],
) -> Response:
    """Book the chosen time for the visitor in one step, then show them their booking (303)."""
    answers, answer_problems = await _answers(request)
    entered = {
        "name": fields["name"].strip(),
        "email": fields["email"].strip(),
        "start": fields["start"],
        **{_ANSWER + k: v for k, v in answers.items()},
    }
    problem: Problem | None = None
    field_errors: dict[str, str] = {}
    failure: ConciergeError | None = None
    parsed: BookingForm | None = None
    if not csrf.verify(request, fields["csrf"]):
        problem = rendering.EXPIRED_FORM
    else:
        try:
            parsed = BookingForm(
                start=fields["start"],
                duration=fields["duration"],
                tz=fields["tz"],
                name=fields["name"],
                email=fields["email"],
            )
        except ValidationError as exc:
            field_errors = field_messages(exc)
            problem = rendering.FIX_FIELDS
        if answer_problems:
            parsed, problem = None, rendering.FIX_FIELDS
            field_errors.update(answer_problems)
    if parsed is not None:
        try:
            async with get_database(request).unit_of_work() as session:
                host = await service.host_by_slug(session, slug)
                offered = await service.meeting_type(session, host, type_slug)
                own = await service.own_booking(session, host, hold_cookie.read(request))
                token = await service.book(
                    session,
                    host,
                    offered,
                    own,
                    start=parsed.start,
                    duration=parsed.duration,
                    guest_name=parsed.name,
                    guest_email=str(parsed.email),
                    answers=answers,
                    timezone=parsed.tz,
                    now=now,
                    settings=settings,
                )
            response = _to_booking(token, views.clock_of(fields["clock"]))
            hold_cookie.remember(request, response, slug, token)
            return response
        except NotFound as exc:
            return rendering.not_found(request, _BOOKING_PAGE, exc.detail)
        except ConciergeError as exc:
            failure = exc
    async with get_database(request).unit_of_work(write=False) as session:
        try:
            host = await service.host_by_slug(session, slug)
            offered = await service.meeting_type(session, host, type_slug)
        except NotFound as exc:
            return rendering.not_found(request, _BOOKING_PAGE, exc.detail)
        view, _ = _view(host, offered, fields["tz"], fields["duration"], fields["clock"])
        if parsed is not None:
            # The day of the chosen time, so it is listed (and still chosen) with the problem.
            view = replace(view, day=parsed.start.astimezone(view.tz).date())
        if failure is not None and parsed is not None:
            problem = rendering.problem_for(failure, host.name, parsed.start, view.tz)
            if failure.extra.get("field") in ("name", "email"):
                field_errors = {str(failure.extra["field"]): failure.detail}
            if "question" in failure.extra:
                field_errors = {_ANSWER + str(failure.extra["question"]): failure.detail}
        return await _book_page(
            request,
            session,
            host,
            offered,
            view,
            now,
            settings,
            problem=problem,
            field_errors=field_errors,
            form=entered,
            status=problem.status if problem else 422,
            typed=type_slug is not None,
        )


def _script_problem(problem: Problem) -> JSONResponse:
    """A refusal for the page's script, in the words the page itself would use."""
    return JSONResponse(
        {"title": problem.title, "message": problem.message},
        status_code=problem.status,
        headers=rendering.PRIVATE_HEADERS,
    )


async def _hold(
    request: Request,
    slug: str,
    type_slug: str | None,
    now: datetime,
    settings: Settings,
    fields: dict[str, str],
) -> Response:
    """Keep the time a visitor just picked while they fill the form in (the page's script asks,
    unseen by the visitor): 204, the hold named by their cookie."""
    if not csrf.verify(request, fields["csrf"]):
        return _script_problem(rendering.EXPIRED_FORM)
    try:
        parsed = TimeForm(start=fields["start"], duration=fields["duration"], tz=fields["tz"])
    except ValidationError:
        return _script_problem(rendering.FIX_FIELDS)
    host_name = ""  # kept as text: a failed unit of work expires the host it loaded
    try:
        async with get_database(request).unit_of_work() as session:
            host = await service.host_by_slug(session, slug)
            host_name = host.name
            offered = await service.meeting_type(session, host, type_slug)
            own = await service.own_booking(session, host, hold_cookie.read(request))
            token = await service.hold(
                session,
                host,
                offered,
                own,
                start=parsed.start,
                duration=parsed.duration,
                timezone=parsed.tz,
                now=now,
                settings=settings,
            )
    except NotFound as exc:
        return _script_problem(Problem(_BOOKING_PAGE, exc.detail, 404))
    except ConciergeError as exc:
        return _script_problem(rendering.problem_for(exc, host_name, parsed.start, zone(parsed.tz)))
    response = Response(status_code=204, headers=rendering.PRIVATE_HEADERS)
    hold_cookie.remember(request, response, slug, token)
    return response


@router.post("/book/{slug}/release")
async def release(
    request: Request,
    slug: str,
    clock: ClockDep,
    csrf_token: Annotated[str, Form(alias="csrf")] = "",
) -> Response:
    """Give back the time held for a visitor who left the page without booking (sent by the
    page's script as they leave): 204 whether or not anything was held."""
    if not csrf.verify(request, csrf_token):
        return _script_problem(rendering.EXPIRED_FORM)
    async with get_database(request).unit_of_work() as session:
        try:
            host = await service.host_by_slug(session, slug)
        except NotFound as exc:
            return _script_problem(Problem(_BOOKING_PAGE, exc.detail, 404))
        own = await service.own_booking(session, host, hold_cookie.read(request))
        await service.release(session, own, clock.now())
    response = Response(status_code=204, headers=rendering.PRIVATE_HEADERS)
    if own is not None and own.booking.state(clock.now()) != "confirmed":
        hold_cookie.forget(request, response, slug)
    return response


@router.post("/book/{slug}/hold")
async def hold(
    request: Request,
    slug: str,
    clock: ClockDep,
    settings: SettingsDep,
    fields: HoldFields,
) -> Response:
    """The hold for the host's first meeting type (their address names no type)."""
    return await _hold(request, slug, None, clock.now(), settings, fields)


@router.post("/book/{slug}", response_class=HTMLResponse)
async def book(
    request: Request,
    slug: str,
    clock: ClockDep,
    settings: SettingsDep,
    fields: BookingFields,
) -> Response:
    """Book the host's first meeting type (their address names no type)."""
    return await _book(request, slug, None, clock.now(), settings, fields)


@router.post("/book/{slug}/{type_slug}", response_class=HTMLResponse)
async def book_type(
    request: Request,
    slug: str,
    type_slug: str,
    clock: ClockDep,
    settings: SettingsDep,
    fields: BookingFields,
) -> Response:
    """Book a time of this meeting type in one step, answers and all (303 to the booking)."""
    return await _book(request, slug, type_slug, clock.now(), settings, fields)


@router.post("/book/{slug}/{type_slug}/hold")
async def hold_type(
    request: Request,
    slug: str,
    type_slug: str,
    clock: ClockDep,
    settings: SettingsDep,
    fields: HoldFields,
) -> Response:
    """Keep the picked time of this meeting type while the visitor fills the form in."""
    return await _hold(request, slug, type_slug, clock.now(), settings, fields)


# ------------------------------------------------------------------------ the guest's booking


async def _booking_page(
    request: Request,
    booking: service.GuestBooking,
    token: str,
    base_url: str,
    now: datetime,
    settings: Settings,
    problem: Problem | None = None,
    status: int = 200,
    hours: int = 24,
) -> HTMLResponse:
    shown = calendars.shown(booking.reservation, now, settings)
    context = rendering.booking_context(
        booking, token, base_url, now, problem, ics_available=shown, clock=hours
    )
    return rendering.page(request, "booking.html", context, status, private=True)


@router.get("/bookings/{token}", response_class=HTMLResponse)
async def booking(
    request: Request,
    token: str,
    clock: ClockDep,
    settings: SettingsDep,
    base_url: BaseUrl,
    hours: GuestClock,
) -> Response:
    """A guest's booking: held (with the time left to confirm), confirmed, or over."""
    async with get_database(request).unit_of_work(write=False) as session:
        try:
            found = await service.booking_by_token(session, token)
        except NotFound as exc:
            return rendering.not_found(request, "Booking not found", exc.detail)
        now = clock.now()
        if found.state(now) == "expired":
            # Nothing left to see here: say so, and offer the times that are free now.
            lapsed = rendering.hold_expired(found.reservation.start_at, zone(found.timezone), 200)
            return await _rebook(request, session, found, lapsed, now, settings)
        return await _booking_page(request, found, token, base_url, now, settings, hours=hours)


async def _change_booking(
    request: Request,
    token: str,
    csrf_token: str,
    action: str,
    now: datetime,
    settings: Settings,
    base_url: str,
    hours: int,
    reason: str | None = None,
) -> Response:
    failure: ConciergeError | None = None
    if csrf.verify(request, csrf_token):
        try:
            async with get_database(request).unit_of_work() as session:
                found = await service.booking_by_token(session, token)
                if action == "confirm":
                    await service.confirm(session, found, now)
                else:
                    await service.cancel(session, found, now, reason)
            return _to_booking(token, hours)
        except NotFound as exc:
            return rendering.not_found(request, "Booking not found", exc.detail)
        except ConciergeError as exc:
            failure = exc
    async with get_database(request).unit_of_work(write=False) as session:
        try:
            found = await service.booking_by_token(session, token)
        except NotFound as exc:
            return rendering.not_found(request, "Booking not found", exc.detail)
        problem = rendering.EXPIRED_FORM
        if failure is not None:
            tz = zone(found.timezone)
            problem = rendering.problem_for(
                failure, found.host.name, found.reservation.start_at, tz
            )
            if failure.code == "hold_expired":
                # The time is gone from this visitor: offer the fresh list straight away.
                return await _rebook(request, session, found, problem, now, settings)
        return await _booking_page(
            request, found, token, base_url, now, settings, problem, problem.status, hours
        )


async def _rebook(
    request: Request,
    session: AsyncSession,
    lapsed: service.GuestBooking,
    problem: Problem,
    now: datetime,
    settings: Settings,
) -> Response:
    reservation = lapsed.reservation
    tz = zone(lapsed.timezone)
    offered = lapsed.meeting_type or await service.meeting_type(session, lapsed.host, None)
    view = View(
        tz=tz,
        duration=meeting_types.offered_duration(offered, reservation.duration_minutes),
        day=reservation.start_at.astimezone(tz).date(),
        tz_chosen=True,
    )
    return await _book_page(
        request,
        session,
        lapsed.host,
        offered,
        view,
        now,
        settings,
        problem=problem,
        form={"name": reservation.guest_name or "", "email": reservation.guest_email or ""},
        status=problem.status,
        typed=lapsed.meeting_type is not None,
    )


@router.post("/bookings/{token}/confirm", response_class=HTMLResponse)
async def confirm(
    request: Request,
    token: str,
    clock: ClockDep,
    settings: SettingsDep,
    base_url: BaseUrl,
    hours: GuestClock,
    csrf_token: Annotated[str, Form(alias="csrf")] = "",
) -> Response:
    """Confirm a hold while it lasts; a lapsed one sends the visitor back to the free times."""
    return await _change_booking(
        request, token, csrf_token, "confirm", clock.now(), settings, base_url, hours
    )


@router.get("/bookings/{token}/cancel", response_class=HTMLResponse)
async def cancel_page(request: Request, token: str, clock: ClockDep, hours: GuestClock) -> Response:
    """Ask before cancelling, with room for a reason; a booking already over goes back to its
    page."""
    async with get_database(request).unit_of_work(write=False) as session:
        try:
            found = await service.booking_by_token(session, token)
        except NotFound as exc:
            return rendering.not_found(request, "Booking not found", exc.detail)
    now = clock.now()
    if found.state(now) not in ("held", "confirmed"):
        return _to_booking(token, hours)
    context = rendering.cancel_context(found, token, now, None, clock=hours)
    return rendering.page(request, "cancel.html", context, private=True)


@router.post("/bookings/{token}/cancel", response_class=HTMLResponse)
async def cancel(
    request: Request,
    token: str,
    clock: ClockDep,
    settings: SettingsDep,
    base_url: BaseUrl,
    hours: GuestClock,
    csrf_token: Annotated[str, Form(alias="csrf")] = "",
    reason: FormText = "",
) -> Response:
    """Cancel a confirmed booking (the reason, if given, is kept), or release a hold: the time
    is free again at once."""
    try:
        parsed = ReservationCancel(reason=reason or None)
    except ValidationError:
        async with get_database(request).unit_of_work(write=False) as session:
            try:
                found = await service.booking_by_token(session, token)
            except NotFound as exc:
                return rendering.not_found(request, "Booking not found", exc.detail)
        limit = f"Keep the reason to {rendering.REASON_MAX} characters of plain text."
        context = rendering.cancel_context(
            found,
            token,
            clock.now(),
            Problem("Check the form", "The reason could not be kept:"),
            reason=reason,
            field_errors={"reason": limit},
            clock=hours,
        )
        return rendering.page(request, "cancel.html", context, 422, private=True)
    return await _change_booking(
        request, token, csrf_token, "cancel", clock.now(), settings, base_url, hours, parsed.reason
    )


async def _reschedule_page(
    request: Request,
    session: AsyncSession,
    found: service.GuestBooking,
    token: str,
    now: datetime,
    settings: Settings,
    *,
    hours: str | None = None,
    month: str | None = None,
    day: str | None = None,
    problem: Problem | None = None,
    chosen: str = "",
    status: int = 200,
) -> HTMLResponse:
    tz = zone(found.timezone)
    duration = found.reservation.duration_minutes
    view = View(
        tz=tz,
        duration=duration,
        clock=views.clock_of(hours),
        month=parse_month(month),
        day=parse_day(day),
        tz_chosen=True,
        clock_chosen=hours in ("12", "24"),
    )
    # The times its meeting type offers (the host's first type for a plain booking).
    offered = found.meeting_type or await meeting_types.first_of(session, found.host)
    days = await service.free_times(session, found.host, offered, tz, duration, now, settings)
    bookable = service.bookable_days(found.host, offered, tz, now)
    context = rendering.reschedule_context(found, token, view, days, bookable, now, problem, chosen)
    return rendering.page(request, "reschedule.html", context, status, private=True)


@router.get("/bookings/{token}/reschedule", response_class=HTMLResponse)
async def reschedule_page(
    request: Request,
    token: str,
    clock: ClockDep,
    settings: SettingsDep,
    hours: Annotated[str | None, Query(alias="clock")] = None,
    month: str | None = None,
    day: str | None = None,
) -> Response:
    """The host's free times, in the booking's zone, to move the booking to; a booking already
    over goes back to its page."""
    now = clock.now()
    async with get_database(request).unit_of_work(write=False) as session:
        try:
            found = await service.booking_by_token(session, token)
        except NotFound as exc:
            return rendering.not_found(request, "Booking not found", exc.detail)
        if found.state(now) not in ("held", "confirmed"):
            return _to_booking(token, views.clock_of(hours))
        return await _reschedule_page(
            request, session, found, token, now, settings, hours=hours, month=month, day=day
        )


@router.post("/bookings/{token}/reschedule", response_class=HTMLResponse)
async def reschedule(
    request: Request,
    token: str,
    clock: ClockDep,
    settings: SettingsDep,
    csrf_token: Annotated[str, Form(alias="csrf")] = "",
    start: FormText = "",
    hours: Annotated[str | None, Query(alias="clock")] = None,
) -> Response:
    """Move the booking to the chosen time (303 to the booking), or show the free times again
    with the problem in words; a refused move leaves the booking where it was."""
    now = clock.now()
    problem: Problem | None = rendering.EXPIRED_FORM
    moved: MoveForm | None = None
    if csrf.verify(request, csrf_token):
        try:
            moved = MoveForm(start=start)
            problem = None
        except ValidationError:
            problem = Problem("Pick a new time", "Pick one of the free times below.")
    failure: ConciergeError | None = None
    if moved is not None:
        try:
            async with get_database(request).unit_of_work() as session:
                found = await service.booking_by_token(session, token)
                await service.reschedule(session, found, moved.start, now, settings)
            return _to_booking(token, views.clock_of(hours))
        except NotFound as exc:
            return rendering.not_found(request, "Booking not found", exc.detail)
        except ConciergeError as exc:
            failure = exc
    async with get_database(request).unit_of_work(write=False) as session:
        try:
            found = await service.booking_by_token(session, token)
        except NotFound as exc:
            return rendering.not_found(request, "Booking not found", exc.detail)
        day = None
        if failure is not None and moved is not None:
            tz = zone(found.timezone)
            problem = rendering.problem_for(failure, found.host.name, moved.start, tz)
            day = moved.start.astimezone(tz).date().isoformat()
        if found.state(now) not in ("held", "confirmed"):
            return _to_booking(token, views.clock_of(hours))
        problem = problem or rendering.EXPIRED_FORM
        return await _reschedule_page(
            request,
            session,
            found,
            token,
            now,
            settings,
            hours=hours,
            day=day,
            problem=problem,
            chosen=start,
            status=problem.status,
        )


@router.get("/bookings/{token}/invite.ics")
async def invite(
    request: Request, token: str, clock: ClockDep, settings: SettingsDep, base_url: BaseUrl
) -> Response:
    """The booking as an .ics file for the guest's calendar, in the zone they chose: a
    METHOD:REQUEST while it stands, a METHOD:CANCEL once cancelled (same UID, higher SEQUENCE),
    so the calendar that took it removes it."""
    now = clock.now()
    async with get_database(request).unit_of_work(write=False) as session:
        try:
            found = await service.booking_by_token(session, token)
        except NotFound as exc:
            return rendering.not_found(request, "Booking not found", exc.detail)
    reservation = found.reservation
    if not calendars.shown(reservation, now, settings):
        return rendering.not_found(
            request,
            "No calendar file",
            "Only a confirmed booking can be added to a calendar.",
        )
    guest = reservation.guest_name or reservation.guest_email or "Guest"
    event = calendars.event_for(
        reservation,
        f"{found.meeting_type.title if found.meeting_type else 'Meeting'} with {found.host.name}",
        settings.uid_domain,
        url=f"{base_url}/bookings/{token}",
        attendee=(guest, reservation.guest_email) if reservation.guest_email else None,
        organizer=(found.host.name, found.host.email),
    )
    body = ics.invite(event, zone(found.timezone), now)
    headers: dict[str, Any] = {
        "Content-Disposition": 'attachment; filename="booking.ics"',
        **rendering.PRIVATE_HEADERS,
    }
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)
