"""ResyOS payloads as typed views. Each keeps the exact JSON it came from (``raw``), so the
mirror can store everything ResyOS sent, including fields this code does not know about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, PrivateAttr, field_validator

LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"


def _as_text(value: Any) -> Any:
    # ResyOS sends user ids as strings in reservations and as integers in users.
    if isinstance(value, bool):
        return value
    return str(value) if isinstance(value, int) else value


Id = Annotated[str, BeforeValidator(_as_text)]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @classmethod
    def from_raw(cls, data: Any) -> Self:
        model = cls.model_validate(data)
        model._raw = data
        return model

    @property
    def raw(self) -> dict[str, Any]:
        """The object exactly as ResyOS sent it."""
        return self._raw


@dataclass(frozen=True, slots=True)
class ReservationStamp:
    """One entry of the ids call: enough to tell whether the details changed.

    A plain dataclass, not a model: a long window lists tens of thousands of these every cycle,
    and this parse is what a quiet cycle spends most of its time on.
    """

    id: str
    last_updated: datetime
    flag: bool = False

    @classmethod
    def from_raw(cls, data: Any) -> ReservationStamp:
        if not isinstance(data, dict):
            raise ValueError(f"expected an object, got {type(data).__name__}")
        rid, stamp = data.get("id"), data.get("last_updated")
        if isinstance(rid, int) and not isinstance(rid, bool):
            rid = str(rid)
        if not isinstance(rid, str) or not rid:
            raise ValueError(f"entry without an id: {data!r:.100}")
        if not isinstance(stamp, str):
            raise ValueError(f"{rid}: last_updated missing")
        return cls(rid, _aware(datetime.fromisoformat(stamp)), bool(data.get("flag")))


class Specs(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    num_seats: int | None = None
    booked_datetime: str | None = None
    is_cancelled: bool = False
    turn_time: int | None = None

    def booked_local(self) -> datetime | None:
        """The venue-local wall time, naive, or None when absent or unreadable."""
        if not self.booked_datetime:
            return None
        try:
            return datetime.strptime(self.booked_datetime, LOCAL_FORMAT)
        except ValueError:
            return None


class ReservationDetail(_Payload):
    reservation_id: Id
    user_id: Id | None = None
    contact_user_id: Id | None = None
    flag: bool = False
    last_updated: datetime | None = None
    specs: Specs = Specs()

    @field_validator("last_updated")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _aware(value)


class Guest(_Payload):
    user_id: Id
    first_name: str | None = None
    last_name: str | None = None
    class_id: int | None = None
