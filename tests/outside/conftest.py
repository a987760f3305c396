"""Outside-calendar tests talk to real servers on loopback, which the outbound guard refuses
by default: these settings are an admin's who allowed private addresses. The background loops
are off in-process; tests run one cycle when they mean to."""

from __future__ import annotations

import pytest

from concierge.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "outbound_allow_private": True,
            "outside_check_seconds": 0,
            "outside_write_seconds": 0,
            "outside_booking_timeout": 1.0,
        }
    )
