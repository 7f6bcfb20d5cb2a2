"""Injected faults: make the embedded cloud slow, failing, forgetful or rude to some HTTP requests.

A rule names what it matches (service type, method, a regex searched in the path under the service's
mount point) and what it does: answer an error `status` with the service's own error body (with a
`Retry-After: <retry_after>` header when the rule has one, as a rate-limited cloud's 429 does), add `delay`
seconds (`latency`), close the connection without an answer (`drop`), or expire every token issued so far
(`expire-tokens`). It fires on the `nth` matching request counted from when it was added, and on the
`times - 1` matching requests after that (`times=0`: every one from the nth on); with a `rate`, each of
those fires only with that probability, drawn from the rule's own seeded RNG so a test sees the same
requests fail on every run. Latency and token expiry add up; of the rules that answer (status, drop) the
first that fires wins.

Only requests that come in over HTTP are matched: a service calling a peer in-process (Nova unplugging a
port in Neutron) never is, as a real fault sits between a client and the API, not inside it.
`Faults.add_spec` takes the `--faults SPEC` strings (democloud/faults_spec.py); slow provisioning and a
frozen data plane are not rules but changes of the cloud's settings, which `clear()` puts back.
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .faults_spec import MAX_SECONDS, compile_path, parse

if TYPE_CHECKING:
    from .core import Request, Response
    from .identity import Identity
    from .runtime import Runtime
    from .service import Service

KINDS = ("status", "latency", "drop", "expire-tokens")


class Dropped(Exception):
    """Raised by the dispatcher for a `drop` fault: the HTTP front end closes the socket unanswered."""


class MustWait(Exception):
    """Raised by the dispatcher, before anything happened, to a caller that cannot wait on a fault's latency
    (`Cloud.dispatch(waits=False)`: the HTTP front end's loop) while faults are in force."""


@dataclass
class FaultRule:
    """One fault; `seen`/`fired` count what it matched and did, so a test can assert it was reached."""

    service: str | None = None
    method: str | None = None
    path: str = ""
    status: int = 500
    nth: int = 1
    times: int = 1
    message: str | None = None
    kind: str = "status"
    delay: float = 0.0
    rate: float | None = None
    seed: int = 0
    #: seconds the answer's `Retry-After` header asks for (status rules only; None: no header). A fraction
    #: is sent as one (`0.2`): HTTP's delay-seconds are whole, but tests should not wait whole seconds
    retry_after: float | None = None
    #: the spec it came from, if any (shown when listing the faults)
    spec: str = ""
    seen: int = 0
    fired: int = 0
    _pattern: re.Pattern[str] = field(init=False, repr=False)
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"a fault's kind is one of {', '.join(KINDS)}")
        if self.nth < 1 or self.times < 0 or (self.kind == "status" and not 400 <= self.status <= 599):
            raise ValueError("a fault needs nth >= 1, times >= 0 and an error status (400-599)")
        if self.rate is not None and not 0.0 <= self.rate <= 1.0:
            raise ValueError("a fault's rate is a probability, 0..1")
        if self.retry_after is not None and (self.kind != "status" or not 0.0 <= self.retry_after <= MAX_SECONDS):
            raise ValueError(f"retry_after is for status faults, 0..{MAX_SECONDS:g} seconds")
        self._pattern = compile_path(self.path)  # SpecError (a ValueError) if it is not a safe pattern
        self._rng = random.Random(self.seed)
        if self.method:
            self.method = self.method.upper()

    def matches(self, service: str, method: str, path: str) -> bool:
        return ((self.service is None or self.service == service)
                and (self.method is None or self.method == method.upper())
                and self._pattern.search(path) is not None)

    @property
    def exhausted(self) -> bool:
        return self.times > 0 and self.fired >= self.times

    @property
    def answers(self) -> bool:
        """Whether it replaces the service's answer (status, drop) rather than delaying or expiring."""
        return self.kind in ("status", "drop")

    def due(self) -> bool:
        """Counted as seen already: whether it fires now (the nth is reached and the dice say so)."""
        return self.seen >= self.nth and (self.rate is None or self._rng.random() < self.rate)

    def text(self) -> str:
        """What the error body says: the rule's message, or one naming the fault (so logs show it)."""
        return self.message or f"injected fault: HTTP {self.status}"


@dataclass
class Verdict:
    """What the rules that fired for one request ask for."""

    delay: float = 0.0
    expire: bool = False
    answer: FaultRule | None = None


