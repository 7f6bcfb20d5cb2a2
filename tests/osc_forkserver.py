"""A zygote for the `openstack` CLI: import it and every plugin once, then fork one child per command.

Each command still runs in a process of its own, through `openstackclient.shell.main` — the function the
`openstack` script calls — with its own environment, working directory, stdout, stderr and exit status.
What the fork saves is the CLI's start-up: ~1,100 entry points imported per run (stevedore), 1-2 s of CPU
each time on a 2-core machine, against ~0.2 s forked. The seed documents alone run ~120 commands.

The zygote has no threads when it forks (a forked thread's locks would stay held in the child), which is
why it is a process of its own rather than a fork of the pytest worker, whose embedded clouds run threads.

Protocol, one JSON line each way: {"argv", "env", "cwd", "stdout", "stderr", "timeout"} -> {"code"}.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import warnings
from importlib.metadata import distributions

PLUGIN_GROUPS = ("openstack.", "cliff.", "keystoneauth1.", "stevedore.")


def preload() -> None:
    from openstackclient import shell  # noqa: F401  (the import is the point)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for point in (point for dist in distributions() for point in dist.entry_points):
            if point.group.startswith(PLUGIN_GROUPS):
                try:
                    point.load()
                except Exception:  # a plugin that cannot load is skipped by stevedore too
                    pass


def run_child(request: dict) -> None:
    """In the forked child: become the command, then leave without running the zygote's cleanup."""
    code = 1
    try:
        signal.alarm(int(request["timeout"]))
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        sys.stdin = open(os.devnull)  # noqa: SIM115 - the CLI must not read the protocol's stdin
        from openstackclient import shell

        code = shell.main(request["argv"]) or 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    preload()
    reply = sys.stdout
    print(json.dumps({"ready": True}), file=reply, flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            run_child(request)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"code": os.waitstatus_to_exitcode(status)}), file=reply, flush=True)


if __name__ == "__main__":
    serve()
