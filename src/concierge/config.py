"""Settings, read once from the environment (prefix ``CONCIERGE_``) and an optional ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The public key of the resy.com web app: the same for every user, so not a secret.
RESY_WEB_APP_KEY = "VbWk7s3L4KiK5fzlO7JD3Q5EYolJI7n5"


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
    redis_url: str | None = None
    mcp_token: SecretStr | None = None

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
