"""A costly answer is built once, even when several processes ask for it at the same moment.

Right after a forecast run the worker warms a family's grid while the planner already asks for
it; before, both built it on the same two cores and each took twice as long.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import caches

from siop import cached_json
from siop.cached_json import built_once


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    caches[cached_json.CACHE_ALIAS].clear()


def test_a_second_caller_waits_for_the_build_under_way_instead_of_building_it_again() -> None:
    # Given a slow build under way in another process (here a thread)
    calls: list[str] = []

    def slow() -> str:
        calls.append("first")
        time.sleep(0.3)
        return "answer"

    first = threading.Thread(target=built_once, args=("key", slow))
    first.start()
    time.sleep(0.05)

    def second() -> str:
        calls.append("second")
        return "other"

    # When a second caller asks for the same key
    value, built = built_once("key", second)
    first.join()
    # Then it gets the first build's value, and nothing was built twice
    assert (value, built) == ("answer", False)
    assert calls == ["first"]


def test_after_a_build_failed_the_next_caller_builds_it() -> None:
    # Given a build that raised
    def broken() -> str:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        built_once("key", broken)
    # When the answer is asked again, then it is built at once (no claim is left behind)
    started = time.monotonic()
    assert built_once("key", lambda: "answer") == ("answer", True)
    assert time.monotonic() - started < cached_json.BUILD_WAIT_SECONDS


def test_a_claim_left_by_a_killed_builder_holds_a_caller_up_for_the_wait_at_most(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a builder killed mid-build: its claim stays, its value never comes
    caches[cached_json.CACHE_ALIAS].add("key:building", 1, 60)
    monkeypatch.setattr(cached_json, "BUILD_WAIT_SECONDS", 0.2)
    # When a caller asks, then it builds the answer itself after the wait
    assert built_once("key", lambda: "answer") == ("answer", True)
    assert built_once("key", lambda: "other") == ("answer", False)


def test_a_caller_with_a_cheap_build_builds_it_rather_than_wait_for_a_slow_builder() -> None:
    # Given a slow build of the key under way elsewhere (a warmer at the lowest CPU priority)
    def slow_build() -> str:
        time.sleep(1.0)
        return "late"

    first = threading.Thread(target=built_once, args=("key", slow_build))
    first.start()
    time.sleep(0.05)
    # When a caller whose own build is cheap (a page sliced from frames it holds) asks
    value, built = built_once("key", lambda: "answer", worth_waiting=lambda: False)
    # Then it answers with its own build while the other is still building
    still_building = first.is_alive()
    first.join()
    assert (value, built) == ("answer", True)
    assert still_building
