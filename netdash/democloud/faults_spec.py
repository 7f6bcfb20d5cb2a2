"""The `--faults SPEC` grammar: one readable string per fault, parsed before anything starts.

A spec names what the fault does, how often, and where, in that order, so `503:rate=0.2@load-balancer:GET`
reads left to right as "answer 503, on a fifth of the requests, of Octavia GETs". Everything is checked
here, so a typo costs one line and exit status 2 rather than a cloud that silently injects nothing.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the parsed form, to look for nested repeats
from dataclasses import dataclass
from typing import Any

SERVICES = ("identity", "network", "compute", "load-balancer", "image")
OPTIONS = ("nth", "times", "rate", "seed", "retry-after")
#: a fault that sleeps longer than this is a hung cloud, which `drop` or a client timeout models better
MAX_SECONDS = 600.0

GRAMMAR = """\
fault specs (--faults SPEC, repeatable; several in one SPEC separated by ';'):
  SPEC     = WHAT[:OPTION...][@WHERE]
  WHAT     = STATUS               answer this HTTP status (400-599) with the service's own error body;
                                  409 on load-balancer is Octavia's "Load Balancer ... is immutable"
           | latency=SECONDS      wait this long before answering
           | drop                 close the connection without an answer
           | expire-tokens        expire every token issued so far (at once; with nth= or rate=, when it fires)
           | provisioning=SECONDS Octavia PENDING_* and Nova BUILD last this long (@load-balancer or
                                  @compute: only that one); restored when the faults are cleared
           | freeze-dataplane     the data plane stops following the API: connections go where they went,
                                  whatever changes since (a floating IP moved, a member disabled); the API
                                  answers as usual. Takes no options or @WHERE; cleared with the faults
  OPTION   = nth=N                fire from the Nth matching request on (alone: that one request only)
           | times=N              fire N times (0: no limit; default 1 with nth= alone, else no limit)
           | rate=P               fire on each matching request with probability P (0..1)
           | seed=N               seed of rate=; the same seed picks the same requests (default 0)
           | retry-after=SECONDS  with STATUS: the answer's Retry-After header (e.g. 429:retry-after=2)
  WHERE    = SERVICE[:METHOD[:PATH]]   SERVICE: identity, network, compute, load-balancer, image or *;
                                  METHOD: GET, POST, PUT, DELETE... or *; PATH: a regular expression
                                  searched in the path under the service, version included
                                  (/v2.0/lbaas/pools, /v2.1/servers/detail, /v2.0/ports)
  examples: latency=0.3@network   503:rate=0.2@load-balancer:GET:/lbaas/pools   409@load-balancer:PUT
            drop:rate=0.1   expire-tokens   provisioning=5   500:nth=3@compute:POST:/servers/.*/action
            429:rate=0.5:retry-after=1@network   (a rate-limited Neutron)
  at runtime, with any valid token: POST /democloud/faults {"spec": SPEC}; GET lists them; DELETE clears
