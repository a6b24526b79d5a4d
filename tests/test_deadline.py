"""factory.deadline on its own: the bound fires inside the call and never after it, on any
number of threads at once, through nested calls and while the watchdog stops and restarts.
(The reward's use of it, on threads and in event loops, is in tests/test_rewards.py.)"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from factory import deadline
from factory.deadline import DeadlineExceeded, call_with_deadline

RACES = 400  # calls per thread whose bound falls about when they return
# How long those calls run, in turn, around their 1 ms bound: the ones that end just inside
# it race the watchdog's look at them, and the ones that end up to 0.6 ms past it are cut
# wherever the watchdog gets to run (a 1 ms call alone was cut by chance only, and a quiet
# machine once ran all 400 to the end)
AROUND_THE_BOUND = (0.0009, 0.001, 0.0011, 0.0013, 0.0016)


def busy(until: float) -> str:
    """Pure-Python work until ``until`` (perf_counter), then "done"."""
    while time.perf_counter() < until:
        pass
    return "done"


@pytest.fixture
def fast_polls(monkeypatch) -> Iterator[None]:
    """The watchdog polls every 0.5 ms and the interpreter switches threads every 0.1 ms
    (not 5 ms), so that the watchdog runs inside 1 ms calls even when other threads of the
    test session compete."""
    monkeypatch.setattr(deadline, "POLL_S", 0.0005)
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0001)
    yield
    sys.setswitchinterval(switch_interval)


def race_the_bound_against_the_return(
    outcomes: Counter,
    races: int = RACES,
    runs: tuple[float, ...] = AROUND_THE_BOUND,
    after: int = 2000,
) -> None:
    """Count the outcome of ``races`` calls bound to 1 ms that run for each of ``runs``
    seconds in turn; a late interruption would escape this loop (as _Expired, a
    BaseException) and fail the caller."""
    for race in range(races):
        until = time.perf_counter() + runs[race % len(runs)]
        try:
            outcomes[call_with_deadline(0.001, busy, until)] += 1
        except DeadlineExceeded:
            outcomes["cut"] += 1
        for _ in range(after):  # bytecodes after the call, where a late exception would land
            pass


def test_a_bound_that_fires_as_the_call_returns_never_escapes_it(fast_polls):
    outcomes: Counter = Counter()
    race_the_bound_against_the_return(outcomes)
    assert sum(outcomes.values()) == RACES and outcomes["cut"] > 0
    assert deadline._in_flight == {}


def test_threads_racing_their_bounds_at_once_never_see_a_late_exception(fast_polls):
    """Four threads, each a stream of calls whose bound falls about when they return: the
    watchdog claims and fires while other calls come and go without its lock."""
    outcomes: Counter = Counter()
    escaped: list[BaseException] = []

    def run() -> None:
        try:
            race_the_bound_against_the_return(outcomes)
        except BaseException as error:  # noqa: BLE001 - a late exception is what we look for
            escaped.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert escaped == []
    assert sum(outcomes.values()) == 4 * RACES and outcomes["cut"] > 0
    assert deadline._in_flight == {}


def test_the_call_leaves_the_watch_however_it_ends():
    def fail() -> None:
        raise KeyError("inside")

    assert call_with_deadline(1.0, sum, [1, 2]) == 3
    with pytest.raises(KeyError):
        call_with_deadline(1.0, fail)
    with pytest.raises(DeadlineExceeded):
        call_with_deadline(0.01, busy, time.perf_counter() + 5)
    assert deadline._in_flight == {}


def test_nested_calls_each_keep_their_own_bound():
    def outer() -> tuple[str, str]:
        try:
            inner = call_with_deadline(0.05, busy, time.perf_counter() + 5)
        except DeadlineExceeded:
            inner = "cut"
        return inner, call_with_deadline(5.0, busy, time.perf_counter() + 0.01)

    start = time.monotonic()
    assert call_with_deadline(5.0, outer) == ("cut", "done")
    assert time.monotonic() - start < 2.0
    with pytest.raises(DeadlineExceeded):  # the outer bound cuts through an inner, longer one
        call_with_deadline(0.05, call_with_deadline, 5.0, busy, time.perf_counter() + 5)
    assert deadline._in_flight == {}


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        time.sleep(0.001)
    return condition()


def test_the_watchdog_stops_when_idle_and_a_later_call_brings_it_back(monkeypatch):
    monkeypatch.setattr(deadline, "POLL_S", 0.001)
    monkeypatch.setattr(deadline, "IDLE_STOP_S", 0.01)
    call_with_deadline(1.0, sum, [1])
    assert wait_for(lambda: deadline._watchdog is None)
    with pytest.raises(DeadlineExceeded):
        call_with_deadline(0.01, busy, time.perf_counter() + 5)
    assert deadline._watchdog is not None


def in_watchdog() -> bool:
    return threading.current_thread().name == "deadline"


class SlowToLook(dict):
    """The watch, where the watchdog takes 1 ms to see whether it is empty: time for a call
    to arrive between its look and what it does about it."""

    def __len__(self) -> int:
        size = super().__len__()
        if in_watchdog():
            time.sleep(0.001)
        return size


def test_calls_that_arrive_as_the_watchdog_stops_are_still_bounded(fast_polls, monkeypatch):
    """The watchdog stops at its first idle poll here, and looks slowly, so calls keep
    arriving as it stops: none may be left without one (it would run to its end)."""
    monkeypatch.setattr(deadline, "IDLE_STOP_S", 0.0)
    monkeypatch.setattr(deadline, "_in_flight", SlowToLook())
    outcomes: Counter = Counter()
    for attempt in range(200):
        time.sleep(attempt % 4 * 0.0005)  # idle for a few polls
        try:
            outcomes[call_with_deadline(0.001, busy, time.perf_counter() + 0.2)] += 1
        except DeadlineExceeded:
            outcomes["cut"] += 1
    assert outcomes == {"cut": 200}


def test_a_call_that_returns_while_the_watchdog_fires_at_it_withdraws_the_exception(
    fast_polls, monkeypatch
):
    """The watchdog pauses 10 ms between claiming an expired call and firing at it, while
    the call (0.5 ms past its bound) returns: it must wait for the firing and withdraw it.
    The pause is long enough that the call returns inside it even on a loaded machine (with
    2 ms, a run beside a full test session on two cores once saw all 100 calls cut)."""
    raise_in, withdraw = deadline._ASYNC_EXC

    def slow_raise(thread: int, exception: type) -> int:
        time.sleep(0.010)
        return raise_in(thread, exception)

    monkeypatch.setattr(deadline, "_ASYNC_EXC", (slow_raise, withdraw))
    outcomes: Counter = Counter()
    race_the_bound_against_the_return(outcomes, races=100, runs=(0.0015,), after=20_000)
    assert sum(outcomes.values()) == 100 and outcomes["done"] > 0
