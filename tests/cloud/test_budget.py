"""The request budget (`cloud.budget`): a one-time burst, then at most `rate` requests in any second, driven
by a clock the test moves (no sleeps): a request waits as `take` says, asks again, and is sent when it gets
its token."""

from __future__ import annotations

import threading

import pytest

from netdash.cloud.budget import BURST, WINDOW, RequestBudget


def exact(rate: float, burst: int, clock: Clock) -> RequestBudget:
    """A budget whose tokens come back after exactly one second, for round numbers below."""
    return RequestBudget(rate, burst=burst, clock=clock, window=1.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def send(budget: RequestBudget, clock: Clock, count: int) -> list[float]:
    """`count` requests from one thread that waits as told: the times they go out."""
    times = []
    for _ in range(count):
        while (wait := budget.take()) > 0:
            clock.now += wait
        times.append(clock.now)
    return times


def most_in_one_second(times: list[float]) -> int:
    """The largest number of the times in any window [t, t + 1) (the windows that matter start at a time)."""
    ordered = sorted(times)
    return max(sum(1 for u in ordered if t <= u < t + 1.0) for t in ordered)


def test_the_burst_goes_at_once_then_the_rate_holds() -> None:
    clock = Clock()
    budget = exact(20, 150, clock)
    burst = send(budget, clock, 150)
    assert set(burst) == {1000.0} and budget.burst_left == 0
    after = send(budget, clock, 200)
    # the burst's last 20 count as this second's: the next request waits for the second to end
    assert after[0] == pytest.approx(1001.0)
    assert most_in_one_second(after) == 20
    assert after[-1] == pytest.approx(1001.0 + 200 / 20 - 1)   # 20 a second, no slower either


def test_idle_time_does_not_buy_a_new_burst() -> None:
    """A classic token bucket would refill to its burst while a dashboard waits between refreshes; this one
    gives back one second's worth at most, so a refresh after a pause still keeps to `rate` a second."""
    clock = Clock()
    budget = exact(20, 30, clock)
    send(budget, clock, 30)
    for _ in range(5):
        clock.now += 60.0           # a long idle
        refresh = send(budget, clock, 34)
        assert refresh[19] == refresh[0] and refresh[20] == pytest.approx(refresh[0] + 1.0)
        assert most_in_one_second(refresh) == 20


def test_a_refresh_loop_never_exceeds_the_rate_in_any_second_after_the_burst() -> None:
    clock = Clock()
    budget = exact(20, BURST, clock)
    first = send(budget, clock, 134)                # the first fetch of --scale 1000
    assert first[-1] == first[0]                    # all at once
    loop: list[float] = []
    for _ in range(30):                             # 34 calls a refresh, 2 s apart: below 20/s on average
        clock.now += 2.0
        loop += send(budget, clock, 34)
    spent = next(i for i, t in enumerate(loop) if i >= BURST - 134 and t > loop[0])  # the burst's end
    assert most_in_one_second(loop[spent:]) <= 20
    assert most_in_one_second(first + loop) > 20    # the burst is what exceeds it, once


def test_a_fraction_of_a_request_a_second_rounds_to_one() -> None:
    clock = Clock()
    budget = exact(0.2, 0, clock)
    assert send(budget, clock, 3) == [1000.0, 1001.0, 1002.0]


def test_pause_holds_every_request_the_burst_too() -> None:
    clock = Clock()
    budget = exact(5, 10, clock)
    budget.pause(2.5)
    assert budget.take() == 2.5 and budget.burst_left == 10   # nothing taken while told to wait
    clock.now += 1.0
    assert budget.take() == 1.5                     # not before the pause ends, burst or not
    budget.pause(0.5)                               # a shorter pause never shortens a longer one
    assert budget.take() == 1.5
    clock.now += 1.5
    assert budget.take() == 0.0 and budget.burst_left == 9


def test_a_request_that_cannot_wait_goes_and_counts() -> None:
    clock = Clock()
    budget = exact(2, 0, clock)
    assert send(budget, clock, 2) == [1000.0, 1000.0]
    assert budget.take(wait=False) == 0.0           # on an event loop's thread: at once
    assert budget.take() == 1.0                     # and the next waits for the window to move on


def test_threads_share_the_budget_and_never_exceed_the_rate() -> None:
    """Eight threads asking at once (the fetch's pool), on a clock that moves only when every thread has
    asked: every token is taken once, and the times they were taken keep to the rate."""
    clock = Clock()
    budget = exact(10, 5, clock)
    given: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8, action=lambda: setattr(clock, "now", clock.now + 0.25))

    def worker() -> None:
        for _ in range(100):
            if budget.take() == 0.0:
                with lock:
                    given.append(clock.now)
            barrier.wait()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(given) == 25 * 10                    # 25 s of 10 a second (a burst below the rate is in the first 10)
    assert most_in_one_second(given) == 10
    assert list(budget._sent) == sorted(budget._sent)


def test_by_default_a_token_comes_back_a_little_after_a_second() -> None:
    """The margin that keeps a late-leaving request out of the next second's count: 20 every 1.05 s."""
    clock = Clock()
    budget = RequestBudget(20, burst=0, clock=clock)
    times = send(budget, clock, 60)
    assert times[20] == pytest.approx(1000.0 + WINDOW) and times[40] == pytest.approx(1000.0 + 2 * WINDOW)
    assert most_in_one_second(times) == 20