"""


class SpecError(ValueError):
    """A spec that does not parse; the message is one line naming the part at fault."""


@dataclass(frozen=True)
class FaultSpec:
    """One parsed fault. `kind` is status, latency, drop, expire-tokens, provisioning or freeze-dataplane."""

    kind: str
    text: str
    status: int = 500
    seconds: float = 0.0
    nth: int = 1
    times: int = 0
    rate: float | None = None
    seed: int = 0
    #: with a status: the seconds of the answer's Retry-After header
    retry_after: float | None = None
    service: str | None = None
    method: str | None = None
    path: str = ""
    #: expire-tokens with neither nth= nor rate=: a one-off act, not a rule
    now: bool = False


def parse(text: str) -> list[FaultSpec]:
    """Every spec of a `;`-separated string; SpecError on the first bad one."""
    pieces = [piece.strip() for piece in text.split(";")]
    specs = [parse_one(piece) for piece in pieces if piece]
    if not specs:
        raise SpecError("empty fault spec")
    return specs


def parse_one(text: str) -> FaultSpec:
    what_part, at, where = text.partition("@")
    what, *option_texts = [part.strip() for part in what_part.split(":")]
    kind, status, seconds = parse_what(what)
    options = parse_options(option_texts)
    service, method, path = parse_where(where.strip()) if at else (None, None, "")
    nth = int(options.get("nth", 1))
    rate = options.get("rate")
    times = int(options["times"]) if "times" in options else (1 if "nth" in options and rate is None else 0)
    if "retry-after" in options and kind != "status":
        raise SpecError(f"{text!r}: retry-after= goes with an HTTP status (e.g. 429:retry-after=2)")
    if kind == "provisioning" and (options or method or path or service not in (None, "load-balancer", "compute")):
        raise SpecError(f"{text!r}: provisioning= takes no options and only @load-balancer or @compute")
    if kind == "freeze-dataplane" and (options or at):
        raise SpecError(f"{text!r}: freeze-dataplane takes no options and no @WHERE")
    now = kind == "expire-tokens" and "nth" not in options and rate is None
    if now and (where or "times" in options):
        raise SpecError(f"{text!r}: expire-tokens at once takes no @WHERE or times=; add nth= or rate= "
                        "to expire them when a matching request comes")
    return FaultSpec(kind=kind, text=text, status=status, seconds=seconds, nth=nth, times=times, rate=rate,
                     seed=int(options.get("seed", 0)), retry_after=options.get("retry-after"), service=service,
                     method=method, path=path, now=now)


def parse_what(what: str) -> tuple[str, int, float]:
    if what.isdigit():
        status = int(what)
        if not 400 <= status <= 599:
            raise SpecError(f"status {status} is not an error status (400-599)")
        return "status", status, 0.0
    if what in ("drop", "expire-tokens", "freeze-dataplane"):
        return what, 500, 0.0
    name, eq, value = what.partition("=")
    if eq and name in ("latency", "provisioning"):
        return name, 500, number(name, value, 0.0, MAX_SECONDS)
    raise SpecError(f"unknown fault {what!r}: expected an HTTP status (e.g. 503), latency=SECONDS, drop, "
                    "expire-tokens, provisioning=SECONDS or freeze-dataplane")


def parse_options(texts: list[str]) -> dict[str, float]:
    options: dict[str, float] = {}
    for text in texts:
        name, eq, value = text.partition("=")
        if not eq or name not in OPTIONS:
            raise SpecError(f"unknown option {text!r}: expected nth=N, times=N, rate=P, seed=N or "
                            "retry-after=SECONDS")
        if name in options:
            raise SpecError(f"option {name}= given twice")
        if name == "rate":
            options[name] = number(name, value, 0.0, 1.0)
        elif name == "retry-after":
            options[name] = number(name, value, 0.0, MAX_SECONDS)
        else:
            options[name] = integer(name, value, 1 if name == "nth" else 0)
    return options


def parse_where(where: str) -> tuple[str | None, str | None, str]:
    service, _, rest = where.partition(":")
    method, _, path = rest.partition(":")
    service, method = service.strip(), method.strip()
    if service not in (*SERVICES, "*", ""):
        raise SpecError(f"unknown service {service!r}: expected one of {', '.join(SERVICES)} or *")
    if method not in ("", "*") and not re.fullmatch(r"[A-Za-z]+", method):
        raise SpecError(f"bad method {method!r}: expected GET, POST, PUT, DELETE, PATCH, HEAD or *")
    compile_path(path)
    return (service if service not in ("", "*") else None, method.upper() if method not in ("", "*") else None,
            path)


def number(name: str, value: str, low: float, high: float) -> float:
    try:
        result = float(value)
    except ValueError:
        raise SpecError(f"{name}= needs a number, not {value!r}") from None
    if not low <= result <= high:  # also refuses nan
        raise SpecError(f"{name}= must be between {low:g} and {high:g}, not {value}")
    return result


def integer(name: str, value: str, low: int) -> int:
    if not value.strip().isdigit() or int(value) < low:
        raise SpecError(f"{name}= needs a whole number >= {low}, not {value!r}")
    return int(value)


#: the longest path pattern a fault may have
MAX_PATTERN = 200


def compile_path(path: str) -> re.Pattern[str]:
    """A fault's path pattern, compiled once; SpecError if it is not a regular expression, or not a safe
    one. Faults are matched against every request, and any project can add one: a pattern whose running
    time can explode on a crafted path (a repeat inside a repeat, `(a+)+$`; an alternation inside a
    repeat; a backreference) would let one request hold every other up, so those are refused."""
    if len(path) > MAX_PATTERN:
        raise SpecError(f"path pattern longer than {MAX_PATTERN} characters")
    try:
        compiled = re.compile(path)
        tree = sre_parse.parse(path)
    except re.error as exc:
        raise SpecError(f"bad path pattern {path!r}: {exc}") from None
    problem = unsafe(tree, inside_repeat=False)
    if problem is not None:
        raise SpecError(f"path pattern {path!r} is refused: {problem} (its matching time could explode)")
    return compiled


def unsafe(tree: Any, *, inside_repeat: bool) -> str | None:
    """What makes a parsed pattern prone to catastrophic backtracking, or None."""
    for op, arg in tree:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            _low, high, inner = arg
            unbounded = high == sre_parse.MAXREPEAT or high > 100
            if unbounded and inside_repeat:
                return "a repeat inside a repeat"
            problem = unsafe(inner, inside_repeat=inside_repeat or unbounded)
            if problem is not None:
                return problem
        elif name == "SUBPATTERN":
            problem = unsafe(arg[-1], inside_repeat=inside_repeat)
            if problem is not None:
                return problem
        elif name == "BRANCH":
            if inside_repeat:
                return "an alternation inside a repeat"
            for branch in arg[1]:
                problem = unsafe(branch, inside_repeat=inside_repeat)
                if problem is not None:
                    return problem
        elif name in ("GROUPREF", "GROUPREF_EXISTS"):
            return "a backreference"
        elif name in ("ASSERT", "ASSERT_NOT"):
            problem = unsafe(arg[1], inside_repeat=inside_repeat)
            if problem is not None:
                return problem
    return None
