"""`netdash tour NAME`: a guided tour of a seed scenario (`netdash.tour`), played in the dashboard.

By default on a fresh embedded cloud of its own (`--empty`: nothing but `public`), gone when netdash goes.
On a cloud the user names (`--os-cloud`, `OS_CLOUD`, an openrc's `OS_AUTH_URL`) it creates real servers,
networks and a load balancer, so it refuses unless told `--i-understand-this-creates-resources`; everything
it makes is then named `netdash-tour-*` and removed at its end or when netdash quits (`tui.tour_flow`).
"""

from __future__ import annotations

import argparse
import os

from netdash.cli.main import add_cloud_options, number

FLAG = "--i-understand-this-creates-resources"
#: auto-play's seconds between steps
PACE_RANGE = (1.0, 600.0)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from netdash.tour.model import names

    help_text = "a guided tour of a seed scenario in the dashboard, on a fresh embedded cloud"
    p = sub.add_parser("tour", help=help_text, description=help_text + f" (tours: {', '.join(names())}). "
                       "Keys: ] next, [ back (undo the step), A auto-play, P pause, < > pace, Q end the tour.")
    p.add_argument("tour_name", metavar="TOUR", nargs="?", help=f"one of {', '.join(names())}")
    p.add_argument("--remove-leftovers", action="store_true",
                   help="play nothing: remove every netdash-tour-* object of the configured cloud's project (what "
                        "a tour left there: netdash killed mid-tour, or 'leave' chosen at its end)")
    p.add_argument("--pace", type=number(float, *PACE_RANGE), metavar="SECONDS", default=10.0,
                   help="auto-play: seconds from a step's probe verdict to the next step, {:g}..{:g} "
                        "(default 10)".format(*PACE_RANGE))
    p.add_argument(FLAG, dest="creates_resources", action="store_true",
                   help="play it on the configured cloud: it creates netdash-tour-* networks, servers and a "
                        "load balancer there, and removes them at its end")
    add_cloud_options(p, defaults=False)


def named_cloud(options: argparse.Namespace) -> str | None:
    """The cloud the user named, if any (what `netdash` alone would connect to, short of a clouds.yaml default)."""
    return options.os_cloud or os.environ.get("OS_CLOUD") or (
        "the OS_* variables' cloud" if os.environ.get("OS_AUTH_URL") else None)


def prepare(options: argparse.Namespace) -> str | None:
    """Check the tour and choose its cloud; the one-line problem, or None (then `options.tour` is set)."""
    from netdash.tour.model import TourError, load

    if options.remove_leftovers:
        return None if named_cloud(options) or options.demo else "--remove-leftovers needs a cloud (--os-cloud NAME)"
    if options.tour_name is None:
        return f"which tour? one of {', '.join(names_of())}"
    try:
        options.tour = load(options.tour_name)
    except TourError as exc:
        return exc.message
    if options.read_only:
        return "a tour changes the cloud: it cannot run with --read-only"
    if options.scale:
        return "a tour starts from an empty embedded cloud: --scale does not apply"
    cloud = None if options.demo else named_cloud(options)
    if cloud is not None and not options.creates_resources:
        return (f"a tour creates networks, servers and a load balancer: on {cloud!r} it needs {FLAG} "
                "(all named netdash-tour-*, removed at its end); without a cloud it plays on a fresh embedded one")
    options.tour_fresh = cloud is None
    if cloud is None:
        options.demo = options.empty = True
    return None


def names_of() -> list[str]:
    from netdash.tour.model import names

    return names()


def remove_leftovers(options: argparse.Namespace) -> int:
    """`netdash tour --remove-leftovers`: each netdash-tour-* object named, then removed; 0 when none is left."""
    from netdash.cli.main import open_cloud, out
    from netdash.tour.build import leftovers, remove
    from netdash.tour.engine import PREFIX

    client, demo = open_cloud(options)
    try:
        found = leftovers(client.builds, PREFIX)
        if not found:
            out(f"nothing named {PREFIX}* in project {client.info.project}")
            return 0
        remove(client.builds, found, out, PREFIX)
        left = client.builds.named(PREFIX)
        for kind, resource_id, name in left:
            out(f"still there: {kind.replace('_', ' ')} {name} ({resource_id})")
        return 0 if not left else 3
    finally:
        client.close()
        if demo is not None:
            demo.stop()