class Faults:
    """The rules of one cloud; thread-safe (the HTTP server answers on several threads)."""

    def __init__(self, runtime: Runtime | None = None, identity: Identity | None = None) -> None:
        self.runtime = runtime
        self.identity = identity
        self._lock = threading.Lock()
        self.rules: list[FaultRule] = []
        # settings changed by provisioning= specs, with their values before the first change
        self._saved: dict[str, Any] = {}

    def add(self, service: str | None = None, method: str | None = None, path: str = "", *, status: int = 500,
            nth: int = 1, times: int = 1, message: str | None = None, kind: str = "status", delay: float = 0.0,
            rate: float | None = None, seed: int = 0, retry_after: float | None = None,
            spec: str = "") -> FaultRule:
        rule = FaultRule(service=service, method=method, path=path, status=status, nth=nth, times=times,
                         message=message, kind=kind, delay=delay, rate=rate, seed=seed, retry_after=retry_after,
                         spec=spec)
        with self._lock:
            self.rules.append(rule)
        return rule

    def add_spec(self, text: str) -> list[FaultRule]:
        """Apply a `--faults` string (`;`-separated specs); SpecError before anything changes if one is bad.

        Returns the rules added: `expire-tokens` alone and `provisioning=` act at once and add none."""
        rules = []
        for spec in parse(text):
            if spec.kind == "provisioning":
                self.slow_provisioning(spec.seconds, spec.service)
            elif spec.kind == "freeze-dataplane":
                self.freeze_dataplane()
            elif spec.now:
                self.expire_tokens()
            else:
                rules.append(self.add(spec.service, spec.method, spec.path, status=spec.status, nth=spec.nth,
                                      times=spec.times, kind=spec.kind, delay=spec.seconds, rate=spec.rate,
                                      seed=spec.seed, retry_after=spec.retry_after, spec=spec.text))
        return rules

    def clear(self) -> None:
        """No fault any more: rules gone, provisioning and build delays back to what they were."""
        with self._lock:
            self.rules.clear()
            saved, self._saved = self._saved, {}
        if self.runtime is not None:
            for name, value in saved.items():
                setattr(self.runtime.settings, name, value)

    # --- acts ---------------------------------------------------------------------------------------
    def slow_provisioning(self, seconds: float, service: str | None = None) -> None:
        """Octavia's PENDING_* (`load-balancer`) and/or Nova's BUILD (`compute`) last `seconds` from now on."""
        assert self.runtime is not None, "slow provisioning changes a cloud's settings"
        names = {"load-balancer": ["provisioning_delay"], "compute": ["build_delay"]}.get(
            service or "", ["provisioning_delay", "build_delay"])
        with self._lock:
            for name in names:
                self._saved.setdefault(name, getattr(self.runtime.settings, name))
                setattr(self.runtime.settings, name, seconds)

    def freeze_dataplane(self) -> None:
        """The data plane routes as it does now, whatever the API changes from now on (until `clear`)."""
        assert self.runtime is not None, "freezing the data plane changes a cloud's settings"
        with self._lock:
            self._saved.setdefault("dataplane_frozen", self.runtime.settings.dataplane_frozen)
            self.runtime.settings.dataplane_frozen = True

    def expire_tokens(self) -> None:
        assert self.runtime is not None and self.identity is not None, "expiring tokens needs the identity service"
        with self.runtime.lock:
            self.identity.expire_all()

    # --- matching ---------------------------------------------------------------------------------
    def match(self, service: str, method: str, path: str) -> Verdict | None:
        """What fires for this request, if anything (every matching rule counts it as seen)."""
        if not self.rules:
            return None
        verdict = Verdict()
        fired = False
        with self._lock:
            rules = list(self.rules)
        # Patterns are matched with no lock held (they are safe ones, `compile_path`, but a request must never
        # wait for another's matching); what the matches count is decided under the lock.
        matching = [rule for rule in rules if rule.matches(service, method, path)]
        with self._lock:
            for rule in matching:
                if rule.exhausted:
                    continue
                rule.seen += 1
                if (rule.answers and verdict.answer is not None) or not rule.due():
                    continue
                rule.fired += 1
                fired = True
                if rule.answers:
                    verdict.answer = rule
                elif rule.kind == "latency":
                    verdict.delay += rule.delay
                else:
                    verdict.expire = True
        return verdict if fired else None

    def inject(self, service: Service, req: Request) -> Response | None:
        """Act on the faults for one HTTP request before its token is checked: the answer to send instead
        of the service's, or None to go on (after any delay). Raises Dropped for a dropped connection."""
        verdict = self.match(service.type, req.method, req.path)
        if verdict is None:
            return None
        if verdict.expire:
            self.expire_tokens()
        if verdict.delay:
            time.sleep(verdict.delay)  # on this request's own server thread, holding no lock
        rule = verdict.answer
        if rule is None:
            return None
        if rule.kind == "drop":
            raise Dropped(rule.spec or "drop")
        message = rule.message or self.conflict_text(service, rule.status, req.path) or rule.text()
        resp = service.error(rule.status, message).response
        if rule.retry_after is not None:
            resp.headers["retry-after"] = f"{rule.retry_after:g}"
        service.decorate(req, resp)
        return resp

    @staticmethod
    def conflict_text(service: Service, status: int, path: str) -> str | None:
        """Octavia's 409 to a change while the load balancer is busy names the load balancer, whatever
        object the path names (octavia ImmutableObject); None when the path names no known object."""
        store = getattr(service, "store", None)
        if status != 409 or service.type != "load-balancer" or store is None:
            return None
        for ident in re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", path):
            for table in (store.lbs, store.listeners, store.pools, store.members, store.monitors):
                record = table.get(ident)
                if record is not None:
                    return f"Load Balancer {record.get('_lb', ident)} is immutable and cannot be updated."
        return None
