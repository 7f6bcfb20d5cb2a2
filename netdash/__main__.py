"""`netdash` (and `python -m netdash`): the program's composition root.

The command line (`netdash.cli`) knows no Textual; the dashboard (`netdash.tui`) is wired in here, the one
place that sees both.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence


def dashboard(options: argparse.Namespace) -> int:
    """The live dashboard on the cloud the options name, until the user quits."""
    from netdash.cli.main import fail, open_cloud

    if options.theme is not None or options.keys:  # the config file's: said before anything starts
        from netdash.tui.app import NetdashApp

        problem = NetdashApp.settings_problem(options.theme, options.keys)
        if problem is not None:
            return fail(f"{options.config_path}: {problem}")
    client, demo = open_cloud(options)
    stopped = threading.Lock()

    def stop() -> None:  # once, whether the normal exit or the terminal watchdog gets here first
        if stopped.acquire(blocking=False):
            client.close()
            if demo is not None:
                demo.stop()

    try:
        from netdash.cloud.poller import Poller

        poller = Poller(client, interval=options.interval)
        poller.begin()  # the first fetch, while Textual is imported and started
        from netdash.cli.main import switcher
        from netdash.tui.app import NetdashApp

        first = poller.begun()  # usually there by now: then the first frame drawn has the topology in it
        app = NetdashApp(client, interval=options.interval, read_only=options.read_only, poller=poller,
                         topology=first.topology if first is not None else None, freeze_gc=True,
                         fetch_process=True, notices=options.notices, last_resort=stop,
                         screenshots=options.screenshots, theme=options.theme, keymap=options.keys,
                         connector=switcher(options, client),
                         tour=getattr(options, "tour", None), tour_fresh=getattr(options, "tour_fresh", False),
                         tour_pace=getattr(options, "pace", 10.0))
        app.run()
        return app.return_code or 0
    finally:
        stop()


def main(argv: Sequence[str] | None = None) -> int:
    from netdash.cli.main import main as cli_main

    return cli_main(argv, dashboard)


def run() -> None:
    from netdash.cli.main import run as cli_run

    cli_run(dashboard)


if __name__ == "__main__":
    run()
