"""Settings, read once from the environment (prefix ``CONCIERGE_``) and an optional ``.env``."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from concierge.mcp.origins import listed_origins

# The public key of the resy.com web app: the same for every user, so not a secret.
RESY_WEB_APP_KEY = "VbWk7s3L4KiK5fzlO7JD3Q5EYolJI7n5"

RateLimitStrategy = Literal["moving-window", "sliding-window-counter", "fixed-window"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CONCIERGE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- service
    database_url: str = "sqlite:///var/concierge.db"
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = Field(
        default=None,
        description="Base URL people reach the service at; defaults to http://HOST:PORT",
    )
    log_level: str = "INFO"
    log_json: bool | None = Field(
        default=None, description="JSON logs; by default JSON when stderr is not a terminal"
    )

    # --- scheduling
    slot_minutes: int = 15
    min_notice_minutes: int = 1440
    horizon_days: int = 60
    hold_minutes: int = 30
    sweep_seconds: float = 60.0
    max_range_days: int = 62

    # --- in-process caches (0 turns one off)
    auth_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How long a process trusts a token it has checked without asking the "
        "database again. A token revoked, or a user deleted or changed, through this process "
        "takes effect here at once; through another process, within this many seconds",
    )
    slots_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        description="How long a process reuses a computed list of free slots. Changes made "
        "through this process show at once; changes made through another process (another "
        "worker, the CLI) within this many seconds. Booking never relies on it",
    )

    # --- secrets
    secret_key: SecretStr | None = Field(
        default=None,
        description="Fernet key for stored credentials; generated into DATA_DIR if unset",
    )

    # --- Resy (consumer API)
    resy_base_url: str = "https://api.resy.com"
    resy_web_url: str = "https://resy.com"
    resy_api_key: str = RESY_WEB_APP_KEY
    resy_min_delay: float = 1.0
    resy_max_delay: float = 3.0
    resy_timeout: float = 20.0
    resy_retries: int = 4
    browser_path: str = "/usr/bin/chromium"

    # --- Google Places
    google_places_api_key: SecretStr | None = None
    google_places_base_url: str = "https://places.googleapis.com"

    # --- ResyOS (a venue's own book)
    resyos_api_url: str = "https://api.resyos.com"
    resyos_auth_url: str = "https://auth.resy.com"
    resyos_venue_id: str | None = None
    resyos_token: SecretStr | None = None
    resyos_batch: int = 50
    resyos_days_back: int = 30
    resyos_days_ahead: int = 180
    resyos_timezone: str = Field(
        default="America/New_York",
        description="The venue's IANA zone: ResyOS speaks venue-local wall times",
    )
    resyos_timeout: float = 20.0
    resyos_retries: int = 4
    resyos_atomic_limit: int = Field(
        default=1000,
        description="Cycles with more stale reservations than this commit batch by batch",
    )

    # --- operations
    redis_url: str | None = Field(
        default=None,
        description="redis://host:port/db; rate-limit counters shared by every process",
    )
    mcp_token: SecretStr | None = None
    mcp_allowed_origins: str = Field(
        default="",
        description="Comma-separated web origins (https://app.example.com) whose pages may "
        "call /mcp, with CORS; pages on localhost may always call it, others get 403",
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Larger bodies get 413")
    shutdown_timeout: float = Field(
        default=30.0, gt=0, description="Seconds in-flight requests get to finish on SIGTERM"
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of reverse proxies whose "
        "X-Forwarded-For is believed; empty: the socket peer is the client",
    )

    # --- rate limits: "N/second|minute|hour|day", several joined by ";"; "" turns one off
    rate_limits_enabled: bool = True
    rate_limit_strategy: RateLimitStrategy = "moving-window"
    rate_limit_key_prefix: str = "concierge"
    rate_limit_default: str = Field(
        default="600/minute", description="Every request, per token (per address when anonymous)"
    )
    rate_limit_signup: str = Field(default="5/minute;20/hour", description="Sign-up, per address")
    rate_limit_booking_pages: str = Field(
        default="60/minute", description="Public booking pages, per address"
    )
    rate_limit_reservations: str = Field(
        default="30/minute", description="Reservation creation, per account"
    )
    rate_limit_mcp_booking: str = Field(
        default="30/minute", description="MCP booking tools, per account"
    )
    rate_limit_auth_failures: str = Field(
        default="20/minute;200/hour",
        description="Bearer tokens not recognised, per address and per token prefix; past it, "
        "every unrecognised token from there gets 429 (token guessing)",
    )

    # --- metrics
    metrics_enabled: bool = True
    metrics_port: int | None = Field(
        default=None,
        description="Serve /metrics on this separate port (no auth: bind it privately); "
        "unset: /metrics on the main port for admins only",
    )
    metrics_host: str = "127.0.0.1"

    # --- outbox: emails and webhooks (see concierge.outbox)
    outbox_seconds: float = Field(
        default=1.0, description="How often the outbox worker looks for due messages; 0: never"
    )
    outbox_batch: int = Field(default=50, ge=1, description="Messages claimed per cycle")
    outbox_lease_seconds: float = Field(
        default=120.0, gt=0, description="How long a claimed message is a worker's alone"
    )
    outbox_retry_hours: float = Field(
        default=25.0, gt=0, description="Failed sends are retried, backing off, for this long"
    )
    smtp_host: str | None = Field(
        default=None, description="Unset: each email is written as an .eml file to DATA_DIR/outbox"
    )
    smtp_port: int = 587
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = Field(
        default=None,
        description="Better: `concierge outbox smtp-password`, which keeps it encrypted at rest",
    )
    smtp_from: str = "Concierge <concierge@localhost>"
    smtp_timeout: float = 20.0
    webhook_timeout: float = 10.0
    webhook_disable_after_days: float = Field(
        default=3.0, gt=0, description="A webhook failing every delivery this long is disabled"
    )
    webhook_secret_overlap_hours: float = Field(
        default=24.0, ge=0, description="After a rotation the old secret also signs this long"
    )

    # --- outbound HTTP to user-given URLs (calendar feeds, CalDAV, webhooks)
    outbound_allow_private: bool = Field(
        default=False,
        description="Let user-given URLs reach private, loopback and link-local addresses "
        "(an admin's choice for an intranet calendar server); refused by default",
    )
    outbound_timeout: float = Field(
        default=10.0, gt=0, description="Seconds for one whole outbound exchange"
    )
    outbound_max_bytes: int = Field(
        default=20_000_000, ge=1024, description="Largest body read from a user-given URL"
    )

    # --- outside calendars (CalDAV accounts, ICS feeds)
    outside_refresh_minutes: float = Field(
        default=10.0, gt=0, description="How often each connected calendar is read again"
    )
    outside_check_seconds: float = Field(
        default=15.0, description="How often the worker looks for calendars due; 0: never"
    )
    outside_write_seconds: float = Field(
        default=5.0, description="How often bookings are written back to calendars; 0: never"
    )
    outside_days_ahead: int = Field(
        default=120, ge=1, description="How far ahead busy times are read"
    )
    outside_booking_timeout: float = Field(
        default=3.0, gt=0, description="Seconds a booking waits to re-read its outside calendars"
    )
    outside_unreadable: Literal["refuse", "proceed"] = Field(
        default="refuse",
        description="When a booking cannot re-read an outside calendar in time: refuse it "
        "(503 calendar_unreadable), or book on the last busy times known and say so",
    )

    # --- calendars
    calendar_uid_domain: str | None = Field(
        default=None,
        max_length=253,
        description="The domain of calendar event UIDs (reservation-<id>@DOMAIN), so the events "
        "of two installs never collide in one calendar; defaults to the host of PUBLIC_URL",
    )
    calendar_cancelled_days: int = Field(
        default=30,
        ge=0,
        description="How long a cancelled reservation stays in calendar feeds, as "
        "STATUS:CANCELLED, so subscribed calendars remove it",
    )

    # --- watches: tables booked the moment they open
    watch_tick_seconds: float = Field(
        default=0.25, description="How often the watch worker looks for due watches (0: off)"
    )
    watch_poll_seconds: float = Field(
        default=300.0,
        gt=0,
        description="Between two looks for a cancellation, per watch (a slow, paced poll)",
    )
    watch_fast_seconds: float = Field(
        default=1.0, gt=0, description="Between two looks while a release is due, per watch"
    )
    watch_fast_window: float = Field(
        default=60.0, gt=0, description="How long fast looks go on after a release is due"
    )
    watch_wake_before: float = Field(
        default=3.0, ge=0, description="How many seconds before a release the watch wakes"
    )
    watch_lease_seconds: float = Field(
        default=120.0, gt=0, description="How long a worker holds a watch it is checking"
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip() and part.strip() != "*":
                ipaddress.ip_network(part.strip(), strict=False)
        return value

    @field_validator("mcp_allowed_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        listed_origins(value, None)  # fails at start-up, not on the first request
        return value

    @field_validator(
        "rate_limit_default",
        "rate_limit_signup",
        "rate_limit_booking_pages",
        "rate_limit_reservations",
        "rate_limit_mcp_booking",
        "rate_limit_auth_failures",
    )
    @classmethod
    def _limits(cls, value: str) -> str:
        if value.strip():
            parse_many(value)  # fails at start-up, not on the first request
        return value

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def uid_domain(self) -> str:
        return self.calendar_uid_domain or urlsplit(self.base_url).hostname or self.host


@lru_cache
def get_settings() -> Settings:
    return Settings()
