"""Webhook bodies and answers (REST)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, description="http(s) URL that receives a POST per event")
    events: list[str] = Field(
        min_length=1,
        max_length=20,
        description="Event types: reservation.held, .confirmed, .cancelled, .expired, "
        ".rescheduled, .reminder",
    )
    all_users: bool = Field(
        default=False, description="Admins only: every user's events, not only the caller's"
    )


class WebhookChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2000)
    events: list[str] | None = Field(default=None, min_length=1, max_length=20)
    enabled: bool | None = Field(
        default=None, description="true turns a webhook disabled after failures back on"
    )


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    all_users: bool
    created_at: str
    enabled: bool
    disabled_at: str | None
    disabled_reason: str | None
    failing_since: str | None
    previous_secret_valid_until: str | None


class WebhookCreated(BaseModel):
    webhook: WebhookOut
    secret: str = Field(description="The signing secret, shown only now: keep it")


class SecretRotated(BaseModel):
    webhook: WebhookOut
    secret: str = Field(description="The new signing secret, shown only now")
    previous_secret_valid_until: str = Field(
        description="Until then deliveries carry a signature by the old secret too"
    )


class Queued(BaseModel):
    message_id: int = Field(description="The outbox message; see the delivery log for its fate")


class DeliveryOut(BaseModel):
    id: int
    message_id: int
    event: str
    attempt: int
    at: str
    ok: bool
    status_code: int | None
    duration_ms: float
    error: str | None
