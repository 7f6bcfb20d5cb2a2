"""Fetching a Topology: through the fetch process when one is up, else in this process, and either way
converting only the bodies that changed.

In the dashboard the bodies are read by a process of its own (`start_process`, `cloud.fetch_process`),
which sends back only what changed since the last fetch (`cloud.deltas`); elsewhere, and until that
process is up (or after it is gone), by an `InlineFetch` here. Either way the `Models` convert only the
bodies that changed, and every other model object is the last snapshot's own.
"""

from __future__ import annotations

import time

from .deltas import Deltas, Models
from .errors import CloudUnreachable
from .fetch_inline import InlineFetch, said
from .fetch_process import ConnectSpec, DemoSpec, FetchProcess, FetchProcessGone
from .model import Topology
from .session import Session


class Fetcher:
    """The snapshots of one cloud; `spec` says how a fetch process would connect to it (None: it cannot)."""

    def __init__(self, session: Session, services: frozenset[str],
                 spec: ConnectSpec | DemoSpec | None = None, endpoints_url: str | None = None) -> None:
        self.session = session
        self.services = services
        self.spec = spec
        self.inline = InlineFetch(session, services, endpoints_url)
        #: the fetch process, when one was started (and is not known to be gone)
        self.process: FetchProcess | None = None
        #: the API calls the fetch process made, as of its last answer
        self.process_calls = 0
        #: what the last fetch converted, and the keys of the bodies it came from (`cloud.deltas`)
        self._models = Models()
        self._deltas = Deltas()

    def watch(self, lb_ids: frozenset[str]) -> None:
        """Read these load balancers' status trees on every fetch (the rest: `cloud.status_trees`)."""
        self.inline.trees.watched = lb_ids

    async def fetch_topology(self) -> Topology:
        """The project now, as model objects: unchanged ones are the previous snapshot's own. A list that
        failed keeps its last good objects and is named in `Topology.unread`; raises a NetdashError only
        when nothing answered (`InlineFetch.fetch_bodies`)."""
        process = self.process
        if process is not None and process.ready():
            try:
                if not process.seeded:  # what the models hold, so that its first delta is not a full one
                    process.seed(self._deltas.keys, self.inline.trees)
                    self._deltas = Deltas()
                delta, fields, failures = await process.fetch(self.inline.trees.watched)
            except FetchProcessGone:
                process.close()  # its keys are lost with it: the next delta from here is a full one
            except CloudUnreachable:
                self.session.reset_connections()  # the cloud went away for this process's requests too
                raise
            else:
                self._models.apply(delta)
                return self._models.topology(fields, self.services, time.time(), failures)
            finally:
                self.process_calls = process.calls
        if process is not None and process.gone:
            self.process = None
        bodies, failed = await self.inline.fetch_bodies()
        delta, pending = self._deltas.compute(bodies)
        self._models.apply(delta)
        self._deltas.commit(pending)
        return self._models.topology(bodies, self.services, time.time(), said(failed))

    def start_process(self) -> bool:
        """Fetch in a process of its own from now on (once it is up; until then, and if it fails, here).

        Why: decoding every body of a large project, and the garbage collections their objects bring, hold
        the GIL long enough at a time that a dashboard thread waiting for it misses its key deadline. In its
        own process the fetch holds only its own GIL, and what crosses over is what changed
        (`cloud.deltas`). False when this cloud cannot be connected to again there (`spec` is None)."""
        if self.spec is None or self.process is not None:
            return False
        self.process = FetchProcess(self.spec)
        return True

    def process_ready(self, wait: float = 0.0) -> bool:
        """Whether fetches go through the fetch process now, waiting up to `wait` seconds for it to connect."""
        process = self.process
        return process is not None and process.ready(wait)

    def close(self) -> None:
        if self.process is not None:
            self.process.close()
            self.process = None
        self.inline.close()

