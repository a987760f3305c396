"""The TypeScript SDK's Client (npm @modelcontextprotocol/sdk 1.x, what Claude Desktop and most
hosts embed) drives every tool's happy path over stdio and over streamable HTTP. That Client
validates each structuredContent against the tool's outputSchema with ajv and ajv-formats, so
an answer breaking its own schema fails here as it would fail in the host.

tests/mcp/ts/client.mjs runs the plan; ``make node-deps`` installs its node_modules.
Over HTTP the app reads the frozen clock (Monday 2026-11-23 12:00 UTC); ``concierge mcp``
over stdio reads the system clock, so the Resy stand-in is set to the real now there and the
plan asks about dates relative to whichever today the server sees.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest

from concierge.clock import FrozenClock
from concierge.config import Settings
from tests.fixtures.mcp import CONCIERGE, stdio_environment
from tests.fixtures.resy import DEMO_EMAIL, DEMO_PASSWORD, ResySandbox
from tests.fixtures.static_http import StaticHTTP

pytestmark = pytest.mark.anyio

CLIENT = Path(__file__).with_name("ts") / "client.mjs"
NODE_MODULES = CLIENT.with_name("node_modules") / "@modelcontextprotocol" / "sdk"
NODE = shutil.which("node") or "/usr/bin/node"


@pytest.fixture
def settings(dining_settings: Settings, database_url: str) -> Settings:
    """The app's settings, pointing at the Resy and Google Places stand-ins. No watch worker:
    the tour's watch is on the table its cancel just gave back, which a worker would book."""
    return dining_settings.model_copy(
        update={"database_url": database_url, "watch_tick_seconds": 0}
    )


def saturday_after(today: date) -> date:
    """A Saturday at least two days ahead, so always bookable."""
    soon = today + timedelta(days=2)
    return soon + timedelta(days=(5 - soon.weekday()) % 7)


def ref(pointer: str, *cut: int) -> dict[str, Any]:
    """An argument the client takes from an earlier answer: ``/tool/json/pointer``."""
    return {"$ref": pointer, "slice": list(cut)} if cut else {"$ref": pointer}


def tour(saturday: date, feed_url: str) -> list[dict[str, Any]]:
    """Every tool once, in the order a person would take them (as in test_output_schemas)."""
    day = saturday.isoformat()
    table = {"restaurant_name": "Don Angie", "date": day}

    booking = {
        **table,
        "time": ref("/check_availability/slots/0/start", 11, 16),
        "seating": ref("/check_availability/slots/0/table_type"),
        "card": "Amex",
    }
    shown = "/make_reservation/confirmation_token"

    def step(tool: str, **arguments: Any) -> dict[str, Any]:
        return {"tool": tool, "arguments": arguments}

    return [
        step("store_resy_credentials", email=DEMO_EMAIL, password=DEMO_PASSWORD),
        step("search_restaurants", query="italian", location="West Village", date=day),
        step("check_availability", **table, preferred_time="7pm"),
        step("list_payment_methods"),
        step("set_default_card", card="Visa"),
        step("restaurant_details", restaurant_name="Don Angie"),
        step("add_favorite", restaurant_name="Don Angie"),
        step("remove_favorite", restaurant_name="Don Angie"),
        step("list_favorites"),
        step("add_priority_notify", **table),
        step("list_priority_notify"),
        step("remove_priority_notify", notify_id=ref("/list_priority_notify/items/0/notify_id")),
        # The preview, then the booking with its token (and the seating it names).
        step("make_reservation", **booking),
        step("make_reservation", **booking, confirmation_token=ref(shown)),
        step("my_reservations"),
        step("cancel_reservation", restaurant_name="Don Angie"),
        step(
            "cancel_reservation",
            restaurant_name="Don Angie",
            confirmation_token=ref("/cancel_reservation/confirmation_token"),
        ),
        step("watch_for_table", **table, earliest="7pm", latest="9pm", seating=["Bar"]),
        step("list_watches"),
        step("cancel_watch", watch_id=ref("/watch_for_table/id")),
        step("find_free_slots", person="Ada", date_range="next week"),
        step("find_common_time", people=["Ada"], date_range="next week"),
        step("book_appointment", person="Ada", start=ref("/find_free_slots/days/0/starts/0")),
        step("confirm_appointment", id=ref("/book_appointment/id")),
        step(
            "reschedule_appointment",
            id=ref("/book_appointment/id"),
            start=ref("/find_free_slots/days/0/starts/1"),
        ),
        step("my_appointments"),
        step("cancel_appointment", id=ref("/book_appointment/id")),
        step("list_meeting_types", person="Ada"),
        step(
            "book_meeting_type",
            person="Ada",
            meeting_type=ref("/list_meeting_types/items/0/slug"),
            start=ref("/find_free_slots/days/0/starts/0"),
            confirm=True,
        ),
        # Asked again with two people: the window found is the meeting booked in one call.
        step("find_common_time", people=["Ada", "Ben"], date_range="next week"),
        step(
            "book_meeting",
            people=["Ada", "Ben"],
            start=ref("/find_common_time/days/0/windows/0/start"),
        ),
        step("connect_calendar", name="Work", url=feed_url),
        step("my_calendars"),
        step("test_calendar", calendar_id=ref("/connect_calendar/id")),
        step("remove_calendar", calendar_id=ref("/connect_calendar/id")),
    ]


