"""What counts as traffic contradicting the cloud after an action (`actions.traffic.disagreement`): only
contradictions, never what a few requests cannot tell."""

from __future__ import annotations

import pytest

from netdash.actions.traffic import Seen, disagreement
from netdash.cloud.probe_values import Expected

KNOWN = frozenset({"server1", "server2"})
BOTH = Expected((("server1", 0.5), ("server2", 0.5)), rule="ROUND_ROBIN by weight 1:1")
ONE = Expected((("server2", 1.0),), rule="one server")
NONE = Expected(rule="nothing behind the address, or its port down: no answer")


def seen(*backends: tuple[str, int], refused: int = 0) -> Seen:
    return Seen(tuple(backends), (("refused", refused),) if refused else ())


@pytest.mark.parametrize(("expected", "answers", "why"), [
    (ONE, seen(("server1", 6)), "server1 answered, but only server2 should answer (one server)"),
    (NONE, seen(("server1", 6)), "server1 answered, but nothing should answer"),
    (ONE, seen(refused=6), "no answer (refused 6), but server2 should answer (one server)"),
    (Expected(pinned=True, rule="SOURCE_IP: one backend for every request of this client"),
     seen(("server1", 3), ("server2", 3)), "server1 and server2 both answered one client, but SOURCE_IP"),
])
def test_contradictions(expected: Expected, answers: Seen, why: str) -> None:
    problem = disagreement(expected, answers, KNOWN)
    assert problem is not None and problem.startswith(why), problem


@pytest.mark.parametrize(("expected", "answers", "healthy", "booting"), [
    (BOTH, seen(("server1", 6)), None, False),  # LEAST_CONNECTIONS may well send a sequential client to one
    (BOTH, seen(("server1", 3), ("server2", 2), refused=1), None, False),
    (ONE, seen(("Welcome to nginx!", 6)), None, False),  # a page that names no server: not judged
    (ONE, seen(("server1", 3), ("server2", 3)), BOTH, False),  # server1 back before its monitor says so
    (ONE, seen(refused=6), None, True),  # a guest that Nova calls ACTIVE may still be booting
    (None, seen(("server1", 6)), None, False),  # an address the topology does not explain
])
def test_no_contradiction(expected: Expected | None, answers: Seen, healthy: Expected | None,
                          booting: bool) -> None:
    assert disagreement(expected, answers, KNOWN, healthy, booting) is None
