"""The dashboard process and Python's cyclic garbage collector.

A full collection walks every tracked object with the GIL held; in a started dashboard (Textual,
openstacksdk, the first snapshot) that is a great many objects, walked nearly once a refresh, and no key
is answered meanwhile. Freezing what is alive after the first paint leaves each later full collection
only what was allocated since (`bench/README.md` has the numbers).

Since the dashboard fetches in a process of its own (`cloud.fetch_process`), the JSON bodies are never
allocated in the dashboard's process at all, and a refresh that changes nothing allocates almost nothing
here; freezing still keeps the first snapshot (converted here, before that process is up) out of every
later collection.

Tried and dropped: pausing the collector during each fetch. The JSON bodies were then freed before any
collection saw them, but the UI's own allocations of those seconds all landed in one young-generation
pass at the end, as long a pause as the one it was meant to avoid.
"""

from __future__ import annotations

import gc


def freeze_survivors() -> None:
    """Collect once, then move everything alive to the permanent generation (`gc.freeze`): the modules,
    widgets and first snapshot of a started dashboard are never scanned again, so each later full
    collection walks only what was allocated since."""
    gc.collect()
    gc.freeze()
