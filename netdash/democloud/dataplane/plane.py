"""The data plane's event loop: one thread, reconciling real sockets with the control plane's state.

Every accepted API write bumps `cloud.generation` and wakes the loop (coalesced); a tick every 0.2 s
catches what changes by itself (BUILD -> ACTIVE, the end of a reboot, PENDING_* -> ACTIVE). A reconcile
takes a snapshot under `cloud.lock` and then, without the lock, opens, closes and retargets listeners.
Connections route from the snapshot too, refreshing it first when the generation moved, so a change the
API has answered is what the next connection sees even before the reconcile ran.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from .backend import Backend
from .balance import Balancer
from .desired import WEB_PORT, Desired, EdgeKey, MemberSpec, PoolSpec, Snapshotter
from .edges import Edge
from .monitor import Prober
from .proxy import ListenerProxy, Upstreams
from .publish import Counters, Owner, Publisher, Served

if TYPE_CHECKING:
    from ..app import Cloud

log = logging.getLogger("democloud.dataplane")
TICK = 0.2
#: the idle tick is at least this many times the last reconcile: a tenth of a core at most
IDLE_FACTOR = 10
START_TIMEOUT = 10.0


class DataPlane:
    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.snapshotter = Snapshotter(cloud)
        self.octavia = cloud.load_balancer
        self.publisher = Publisher(cloud.endpoints)
        self.desired = Desired()
        self.backends: dict[str, Backend] = {}
        self.proxies: dict[str, ListenerProxy] = {}
        self.edges: dict[EdgeKey, Edge] = {}
        #: the port each server, listener and address was last bound to: restarts keep their endpoint
        self.remembered: dict[Any, int] = {}
        self.balancers: dict[str, Balancer] = {}
        self.stats: dict[str, Counters] = {}
        self.upstreams = Upstreams()
        self.prober = Prober(self)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.ready = threading.Event()
        self.failure: BaseException | None = None
        self.kicked = False
        self.wake: asyncio.Event | None = None
        self.stopping: asyncio.Event | None = None

    # --- lifecycle (any thread) -----------------------------------------------------------------
    def start(self) -> DataPlane:
        """Run the loop and return once the first reconcile bound everything (endpoints are published)."""
        self.thread = threading.Thread(target=self.run, name="democloud-dataplane", daemon=True)
        self.thread.start()
        if not self.ready.wait(START_TIMEOUT):
            raise RuntimeError("the data plane did not start")
        if self.failure is not None:
            raise RuntimeError("the data plane failed to start") from self.failure
        self.cloud.change_hooks.append(self.signal)
        return self

    def stop(self) -> None:
        """Close every listener and connection; returns when no socket of the data plane is left."""
        if self.signal in self.cloud.change_hooks:
            self.cloud.change_hooks.remove(self.signal)
        loop, stopping, wake = self.loop, self.stopping, self.wake
        if loop is not None and stopping is not None and wake is not None:
            try:
                # One callback, not two: once `stopping` is set the loop may finish and close at its
                # next tick, before a second call_soon_threadsafe could run.
                loop.call_soon_threadsafe(self.request_stop)
            except RuntimeError:
                pass  # the loop already finished and closed: nothing left to stop
        if self.thread is not None:
            self.thread.join(timeout=START_TIMEOUT)
            self.thread = None

    def request_stop(self) -> None:
        if self.stopping is not None and self.wake is not None:
            self.stopping.set()
            self.wake.set()

    def signal(self) -> None:
        """Called by the API threads after each accepted write: wake the loop once per burst."""
        loop = self.loop
        if loop is not None and not self.kicked:
            self.kicked = True
            try:
                loop.call_soon_threadsafe(self.kick)
            except RuntimeError:
                pass  # the loop is closing

    def subscribe(self, callback: Any) -> list[str]:
        return self.publisher.subscribe(callback)

    def unsubscribe(self, callback: Any) -> None:
        self.publisher.unsubscribe(callback)

    # --- the loop thread ------------------------------------------------------------------------
    def run(self) -> None:
        loop = asyncio.new_event_loop()
        self.loop = loop
        try:
            loop.run_until_complete(self.main())
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def kick(self) -> None:
        self.kicked = False
        if self.wake is not None:
            self.wake.set()

    async def main(self) -> None:
        self.wake, self.stopping = asyncio.Event(), asyncio.Event()
        try:
            await self.reconcile()
        except BaseException as exc:
            self.failure = exc
            await self.shutdown()
            return
        finally:
            self.ready.set()
        tick = TICK
        rested = 0.0  # when the next reconcile may start
        while not self.stopping.is_set():
            try:
                await asyncio.wait_for(self.wake.wait(), tick)
            except TimeoutError:
                pass
            pause = rested - time.perf_counter()
            if pause > 0:
                # A reconcile reads the whole project under the cloud lock: the next starts no sooner after
                # the last than that one took, so that writes in a row get the lock at least half the time
                # (each would otherwise wait for a whole re-read, woken by the write before it). Routing
                # does not wait: connections refresh the snapshot when the generation moved (`current`).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), pause)
            self.wake.clear()
            if self.stopping.is_set():
                break
            started = time.perf_counter()
            try:
                await self.reconcile()
                self.flush_stats()
            except Exception:
                log.exception("data plane reconcile failed")
            # The re-read grows with the project (bench/README.md). Stretch the idle tick so it stays under a
            # tenth of a core (a write still wakes the loop at once); what changes by itself is then seen up
            # to that much later.
            took = time.perf_counter() - started
            tick = max(TICK, IDLE_FACTOR * took)
            rested = time.perf_counter() + took
        await self.shutdown()

    async def shutdown(self) -> None:
        await self.prober.close()
        self.upstreams.close()
        for closer in [*self.edges.values(), *self.proxies.values(), *self.backends.values()]:
            await closer.stop()
        self.edges.clear()
        self.proxies.clear()
        self.backends.clear()
        self.publisher.clear()

    # --- reads used while routing (loop thread) -------------------------------------------------
    @property
    def frozen(self) -> bool:
        """The `freeze-dataplane` fault: keep routing by the last snapshot, whatever the API changed since."""
        return self.cloud.settings.dataplane_frozen

    def current(self) -> Desired:
        """The snapshot, re-taken when the API changed something since (and the reconcile woken)."""
        if self.desired.generation != self.cloud.generation and not self.frozen:
            self.desired = self.snapshotter.take()
            if self.wake is not None:
                self.wake.set()
        return self.desired

    def backend_endpoint(self, server_id: str | None, port: int) -> tuple[str, int] | None:
        backend = self.backends.get(server_id or "")
        if backend is None or port != WEB_PORT or server_id not in self.current().backends:
            return None
        return backend.endpoint

    def member_endpoint(self, member: MemberSpec) -> tuple[str, int] | None:
        return self.backend_endpoint(member.server_id, member.protocol_port)

    def usable(self, pool: PoolSpec, member: MemberSpec) -> bool:
        """Gets new traffic: enabled, weight > 0, and healthy when monitored (unknown: reachable now)."""
        if not member.admin_state_up or member.weight <= 0:
            return False
        if pool.monitor is None:
            return True
        up = self.prober.is_up(member.id)
        return up if up is not None else self.member_endpoint(member) is not None

    def balancer(self, pool_id: str) -> Balancer:
        return self.balancers.setdefault(pool_id, Balancer())

    def stats_of(self, listener_id: str) -> Counters:
        return self.stats.setdefault(listener_id, Counters())

    # --- reconcile ------------------------------------------------------------------------------
    async def reconcile(self) -> None:
        if self.frozen and self.edges:  # (not before the first reconcile bound everything)
            return
        desired = self.snapshotter.take()
        self.desired = desired
        await self.sync(self.backends, desired.backends, Backend, "server",
                        changed=lambda backend, spec: backend.spec != spec)
        await self.sync(self.proxies, desired.listeners, lambda spec: ListenerProxy(self, spec), "listener",
                        changed=lambda proxy, spec: proxy.protocol != spec.protocol)
        await self.sync(self.edges, desired.edges, lambda spec: Edge(self, spec), "edge")
        for key, edge in self.edges.items():  # connections whose port went elsewhere are reset (edges.py)
            edge.follow(desired.edges[key])
        self.prober.sync(desired)
        live_pools = {pool.id for li in desired.listeners.values() for pool in li.pools}
        for pool_id in [p for p in self.balancers if p not in live_pools]:
            del self.balancers[pool_id]
        for balancer in self.balancers.values():
            balancer.forget(set(desired.members))
        self.publish(desired)

    async def sync(self, running: dict[Any, Any], wanted: dict[Any, Any], make: Any, kind: str,
                   changed: Any = None) -> None:
        for key in [k for k, obj in running.items() if k not in wanted or (changed and changed(obj, wanted[k]))]:
            obj = running.pop(key)
            if isinstance(obj, Backend):
                self.upstreams.drop(obj.endpoint)
            await obj.stop()
        for key, spec in wanted.items():
            if key in running:
                continue
            obj = make(spec)
            try:
                await obj.start(self.remembered.get((kind, key)))
            except (OSError, ValueError) as exc:
                log.warning("data plane: cannot serve %s %s: %s", kind, key, exc)
                continue
            running[key] = obj
            self.remembered[(kind, key)] = obj.listener.port

    def publish(self, desired: Desired) -> None:
        served: dict[Owner, Served] = {}
        for server_id, backend in self.backends.items():
            served[("server", server_id)] = Served(f"server {backend.spec.name} ({backend.spec.software}) backend",
                                                   (backend.listener.endpoint,))
        for listener_id, proxy in self.proxies.items():
            spec = desired.listeners[listener_id]
            served[("listener", listener_id)] = Served(
                f"load balancer {spec.lb_name} listener {spec.name} ({spec.protocol})", (proxy.listener.endpoint,))
        for key, edge in self.edges.items():
            spec = desired.edges[key]
            before = served.get(spec.owner)
            endpoints = (*before.endpoints, edge.listener.endpoint) if before else (edge.listener.endpoint,)
            label = before.label if before else spec.label
            served[spec.owner] = Served(label, endpoints, edge.listener.fallback or bool(before and before.fallback))
        self.publisher.update(served)

    def flush_stats(self) -> None:
        for listener_id, counters in self.stats.items():
            if counters.dirty and listener_id in self.desired.listeners:
                self.octavia.record_listener_stats(listener_id, active_connections=counters.active,
                                                   **counters.deltas)
                counters.deltas.clear()
                counters.dirty = False
