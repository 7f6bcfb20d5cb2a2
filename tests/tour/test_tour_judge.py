"""The probe's verdict on a step (`engine.judge`): enough answers first, then the shares within what the sample
explains (`Expected.deviating`), SOURCE_IP's one server per client, or nothing of the tour answering."""

from __future__ import annotations

import pytest

from netdash.cloud.probe_values import BackendShare, ProbeStats
from netdash.tour.engine import PREFIX, ROUND_ANSWERS, judge
from netdash.tour.model import ProbeSpec


def real(name: str) -> str:
    return PREFIX + name


def stats(counts: dict[str, int], errors: int = 0, clients: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> ProbeStats:
    total = sum(counts.values()) + errors
    return ProbeStats(backends=tuple(BackendShare(name, n, n / total) for name, n in counts.items()),
                      errors=(("refused", errors),) if errors else (), client_backends=clients)


HALF = ProbeSpec("fip", shares=(("server1", 0.5), ("server2", 0.5)))
ONLY2 = ProbeSpec("fip", shares=(("server1", 0.0), ("server2", 1.0)))
PINNED = ProbeSpec("fip", clients=2, pinned=True)
FAILS = ProbeSpec("fip", fails=True)


@pytest.mark.parametrize(("spec", "seen", "verdict"), [
    (HALF, stats({real("server1"): 5, real("server2"): 5}), "10 answers so far"),
    (HALF, stats({real("server1"): 20, real("server2"): 20}), None),
    (HALF, stats({real("server1"): 21, real("server2"): 19}), None),  # within what 40 requests explain
    (HALF, stats({real("server1"): 40}), f"{PREFIX}server1 answered 100%, expected 50%"),
    (HALF, stats({real("server1"): 20, real("server2"): 18}, errors=2), "2 of 40 requests failed (refused)"),
    (ONLY2, stats({real("server2"): 40}), None),
    (ONLY2, stats({real("server1"): 1, real("server2"): 39}), f"{PREFIX}server1 answered 2%, expected 0%"),
    (PINNED, stats({real("server1"): 20, real("server2"): 20},
                   clients=(("127.0.0.2", (real("server1"),)), ("127.0.0.3", (real("server2"),)))), None),
    (PINNED, stats({real("server1"): 20, real("server2"): 20},
                   clients=(("127.0.0.2", (real("server1"), real("server2"))), ("127.0.0.3", (real("server2"),)))),
     f"client 127.0.0.2 was answered by {PREFIX}server1 and {PREFIX}server2"),
    (PINNED, stats({real("server1"): 40}, clients=(("127.0.0.2", (real("server1"),)),)), "1 of 2 clients answered"),
    (FAILS, stats({}, errors=ROUND_ANSWERS), None),
    (FAILS, stats({"server1": 30}), None),  # another cloud's server on a reused address: not the tour's
    (FAILS, stats({real("server1"): 3}, errors=30), "3 of 33 requests were answered by the tour's servers"),
])
def test_judge(spec: ProbeSpec, seen: ProbeStats, verdict: str | None) -> None:
    assert judge(spec, seen, real) == verdict
