"""REST: /v1/reservations and /v1/admin/expire-holds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Query, Response, status
from fastapi.responses import JSONResponse

from concierge.api.deps import ClockDep, CurrentUser, Session, SettingsDep
from concierge.api.pagination import (
    Cursor,
    Limit,
    Page,
    an_id,
    an_instant,
    decode_cursor,
    encode_cursor,
)
from concierge.api.params import ReservationId
from concierge.api.problems import documented
from concierge.errors import Forbidden, InvalidRequest
from concierge.meeting_types import service as meeting_types
from concierge.meeting_types.schemas import AnswerOut
from concierge.models import Reservation, ReservationStatus
from concierge.outside import service as outside
from concierge.outside.views import unchecked_warning
from concierge.ratelimit.deps import limit_by_account
from concierge.reservations import expiry, group, idempotency, service
from concierge.reservations.hosts import hosts_of
from concierge.reservations.schemas import (
    ExpiredHolds,
    ReservationCancel,
    ReservationCreate,
    ReservationOut,
    ReservationReschedule,
)
from concierge.timezones import render, zone
from concierge.validation import Instant

router = APIRouter(prefix="/v1", tags=["reservations"])

Tz = Annotated[
    str | None, Query(max_length=64, description="IANA zone to render instants in (default UTC)")
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=200,
        description="Repeat a creation safely: the same key from the same user returns the first "
        "answer (with `Idempotent-Replayed: true`) and creates nothing. A key reused for a "
        "different request: 422 `idempotency_key_reused`. Only successes are remembered.",
    ),
]
_CREATE_422 = [
    "invalid_request",
    "misaligned",
    "too_soon",
    "too_far",
    "outside_availability",
    "self_booking",
    "idempotency_key_reused",
    "duration_not_offered",
    "answer_required",
]


def view(
    reservation: Reservation,
    now: datetime,
    tz: ZoneInfo | None = None,
    hosts: list[int] | None = None,
) -> ReservationOut:
    def instant(value: datetime | None) -> str | None:
        return None if value is None else render(value, tz)

    return ReservationOut(
        id=reservation.id,
        host_id=reservation.host_id,
        hosts=hosts or [reservation.host_id],
        guest_id=reservation.guest_id,
        # Empty while a visitor is still typing them in (the page holds the time meanwhile).
        guest_name=reservation.guest_name or None,
        guest_email=reservation.guest_email or None,
        start=render(reservation.start_at, tz),
        end=render(reservation.end_at, tz),
        duration=reservation.duration_minutes,
        status=service.effective_status(reservation, now),
        note=reservation.note,
        hold_expires_at=instant(reservation.hold_expires_at),
        created_at=render(reservation.created_at, tz),
        confirmed_at=instant(reservation.confirmed_at),
        cancelled_at=instant(reservation.cancelled_at),
        cancel_reason=reservation.cancel_reason,
        sequence=reservation.sequence,
        rescheduled_at=instant(reservation.rescheduled_at),
        meeting_type=reservation.meeting_type_id,
        answers=[AnswerOut.model_validate(a) for a in reservation.answers or []],
    )


def _zone(tz: str | None) -> ZoneInfo | None:
    return zone(tz) if tz else None


async def _shown(
    session: Session, reservation: Reservation, now: datetime, tz: ZoneInfo | None
) -> ReservationOut:
    hosts = await hosts_of(session, [reservation])
    return view(reservation, now, tz, hosts[reservation.id])


@router.post(
    "/reservations",
    status_code=status.HTTP_201_CREATED,
    response_model=ReservationOut,
    response_description="The new reservation (a repeated Idempotency-Key: the first answer). "
    "A `Warning` header says when it was booked without re-reading an outside calendar "
    "that did not answer in time (OUTSIDE_UNREADABLE=proceed)",
    responses=documented(
        401,
        404,
        409,
        422,
        429,
        503,
        s409=["slot_unavailable", "limit_reached"],
        s422=_CREATE_422,
        s503=["calendar_unreadable"],
    ),
    dependencies=[Depends(limit_by_account("reservations"))],
)
async def create_reservation(
    body: ReservationCreate,
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    tz: Tz = None,
) -> Any:
    """Hold the host's time for HOLD_MINUTES (30) as the calling guest, or book it at once with
    `confirm: true`. The start must lie on the host's 15-minute grid, inside their availability,
    at least their minimum notice ahead and within their horizon, clear of every confirmed
    reservation and live hold of theirs (and of yours: you take part as its guest).

    A meeting with several hosts (`hosts: [2, 3, 4]` instead of `host_id`) is booked all or
    nothing: every rule above holds for every host, or nothing is written. 409
    `slot_unavailable` names who is already booked then."""
    now = clock.now()
    out_zone = _zone(tz)
    if idempotency_key is not None:
        # Without the way of naming hosts left unused, so keys stored before meetings existed
        # still match their single-host requests.
        unused = {"hosts"} if body.hosts is None else {"host_id"}
        if body.meeting_type is None:
            unused |= {"meeting_type", "answers"}
        asked = {
            **body.model_dump(mode="json", exclude=unused),
            "start": render(body.start),
            "tz": tz,
        }
        digest = idempotency.fingerprint(asked)
        first = await idempotency.recall(session, actor.id, idempotency_key, digest)
        if first is not None:
            return JSONResponse(
                first.body, status_code=first.status_code, headers={"Idempotent-Replayed": "true"}
            )
    if body.hosts is not None:
        if body.meeting_type is not None:
            raise InvalidRequest(
                "A meeting of several hosts is booked by its length, not by one host's meeting "
                "type: leave meeting_type out.",
                field="meeting_type",
            )
        reservation = await group.reserve_meeting(
            session,
            guest=actor,
            host_ids=body.hosts,
            start=body.start,
            duration_minutes=body.duration,
            note=body.note,
            confirm=body.confirm,
            now=now,
            settings=settings,
        )
        out = await _shown(session, reservation, now, out_zone)
    elif body.meeting_type is None:
        if body.answers:
            raise InvalidRequest("answers go with a meeting_type.", field="answers")
        assert body.host_id is not None  # the schema takes exactly one of the two
        reservation = await service.reserve(
            session,
            guest=actor,
            host_id=body.host_id,
            start=body.start,
            duration_minutes=body.duration,
            note=body.note,
            confirm=body.confirm,
            now=now,
            settings=settings,
        )
        out = view(reservation, now, out_zone)
    else:
        assert body.host_id is not None
        meeting_type = await meeting_types.for_host(session, body.host_id, body.meeting_type)
        reservation = await meeting_types.reserve(
            session,
            meeting_type=meeting_type,
            guest=actor,
            start=body.start,
            duration=body.duration
            if "duration" in body.model_fields_set
            else meeting_type.durations[0],
            answers=body.answers,
            note=body.note,
            confirm=body.confirm,
            now=now,
            settings=settings,
        )
        out = view(reservation, now, out_zone)
    unchecked_warning(response, outside.unchecked(session))
    if idempotency_key is not None:
        await idempotency.remember(
            session, actor.id, idempotency_key, digest, 201, out.model_dump(mode="json"), now
        )
    return out


@router.post(
    "/reservations/{reservation_id}/confirm",
    responses=documented(
        401, 403, 404, 409, 422, s409=["hold_expired", "not_confirmable"], s422=["invalid_request"]
    ),
)
async def confirm_reservation(
    reservation_id: ReservationId,
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
    tz: Tz = None,
) -> ReservationOut:
    """`held` -> `confirmed` (its guest or an admin) while the hold lasts. Confirming a
    confirmed reservation again answers 200 and changes nothing."""
    now = clock.now()
    reservation = await service.confirm(session, actor, reservation_id, now)
    return await _shown(session, reservation, now, _zone(tz))


@router.post(
    "/reservations/{reservation_id}/cancel",
    responses=documented(401, 404, 409, 422, s409=["not_cancellable"], s422=["invalid_request"]),
)
async def cancel_reservation(
    reservation_id: ReservationId,
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
    body: ReservationCancel | None = None,
    tz: Tz = None,
) -> ReservationOut:
    """Cancel a held or confirmed reservation (its guest, any of its hosts or an admin), for
    everyone in it; the time is free again at once. An optional `reason` is kept
    (`cancel_reason`). An expired or already cancelled one: 409 `not_cancellable`."""
    now = clock.now()
    reason = body.reason if body is not None else None
    reservation = await service.cancel(session, actor, reservation_id, now, reason)
    return await _shown(session, reservation, now, _zone(tz))


@router.post(
    "/reservations/{reservation_id}/leave",
    responses=documented(401, 403, 404, 409, 422, s409=["not_leavable"], s422=["invalid_request"]),
)
async def leave_reservation(
    reservation_id: ReservationId,
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
    tz: Tz = None,
) -> ReservationOut:
    """Leave a held or confirmed meeting as one of its hosts: your time is free again at once,
    and the meeting goes on for the others (answered without you in `hosts`). The last host
    leaving cancels it. Its guest, who booked it, cancels instead (403). A meeting that no
    longer takes time: 409 `not_leavable`."""
    now = clock.now()
    reservation = await group.leave(session, actor, reservation_id, now)
    return await _shown(session, reservation, now, _zone(tz))


@router.post(
    "/reservations/{reservation_id}/reschedule",
    responses=documented(
        401,
        404,
        409,
        422,
        429,
        s409=["slot_unavailable", "not_reschedulable"],
        s422=[c for c in _CREATE_422 if c not in ("self_booking", "idempotency_key_reused")],
    ),
    dependencies=[Depends(limit_by_account("reservations"))],
)
async def reschedule_reservation(
    reservation_id: ReservationId,
    body: ReservationReschedule,
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
    settings: SettingsDep,
    tz: Tz = None,
) -> ReservationOut:
    """Move a held or confirmed reservation to another time (its guest, any of its hosts or an
    admin): the same reservation, `sequence` + 1, every rule of a new booking checked. The new
    time is taken and the old one freed in one transaction; a refusal (409 `slot_unavailable`,
    422 for the time rules) leaves it where it was. Moving it to where it already is changes
    nothing. A cancelled or expired one: 409 `not_reschedulable`."""
    now = clock.now()
    reservation = await service.reschedule(
        session, actor, reservation_id, body.start, now, settings, body.duration
    )
    return await _shown(session, reservation, now, _zone(tz))


@router.get(
    "/reservations/{reservation_id}",
    responses=documented(401, 404, 422, s422=["invalid_request"]),
)
async def get_reservation(
    reservation_id: ReservationId,
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
    tz: Tz = None,
) -> ReservationOut:
    """One reservation, for its guest, any of its hosts or an admin."""
    reservation = await service.get_visible(session, actor, reservation_id)
    return await _shown(session, reservation, clock.now(), _zone(tz))


_STATUSES = {s.value for s in ReservationStatus}


def _statuses(raw: str | None) -> frozenset[str] | None:
    if raw is None:
        return None
    asked = frozenset(part.strip() for part in raw.split(",") if part.strip())
    unknown = asked - _STATUSES
    if unknown or not asked:
        raise InvalidRequest(
            f"status takes a comma-separated list of {', '.join(sorted(_STATUSES))}.",
            field="status",
        )
    return asked


def _position(cursor: str | None) -> tuple[datetime, int] | None:
    position = decode_cursor(cursor, an_instant, an_id)
    return None if position is None else (position[0], position[1])


@router.get(
    "/reservations", responses=documented(401, 422, s422=["invalid_request", "invalid_cursor"])
)
async def list_reservations(
    session: Session,
    actor: CurrentUser,
    clock: ClockDep,
    role: Annotated[
        Literal["guest", "host"] | None,
        Query(description="Only those you made (guest) or those of your time (host)"),
    ] = None,
    status_in: Annotated[
        str | None,
        Query(
            alias="status",
            max_length=100,
            description="Comma-separated effective statuses, e.g. held,confirmed",
        ),
    ] = None,
    start_from: Annotated[
        Instant | None,
        Query(alias="from", description="Only reservations that end after this instant"),
    ] = None,
    to: Annotated[
        Instant | None, Query(description="Only reservations that start before this instant")
    ] = None,
    outside_availability: Annotated[
        bool,
        Query(
            description="Only those that no longer fit the host's availability (held and "
            "confirmed ones unless `status` says otherwise)"
        ),
    ] = False,
    limit: Limit = 50,
    cursor: Cursor = None,
    tz: Tz = None,
) -> Page[ReservationOut]:
    """The caller's reservations, as guest and as host, by start ascending."""
    now = clock.now()
    out_zone = _zone(tz)
    query = service.ListQuery(
        role=role,
        statuses=_statuses(status_in),
        start_from=start_from,
        to=to,
        outside_availability=outside_availability,
    )
    rows = await service.list_for(session, actor, query, now, limit, _position(cursor))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        encode_cursor([rows[-1].start_at.isoformat(), rows[-1].id]) if more and rows else None
    )
    hosts = await hosts_of(session, rows)
    return Page(items=[view(r, now, out_zone, hosts[r.id]) for r in rows], next_cursor=next_cursor)


@router.post("/admin/expire-holds", tags=["admin"], responses=documented(401, 403))
async def expire_holds(session: Session, actor: CurrentUser, clock: ClockDep) -> ExpiredHolds:
    """Mark every lapsed hold `expired` now (admins). Lapsed holds are already free to book;
    this only tidies their rows, as the background sweeper does every SWEEP_SECONDS."""
    if not actor.is_admin:
        raise Forbidden("Only an admin may expire holds.")
    return ExpiredHolds(expired=len(await expiry.expire_lapsed_holds(session, clock.now())))
