"""The request budget (`--max-rps`): a one-time burst, then at most `rate` requests in any one second.

A bucket of tokens, one per request. It holds `rate` tokens that each come back one second (`WINDOW`: a
little more) after they were spent, so no second ever sees more than `rate` requests, plus `burst` tokens
that never come back: the first `burst` requests of a connection go at once. Why a burst, and why it is
spent only once:

- A one-shot `netdash topology` of a large project (~134 calls at `--scale 1000`: ten lists in pages, and
  every load balancer's status tree) waited ~7 s for 20 tokens a second, longer than `openstack port list`
  alone. With a burst of 150 (`BURST`: that first fetch, with room for connecting) it goes at once.
- A burst that came back while the dashboard idles between refreshes (a classic token bucket's) would let
  every refresh out as a burst: at `--scale 1000` a refresh is ~34 calls every 2 s, below 20 a second on
  average, so a refilling bucket would stay full and send each 34 within a tenth of a second, above what a
  public cloud allows per second (one well-known provider: 20 a second per project on Neutron and Nova).
  Spent once, the burst makes the first screen quick and leaves the sustained rate at `rate` in every
  second after it. (A cloud that refuses the burst answers 429, which `cloud.session` waits out as its
  Retry-After says, and `pause` holds every other request for as long.)

Thread-safe: requests come from a fetch's thread pool, the dashboard's workers and an action's thread.
`take` takes a token under the lock, stamped with the time it is taken, or says how long to wait before
asking again; the caller waits outside the lock (and a thread running an event loop never waits:
`cloud.session`). Tokens are stamped when they are taken, not when a wait was predicted to end, so a
thread that wakes late cannot bunch its request with the next second's. The clock is injected, so the
tests drive it without sleeping.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable

#: requests a connection may send at once before the rate applies: the first refresh of `--scale 1000`
#: (~134 calls: the lists, their pages and 100 status trees) with room for authentication and discovery
BURST = 150
#: seconds after which a spent rate token comes back: a second, and 5% more, so that the time between a
#: request taking its token and leaving (a thread waiting for the GIL, at most a few tens of ms on a busy
#: host) cannot put a 21st request into someone's second (`bench/budget.py` counted 21 in one sliding
#: second with exactly 1.0). The sustained rate is `rate / WINDOW`, just under `--max-rps`.
WINDOW = 1.05


class RequestBudget:
    """`take()` before each request: 0.0 when it may go now (its token is taken), else the seconds to wait
    before asking again."""

    def __init__(self, rate: float, burst: int = BURST, clock: Callable[[], float] = time.monotonic,
                 window: float = WINDOW) -> None:
        #: requests in any one second (after the burst); a fraction rounds up to one a second at least
        self.rate = max(1, round(rate))
        #: seconds a rate token stays spent (`WINDOW`)
        self.window = window
        #: burst tokens left (they never come back)
        self.burst_left = max(0, burst)
        self._clock = clock
        self._lock = threading.Lock()
        #: when each of the last `rate` requests went: the next may go one second after the oldest
        self._sent: collections.deque[float] = collections.deque(maxlen=self.rate)
        #: no request before this (a 429's Retry-After: `pause`)
        self._not_before = float("-inf")

    def take(self, *, wait: bool = True) -> float:
        """A token for one request sent now: 0.0 when taken, else the seconds until one may be (nothing is
        taken: ask again then). `wait=False` takes one whatever the budget says, for a request that cannot
        wait (on a thread running an event loop); it still counts, so the requests after it wait for it."""
        with self._lock:
            now = self._clock()
            if wait:
                at = self._not_before
                if self.burst_left == 0 and len(self._sent) == self.rate:
                    # the oldest of the last `rate` requests must be a second (`window`) old, so that this
                    # one is at most the `rate`th in the second that ends with it
                    at = max(at, self._sent[0] + self.window)
                if at > now:
                    return at - now
            if self.burst_left > 0:
                self.burst_left -= 1
            self._sent.append(now)  # the clock is monotonic: `_sent` stays in time order
            return 0.0

    def paused(self) -> bool:
        """Whether a `pause` holds requests now."""
        with self._lock:
            return self._not_before > self._clock()

    def pause(self, seconds: float) -> None:
        """No request goes out for `seconds` from now (the cloud answered 429 and said how long to wait)."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def __repr__(self) -> str:
        return f"RequestBudget(rate={self.rate}, burst_left={self.burst_left})"
