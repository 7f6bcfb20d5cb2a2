"""The fetch process: `python -m cloud.fetch_child`, started and spoken to by `cloud.fetch_process`.

It connects as the spec says, says `ready` (or `failed` and why, in one line), then answers each
`fetch` with its bodies' delta in parts and a `done` naming the lists that failed, each with its error's
title and line (or an `error` carrying the NetdashError when nothing answered), and
leaves when its stdin closes. Its stdout is the answer channel, so file descriptor 1 is pointed at
/dev/null first: nothing a library prints can tear a message.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

from .client import CloudClient, run_sync
from .deltas import Deltas
from .errors import NetdashError, refresh_error
from .fetch_inline import said
from .fetch_process import PART, ConnectSpec, DemoSpec


def connect(spec: ConnectSpec | DemoSpec) -> CloudClient:
    """The dashboard's cloud again, with no burst of its own: the dashboard's first fetch spent the run's
    (`cloud.budget`), and this process sends the refreshes, at `--max-rps` in every second."""
    if isinstance(spec, DemoSpec):
        return CloudClient.for_demo(spec, max_rps=spec.max_rps, timeout=spec.timeout, burst=0)
    return CloudClient.connect(spec.cloud, spec.region, max_rps=spec.max_rps, insecure=spec.insecure, burst=0)


Send = Callable[[tuple[Any, ...]], None]


def fetch(client: CloudClient, deltas: Deltas, send: Send) -> None:
    """One fetch, answered; the keys are committed once the whole delta is on its way."""
    try:
        bodies, failures = run_sync(client.fetcher.inline.fetch_bodies())
    except Exception as exc:
        send(("error", refresh_error(exc), client.api_calls))
        return
    delta, pending = deltas.compute(bodies)
    for field, change in delta.items():
        items = list(change.changed.items())
        send(("part", field, dict(items[:PART]), change.removed, change.full))
        for start in range(PART, len(items), PART):
            send(("part", field, dict(items[start:start + PART]), (), False))
    send(("done", list(bodies), said(failures), client.api_calls))
    deltas.commit(pending)


def serve(stdin: BinaryIO, stdout: BinaryIO) -> int:
    def send(message: tuple[Any, ...]) -> None:
        pickle.dump(message, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()

    try:
        _, spec = pickle.load(stdin)
        client = connect(spec)
    except EOFError:
        return 0
    except NetdashError as exc:
        send(("failed", exc.message))
        return 1
    except Exception as exc:  # said to the parent, which fetches by itself instead
        send(("failed", f"{exc.__class__.__name__}"))
        return 1
    send(("ready", None))
    deltas = Deltas()
    try:
        while True:
            try:
                message = pickle.load(stdin)
            except EOFError:
                return 0
            if message[0] == "seed":
                deltas = Deltas(message[1])
                client.fetcher.inline.adopt_trees(message[2])
            elif message[0] == "fetch":
                client.watch_load_balancers(message[1])
                fetch(client, deltas, send)
    finally:
        client.close()


#: how much this process yields the CPU to the dashboard's (`os.nice`): on a busy machine the scheduler
#: otherwise shares it evenly, and a key waits while a refresh decodes
NICE = 10


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the dashboard's Ctrl-C is not for this process
    os.nice(NICE)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    import logging

    logging.getLogger().addHandler(logging.NullHandler())
    try:
        return serve(sys.stdin.buffer, answers)
    except BrokenPipeError:  # the dashboard left while an answer was on its way
        return 0


if __name__ == "__main__":
    sys.exit(main())
