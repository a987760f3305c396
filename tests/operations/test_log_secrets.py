"""The logs of a full run of a real server, at DEBUG, hold no token, password or credential."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from concierge import migrate
from tests.fixtures.real_days import days_ahead
from tests.fixtures.server import ServerPool, concierge_command
from tests.fixtures.web import read

pytestmark = pytest.mark.slow

# Secrets a client might send where they do not belong; none may reach a log line.
STRAY_PASSWORD = "hunter2-correct-horse"
STRAY_TOKEN = "cnc_this-is-not-a-real-token-but-looks-like-one"
RESY_LIKE_TOKEN = "eyJhbGciOiJIUzI1NiJ9.stray-resy-auth-token"


def create_admin(database_url: str, workdir: Path) -> str:
    done = subprocess.run(
        [
            *concierge_command(),
            "users",
            "create",
            "--admin",
            "--name",
            "Root",
            "--email",
            "root@example.com",
        ],
        env={**os.environ, "CONCIERGE_DATABASE_URL": database_url},
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_a_full_run_logs_no_secret(live_servers: ServerPool, tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path}/logs.db"
    migrate.upgrade(database_url)
    admin_token = create_admin(database_url, tmp_path)
    (server,) = live_servers.start(
        database_url, env={"CONCIERGE_LOG_LEVEL": "debug", "CONCIERGE_LOG_JSON": "true"}
    )
    secrets = [admin_token, STRAY_PASSWORD, STRAY_TOKEN, RESY_LIKE_TOKEN]
    with httpx.Client(base_url=server.url, timeout=10) as http:
        people = []
        for name in ("Ada", "Grace"):
            answer = http.post(
                "/v1/users",
                json={"name": name, "email": f"{name.lower()}@example.com", "timezone": "UTC"},
            )
            assert answer.status_code == 201
            people.append((answer.json()["user"]["id"], answer.json()["token"]))
        secrets += [token for _, token in people]
        (ada_id, ada), (_, grace) = people
        as_ada = {"Authorization": f"Bearer {ada}"}
        as_grace = {"Authorization": f"Bearer {grace}"}

        # Open every day of the week, so the booking below is inside her hours whatever the
        # real date (this server reads the system clock).
        days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        hours = {"days": {day: [{"start": "09:00", "end": "17:00"}] for day in days}}
        assert http.put(f"/v1/users/{ada_id}/weekly-hours", json=hours, headers=as_ada).is_success
        assert http.get(f"/v1/users/{ada_id}/availability", headers=as_grace).is_success
        assert http.get(f"/v1/users/{ada_id}/slots?duration=30", headers=as_grace).is_success
        # Reservations: hold, confirm, cancel, list, and a refused double booking.
        when = f"{days_ahead(7).isoformat()}T10:00:00Z"
        booking = {"host_id": ada_id, "start": when, "duration": 30, "note": "hello"}
        held = http.post("/v1/reservations", json=booking, headers=as_grace)
        assert held.status_code == 201, held.text
        held_id = held.json()["id"]
        assert http.post(f"/v1/reservations/{held_id}/confirm", headers=as_grace).is_success
        assert http.post("/v1/reservations", json=booking, headers=as_grace).status_code == 409
        assert http.get("/v1/reservations", headers=as_ada).is_success
        assert http.post(f"/v1/reservations/{held_id}/cancel", headers=as_ada).is_success
        # The public booking page: a visitor books a time and gets a manage link.
        grace_id = people[1][0]
        slug = http.get(f"/v1/users/{grace_id}", headers=as_grace).json()["slug"]
        page = read(http.get(f"/book/{slug}", params={"tz": "UTC", "duration": 30}))
        assert page.slots, "the booking page offers no time"
        visitor_form = {
            "csrf": page.csrf[0],
            "start": page.slots[0],
            "duration": "30",
            "tz": "UTC",
            "name": "Vera Visitor",
            "email": "vera@example.com",
        }
        held_page = http.post(f"/book/{slug}", data=visitor_form)
        assert held_page.status_code == 303, held_page.text[:500]
        manage = held_page.headers["location"]
        secrets.append(manage.rsplit("/", 1)[-1])
        # Booked in that one step; then its calendar file, and a cancel with a reason.
        assert "Confirmed" in http.get(manage).text
        assert http.get(f"{manage}/invite.ics").status_code == 200
        cancel_page = read(http.get(f"{manage}/cancel"))
        reason = {"csrf": cancel_page.csrf[0], "reason": "Plans changed"}
        assert http.post(f"{manage}/cancel", data=reason).status_code in (200, 303)
        # A calendar feed: its address carries a secret key.
        feed = http.post(f"/v1/users/{grace_id}/calendar-url", headers=as_grace).json()["url"]
        secrets.append(feed.rsplit("key=", 1)[-1])
        assert http.get(feed.replace(server.url, "")).status_code == 200
        # Errors, with secrets where they do not belong.
        assert (
            http.get("/v1/users/me", headers={"Authorization": f"Bearer {STRAY_TOKEN}"}).status_code
            == 401
        )
        assert http.get(f"/v1/users/me?token={ada}&password={STRAY_PASSWORD}").status_code == 401
        signup_with_password = {
            "name": "Eve",
            "email": "eve@example.com",
            "timezone": "UTC",
            "password": STRAY_PASSWORD,
        }
        assert http.post("/v1/users", json=signup_with_password).status_code == 422
        assert (
            http.patch(
                f"/v1/users/{ada_id}",
                json={"name": "Ada", "resy_auth_token": RESY_LIKE_TOKEN},
                headers={**as_ada, "X-Resy-Auth-Token": RESY_LIKE_TOKEN},
            ).status_code
            == 422
        )
        assert (
            http.get(
                f"/v1/users/{ada_id}/slots?from=2020-01-01&to=2021-01-01", headers=as_ada
            ).status_code
            == 422
        )
        assert http.get("/metrics", headers={"Authorization": f"Bearer {admin_token}"}).is_success
    server.terminate()

    log = server.log_path.read_text()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    requests = [x for x in lines if x.get("logger") == "concierge.http"]
    assert len(requests) >= 22, log[-3000:]
    assert all(x.get("request_id") for x in requests)
    assert any(x["status"] == 401 for x in requests)
    for secret in secrets:
        assert secret not in log, f"a secret reached the log: {secret[:8]}..."