def feed(static_http: StaticHTTP) -> str:
    """An empty outside calendar on loopback, for the calendar tools' steps."""
    static_http.put("/cal.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n")
    return static_http.url("/cal.ics")


def tampered(saturday: date) -> list[dict[str, Any]]:
    """The same Client and calls, with one value of each answer given the wrong format on its
    way in: the Client must refuse both, or formats are not being checked at all."""
    table = {"restaurant_name": "Don Angie", "date": saturday.isoformat()}
    return [
        # A restaurant's day (format "date") made a date-time.
        {
            "tool": "check_availability",
            "arguments": table,
            "tamper": {"pointer": "/day", "value": f"{saturday.isoformat()}T19:00:00"},
        },
        # A free slot's instant (format "date-time") without its offset.
        {
            "tool": "find_free_slots",
            "arguments": {"person": "Ada", "date_range": "next week"},
            "tamper": {"pointer": "/days/0/starts/0", "value": f"{saturday.isoformat()}T10:00:00"},
        },
    ]


async def run_client(transport: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
    assert NODE_MODULES.is_dir(), "the TypeScript SDK is not installed: run `make node-deps`"
    plan = json.dumps({"transport": transport, "steps": steps}).encode()
    with anyio.fail_after(120):
        finished = await anyio.run_process([NODE, str(CLIENT)], input=plan, check=False)
    assert finished.returncode == 0, finished.stderr.decode()
    report: dict[str, Any] = json.loads(finished.stdout)
    return report


def check_tour(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every call worked and passed the Client's validation; each answer by tool name."""
    *toured, wrong_day, wrong_instant = report["steps"]
    problems = [(s["tool"], s.get("error") or s.get("text")) for s in toured if not s["ok"]]
    assert problems == []
    answers = {s["tool"]: s["structuredContent"] for s in toured}
    listed = {t["name"]: t["hasOutputSchema"] for t in report["tools"]}
    assert set(answers) == set(listed)
    assert all(listed.values())

    for refused, format in ((wrong_day, "date"), (wrong_instant, "date-time")):
        assert not refused["ok"]
        assert "does not match the tool's output schema" in refused["error"]
        assert f'must match format "{format}"' in refused["error"]
    return answers


def check_previews(report: dict[str, Any]) -> None:
    """Booking and cancelling each took a preview, then the call with its token."""
    for tool, acted in (("make_reservation", "booked"), ("cancel_reservation", "cancelled")):
        first, second = (s["structuredContent"] for s in report["steps"] if s["tool"] == tool)
        assert (first[acted], second[acted]) == (False, True), tool
        assert first["confirmation_token"]
    preview = next(s for s in report["steps"] if s["tool"] == "make_reservation")
    assert "Not booked yet" in preview["text"]
    assert "Card: Amex ending in 1005" in preview["text"]
    found = next(s for s in report["steps"] if s["tool"] == "check_availability")
    terms = preview["structuredContent"]["terms"]
    assert (terms["card"], terms["table_type"]) == (
        "Amex ending in 1005",
        found["structuredContent"]["slots"][0]["table_type"],
    )


def check_facts(answers: dict[str, dict[str, Any]], saturday: date) -> None:
    found = answers["check_availability"]
    assert (found["day"], found["time_zone"]) == (saturday.isoformat(), "America/New_York")
    booked = answers["make_reservation"]
    assert booked["confirmation"]
    assert booked["day"] == saturday.isoformat()
    assert booked["booked"] is True
    [listed] = answers["my_reservations"]["items"]
    assert listed["confirmation"] == booked["confirmation"]
    assert answers["cancel_reservation"]["status"] == "cancelled"

    held = answers["book_appointment"]
    assert held["status"] == "held"
    assert held["start"] == answers["find_free_slots"]["days"][0]["starts"][0]
    assert answers["confirm_appointment"]["status"] == "confirmed"
    moved = answers["reschedule_appointment"]
    assert (moved["id"], moved["status"]) == (held["id"], "confirmed")
    assert moved["start"] == answers["find_free_slots"]["days"][0]["starts"][1]
    [mine] = answers["my_appointments"]["items"]
    assert (mine["id"], mine["status"]) == (held["id"], "confirmed")
    assert answers["cancel_appointment"]["status"] == "cancelled"

    meeting = answers["book_meeting"]
    assert meeting["status"] == "held"
    assert meeting["start"] == answers["find_common_time"]["days"][0]["windows"][0]["start"]
    assert [meeting["host"]["name"], *(p["name"] for p in meeting["co_hosts"])] == ["Ada", "Ben"]
    assert meeting["guest"]["name"] == "Dana"

    [offered] = answers["list_meeting_types"]["items"]
    assert (offered["slug"], offered["durations"]) == ("meeting", [15, 30, 60])
    typed = answers["book_meeting_type"]
    assert typed["status"] == "confirmed"
    assert typed["start"] == held["start"]  # the time given back by the cancel, booked again
    assert typed["duration"] == 15  # the type's first length


async def test_over_streamable_http_every_answer_passes_the_clients_validation(
    live_app: str,
    sign_up,
    clock: FrozenClock,
    resy_sandbox: ResySandbox,
    settings: Settings,
    static_http: StaticHTTP,
) -> None:
    me = await sign_up("Dana", "America/New_York")
    await sign_up("Ada", "UTC")
    await sign_up("Ben", "UTC")
    saturday = saturday_after(clock.now().date())
    settings.outbound_allow_private = True  # the feed is on loopback
    transport = {"kind": "http", "url": f"{live_app}/mcp", "headers": me.auth}
    report = await run_client(transport, [*tour(saturday, feed(static_http)), *tampered(saturday)])
    check_facts(check_tour(report), saturday)
    check_previews(report)
    assert [r["status"] for r in resy_sandbox.reservations()] == ["cancelled"]


@pytest.mark.slow
async def test_over_stdio_every_answer_passes_the_clients_validation(
    settings: Settings, sign_up, resy_sandbox: ResySandbox, tmp_path: Path, static_http: StaticHTTP
) -> None:
    me = await sign_up("Dana", "America/New_York")
    await sign_up("Ada", "UTC")
    await sign_up("Ben", "UTC")
    now = datetime.now(UTC)
    resy_sandbox.clock.set(now)
    saturday = saturday_after(now.date())
    env = stdio_environment(
        settings,
        me.token,
        CONCIERGE_RESY_BASE_URL=settings.resy_base_url,
        CONCIERGE_RESY_WEB_URL=settings.resy_web_url,
        CONCIERGE_GOOGLE_PLACES_BASE_URL=settings.google_places_base_url,
        CONCIERGE_OUTBOUND_ALLOW_PRIVATE="true",
        CONCIERGE_GOOGLE_PLACES_API_KEY=settings.google_places_api_key.get_secret_value()
        if settings.google_places_api_key
        else "",
    )
    transport = {
        "kind": "stdio",
        "command": CONCIERGE,
        "args": ["mcp"],
        "env": env,
        "cwd": str(tmp_path),
    }
    report = await run_client(transport, [*tour(saturday, feed(static_http)), *tampered(saturday)])
    check_facts(check_tour(report), saturday)
    check_previews(report)
    assert [r["status"] for r in resy_sandbox.reservations()] == ["cancelled"]
