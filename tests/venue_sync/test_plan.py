"""Planning a cycle, a pure function: what to fetch, what vanished, what came back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from concierge.integrations.resyos.schemas import ReservationStamp
from concierge.venue_sync.plan import Known, SyncConfig, plan_cycle, window

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SPAN = window(NOW, SyncConfig("1", ZoneInfo("America/New_York"), days_back=30, days_ahead=180))
T0 = datetime(2026, 11, 1, tzinfo=UTC)
IN = NOW + timedelta(days=3)
BEFORE = NOW - timedelta(days=40)


def stamp(rid: str, at: datetime = T0) -> ReservationStamp:
    return ReservationStamp(rid, at)


def test_only_new_and_changed_ids_are_fetched_in_listed_order() -> None:
    known = {"a": Known(T0, IN, False), "b": Known(T0, IN, False)}
    listed = [stamp("c"), stamp("b", T0 + timedelta(microseconds=1)), stamp("a"), stamp("c")]
    plan = plan_cycle(listed, known, SPAN)
    assert (plan.stale, plan.new, plan.vanished, plan.reappeared) == (["c", "b"], 1, [], [])


def test_the_same_instant_in_another_offset_is_not_a_change() -> None:
    known = {"a": Known(T0, IN, False)}
    east = T0.astimezone(ZoneInfo("Asia/Tokyo"))
    assert plan_cycle([stamp("a", east)], known, SPAN).stale == []


def test_absent_ids_vanish_only_while_the_window_covers_them() -> None:
    known = {
        "inside": Known(T0, IN, False),
        "aged-out": Known(T0, BEFORE, False),
        "no-time": Known(T0, None, False),
        "already": Known(T0, IN, True),
    }
    assert plan_cycle([], known, SPAN).vanished == ["inside"]


def test_vanished_ids_listed_again_reappear_and_are_fetched_only_if_changed() -> None:
    known = {"same": Known(T0, IN, True), "moved": Known(T0, IN, True)}
    plan = plan_cycle([stamp("same"), stamp("moved", T0 + timedelta(hours=1))], known, SPAN)
    assert (plan.reappeared, plan.stale) == (["same", "moved"], ["moved"])
