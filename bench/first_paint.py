"""Child of `bench.dashboard`: start netdash on a cloud, print the moment the first topology is on screen.

Run as a process of its own so that what is measured is what a user waits for: interpreter start,
imports, authentication, the first complete fetch and the first render (headless, `App.run_test`).

    OS_CLIENT_CONFIG_FILE=clouds.yaml python -m bench.first_paint netdash-demo
"""

from __future__ import annotations

import asyncio
import sys
import time


async def paint(cloud: str) -> None:
    from netdash.cloud.client import CloudClient
    from netdash.tui.app import NetdashApp

    client = CloudClient.connect(cloud)
    app = NetdashApp(client, interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (app.refreshes and app.topology.servers):
            await pilot.pause(0.005)
        await pilot.pause()  # let the tree render what was applied
        print(f"painted {time.time():.6f} servers={len(app.topology.servers)} ports={len(app.topology.ports)}",
              flush=True)
    client.close()


if __name__ == "__main__":
    asyncio.run(paint(sys.argv[1]))
