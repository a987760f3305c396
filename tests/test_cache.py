"""The in-process answer cache and the change feed it listens to, without a database."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta

from concierge.cache import AnswerCache
from concierge.changes import ACCOUNTS, AVAILABILITY, ChangeFeed

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def cache(
    feed: ChangeFeed, seconds: float = 2, entries: int = 100, max_size: int | None = None
) -> AnswerCache[str, str]:
    return AnswerCache(feed, AVAILABILITY, seconds, max_entries=entries, max_size=max_size)


# --------------------------------------------------------------------------------- the feed


def test_the_feed_tells_whether_a_user_changed_since_a_reader_began() -> None:
    feed = ChangeFeed()
    began = feed.seq
    feed.publish({AVAILABILITY: {7}})
    assert feed.touched_since(began, AVAILABILITY, 7)
    assert not feed.touched_since(began, AVAILABILITY, 8)
    assert not feed.touched_since(began, ACCOUNTS, 7)
    assert not feed.touched_since(feed.seq, AVAILABILITY, 7)
    feed.publish({ACCOUNTS: None})  # everyone
    assert feed.touched_since(began, ACCOUNTS, 12345)


def test_a_reader_older_than_the_feed_remembers_is_told_the_worst() -> None:
    feed = ChangeFeed(memory=3)
    began = feed.seq
    for user in (1, 2, 3, 4):
        feed.publish({AVAILABILITY: {user}})
    assert feed.touched_since(began, AVAILABILITY, 99)  # forgotten whether 99 changed
    recent = feed.seq - 1
    assert not feed.touched_since(recent, AVAILABILITY, 99)


def test_listeners_are_held_weakly() -> None:
    feed = ChangeFeed()
    kept = cache(feed)
    kept.put("a", "answer", user=1, since=feed.seq, now=NOW)
    cache(feed)  # dropped at once
    gc.collect()
    feed.publish({AVAILABILITY: {1}})
    assert kept.get("a", NOW) is None
    assert len(feed._listeners) == 1


# -------------------------------------------------------------------------------- the cache


def test_an_answer_is_kept_for_its_ttl_of_the_clock_and_not_before_it_was_computed() -> None:
    feed = ChangeFeed()
    answers = cache(feed, seconds=2)
    answers.put("q", "answer", user=1, since=feed.seq, now=NOW)
    assert answers.get("q", NOW) == "answer"
    assert answers.get("q", NOW + 2 * SECOND - timedelta(microseconds=1)) == "answer"
    assert answers.get("q", NOW + 2 * SECOND) is None
    answers.put("q", "answer", user=1, since=feed.seq, now=NOW)
    assert answers.get("q", NOW - SECOND) is None  # a clock set back never sees it


def test_an_answer_ends_at_its_own_until_when_that_comes_before_the_ttl() -> None:
    feed = ChangeFeed()
    answers = cache(feed, seconds=60)
    answers.put("q", "answer", user=1, since=feed.seq, now=NOW, until=NOW + SECOND)
    assert answers.get("q", NOW + SECOND / 2) == "answer"
    assert answers.get("q", NOW + SECOND) is None
    answers.put("gone", "answer", user=1, since=feed.seq, now=NOW, until=NOW)
    assert answers.get("gone", NOW) is None


def test_a_committed_change_drops_the_answers_of_that_user_and_topic_only() -> None:
    feed = ChangeFeed()
    answers = cache(feed)
    answers.put("ada", "a", user=1, since=feed.seq, now=NOW)
    answers.put("ada-tokyo", "a2", user=1, since=feed.seq, now=NOW)
    answers.put("bob", "b", user=2, since=feed.seq, now=NOW)
    feed.publish({ACCOUNTS: {1}})
    assert answers.get("ada", NOW) == "a"
    feed.publish({AVAILABILITY: {1, 3}})
    assert answers.get("ada", NOW) is None
    assert answers.get("ada-tokyo", NOW) is None
    assert answers.get("bob", NOW) == "b"
    feed.publish({AVAILABILITY: None})
    assert answers.get("bob", NOW) is None
    assert len(answers) == 0
    assert answers.size == 0


def test_an_answer_read_before_a_change_committed_is_not_kept() -> None:
    feed = ChangeFeed()
    answers = cache(feed)
    began = feed.seq
    feed.publish({AVAILABILITY: {1}})  # committed while the answer was being computed
    answers.put("ada", "stale", user=1, since=began, now=NOW)
    answers.put("bob", "fresh", user=2, since=began, now=NOW)
    assert answers.get("ada", NOW) is None
    assert answers.get("bob", NOW) == "fresh"


def test_the_least_recently_used_answers_go_first_when_full() -> None:
    feed = ChangeFeed()
    answers = cache(feed, entries=2)
    answers.put("a", "1", user=1, since=feed.seq, now=NOW)
    answers.put("b", "2", user=2, since=feed.seq, now=NOW)
    assert answers.get("a", NOW) == "1"  # now b is the least recently used
    answers.put("c", "3", user=3, since=feed.seq, now=NOW)
    assert answers.get("b", NOW) is None
    assert answers.get("a", NOW) == "1"
    assert answers.get("c", NOW) == "3"


def test_the_cache_holds_at_most_max_size_of_answers() -> None:
    feed = ChangeFeed()
    answers = cache(feed, entries=100, max_size=10)
    for key in "abcd":
        answers.put(key, key * 4, user=1, since=feed.seq, now=NOW, size=4)
    assert answers.size <= 10
    assert [k for k in "abcd" if answers.get(k, NOW)] == ["c", "d"]


def test_a_ttl_of_zero_turns_the_cache_off() -> None:
    feed = ChangeFeed()
    answers = cache(feed, seconds=0)
    answers.put("q", "answer", user=1, since=feed.seq, now=NOW)
    assert not answers.enabled
    assert answers.get("q", NOW) is None
    assert len(feed._listeners) == 0


def test_an_answer_whose_reader_reports_to_no_feed_is_not_kept() -> None:
    feed = ChangeFeed()
    answers = cache(feed)
    answers.put("q", "answer", user=1, since=None, now=NOW)
    assert answers.get("q", NOW) is None
