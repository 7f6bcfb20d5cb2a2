"""The dashboard process and Python's cyclic garbage collector.

A full collection walks every tracked object with the GIL held; in a started dashboard (Textual,
openstacksdk, the first snapshot) that is a great many objects, walked nearly once a refresh, and no key
is answered meanwhile. Freezing what is alive after the first paint leaves each later full collection
only what was allocated since (`bench/README.md` has the numbers).

Since the dashboard fetches in a process of its own (`cloud.fetch_process`), the JSON bodies are never
allocated in the dashboard's process at all, and a refresh that changes nothing allocates almost nothing
here; freezing still keeps the first snapshot (converted here, before that process is up) out of every
later collection.

The collector is also paused for the start (`pause_for_start`, first thing in `netdash`): importing
openstacksdk and Textual allocates a great many objects, and the collector's passes over them were about a
tenth of the time to the first paint. `freeze_survivors` (the dashboard, after its first paint or its first
failed fetch) and `resume` (the other subcommands, before their work) put it back.

Tried and dropped: pausing the collector during each fetch. The JSON bodies were then freed before any
collection saw them, but the UI's own allocations of those seconds all landed in one young-generation
pass at the end, as long a pause as the one it was meant to avoid.
"""

from __future__ import annotations

import gc


def pause_for_start() -> None:
    """No collection until `freeze_survivors` or `resume`: a start allocates and keeps nearly everything."""
    gc.disable()


def resume() -> None:
    """The collector back after `pause_for_start`, for a command that runs on: what the start allocated is
    frozen first (the first pass over all of it would otherwise cost what the pause saved)."""
    gc.freeze()
    gc.enable()


def freeze_survivors() -> None:
    """Collect once, then move everything alive to the permanent generation (`gc.freeze`): the modules,
    widgets and first snapshot of a started dashboard are never scanned again, so each later full
    collection walks only what was allocated since. The collector runs again from here if the start
    paused it."""
    gc.collect()
    gc.freeze()
    gc.enable()
