"""Property-based fuzzing of every operation in the OpenAPI schema with schemathesis, in process.

Used by ``tests/api/test_fuzz.py`` (the gate: zero failures) and by ``bench/ops.py`` (the figures:
how many cases, how long). Each operation gets ``examples`` positive cases (valid by the schema)
and ``examples`` negative ones (invalid on purpose); each case is sent three times, as nobody, as
a user and as an admin. Every response must not be a 5xx and must match what the schema
documents: its status code, content type, headers and body.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from concierge import migrate
from concierge.accounts import service as accounts
from concierge.app import create_app
from concierge.clock import SystemClock
from concierge.config import Settings
from concierge.db import Database

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    allow_header_conformance,
    use_after_free,
]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
DEFAULT_EXAMPLES = int(os.environ.get("CONCIERGE_FUZZ_EXAMPLES", "12"))


@dataclass
class Identity:
    name: str
    make: Callable[[], tuple[int, str]] | None
    user_id: int | None = None
    token: str | None = None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def renew(self) -> None:
        if self.make:
            self.user_id, self.token = self.make()


@dataclass
class FuzzReport:
    cases: int = 0
    seconds: float = 0.0
    operations: set[str] = field(default_factory=set)
    failures: dict[str, str] = field(default_factory=dict)
    by_status: dict[int, int] = field(default_factory=dict)

    def summary(self) -> str:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.by_status.items()))
        return (
            f"schemathesis: {self.cases} cases over {len(self.operations)} operations "
            f"in {self.seconds:.1f} s, {len(self.failures)} failing ({statuses})"
        )


def fuzz_app(tmp: Path) -> tuple[FastAPI, Settings]:
    """The app on a fresh SQLite file, with limits high enough not to hide the routes behind
    429s (the limits have tests of their own)."""
    url = f"sqlite:///{tmp}/fuzz.db"
    migrate.upgrade(url)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        data_dir=tmp / "data",
        rate_limit_default="1000000/minute",
        rate_limit_signup="1000000/minute",
        rate_limit_reservations="1000000/minute",
        rate_limit_auth_failures="1000000/minute",
    )
    return create_app(settings), settings


def _person_maker(settings: Settings, admin: bool) -> Callable[[], tuple[int, str]]:
    counter = 0

    def make() -> tuple[int, str]:
        nonlocal counter
        counter += 1

        async def create() -> tuple[int, str]:
            db = Database(settings.database_url)
            try:
                async with db.unit_of_work() as session:
                    user, token = await accounts.create_user(
                        session,
                        name=f"Fuzz {'Admin' if admin else 'User'} {counter}",
                        email=f"fuzz-{'admin' if admin else 'user'}-{counter}@example.com",
                        timezone="Europe/London",
                        now=SystemClock().now(),
                        settings=settings,
                        is_admin=admin,
                    )
                    return user.id, token
            finally:
                await db.dispose()

        return asyncio.run(create())

    return make


def run(tmp: Path, examples: int = DEFAULT_EXAMPLES) -> FuzzReport:
    app, settings = fuzz_app(tmp)
    identities = [
        Identity("anonymous", None),
        Identity("user", _person_maker(settings, admin=False)),
        Identity("admin", _person_maker(settings, admin=True)),
    ]
    for identity in identities:
        identity.renew()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    report = FuzzReport()
    started = time.perf_counter()
    with asgi.get_client(app) as client:  # one in-process client for every call
        for result in schema.get_all_operations():
            operation = result.ok()
            report.operations.add(operation.label)
            # The schema's own examples first (they reach the happy paths), then generated data.
            for strategy in operation.get_strategies_from_examples():
                _fuzz(client, strategy, identities, "examples", 1, report)
            takes_input = any(True for _ in operation.iter_parameters()) or bool(operation.body)
            for mode in MODES if takes_input else MODES[:1]:
                strategy = operation.as_strategy(generation_mode=mode)
                _fuzz(client, strategy, identities, mode.value, examples, report)
    report.seconds = time.perf_counter() - started
    return report


def _fuzz(
    client: Any,
    strategy: Any,
    identities: list[Identity],
    mode: str,
    examples: int,
    report: FuzzReport,
) -> None:
    @hypothesis.settings(
        max_examples=examples,
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        database=None,
        derandomize=os.environ.get("CONCIERGE_FUZZ_RANDOM") != "1",
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def check(case: Any) -> None:
        for identity in identities:
            _send(client, case, identity, mode, report)

    # Some operations admit no negative data at all (nothing to get wrong): nothing to send.
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        check()


def _send(client: Any, case: Any, identity: Identity, mode: str, report: FuzzReport) -> None:
    key = f"{case.operation.label} as {identity.name} ({mode})"
    if key in report.failures:
        return  # one failure per operation, identity and mode is enough to act on
    headers = identity.headers()
    response = case.call(session=client, headers=headers)
    report.cases += 1
    report.by_status[response.status_code] = report.by_status.get(response.status_code, 0) + 1
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except FailureGroup as exc:
        report.failures[key] = f"{exc}\n{case.as_curl_command(headers)}"
    if (
        identity.user_id is not None
        and case.method == "DELETE"
        and case.path_parameters.get("user_id") == identity.user_id
        and response.status_code == 204
    ):
        identity.renew()  # the fuzzer deleted the account it was using: carry on as a new one
