"""The command bar's language and where a jump lands, on the hand-built seed snapshot: no cloud, no
terminal (the pilot test in test_dashboard_commands.py drives the same through the keys)."""

from __future__ import annotations

from netdash.cloud.model import Port, SecurityGroup, Topology
from netdash.tui.command_line import Jump, RunAction, Unknown, parse, suggestions
from netdash.widgets.nodes import path_to
from tests import topology_factory as f


def test_lines_and_what_they_ask_for() -> None:
    t = f.seed_topology()
    assert parse("fip 127.24.4.5", t) == Jump("floating_ip", f.FIP_S1)
    assert parse("  server   server1 ", t) == Jump("server", f.SERVER1)
    assert parse("lb web", t) == Jump("load_balancer", f.LB) and parse("net private", t) == Jump("network", f.PRIVATE)
    assert parse("10.0.0.11", t) == Jump("port", f.PORT_S2)  # anything else: found in every section
    assert parse("unused", t) == Jump(section="unused")
    assert parse("quota", t) == Jump(section="networks", details=True)
    assert parse("server", t) == Jump(section="servers")
    assert parse("", t) is None
    # an action by label, id or command line; with a name after it, on that object
    assert parse("Move FIP", t) == parse("move_fip", t) == parse("fip move", t) == RunAction("move_fip")
    assert parse("fip release 127.24.4.8", t) == RunAction("release_fip", Jump("floating_ip", f.FIP_FREE))
    assert parse("server stop", t) == RunAction("server_stop")  # the action, not a server called "stop"


def test_what_goes_wrong_is_one_line() -> None:
    t = f.seed_topology()
    for line, said in (("fip 1.2.3.4", "no floating IP matches '1.2.3.4'"),
                       ("frobnicate now", "nothing matches 'frobnicate now': try fip|server|lb|net|port NAME"),
                       ("port", "port what?"), ("fip release server1", "no floating IP matches 'server1'")):
        command = parse(line, t)
        assert isinstance(command, Unknown) and said in command.message and "\n" not in command.message, line


def test_suggestions_as_a_line_is_typed() -> None:
    t = f.seed_topology()
    first = suggestions("", t, ["move_fip"])
    assert [s.text for s in first[:3]] == ["unused", "quota", "Move FIP"]  # what fits the selection, as the palette
    assert [s.text for s in suggestions("fip 127.24.4", t)] == ["fip 127.24.4.5", "fip 127.24.4.6", "fip 127.24.4.8"]
    assert suggestions("fip r", t)[0].text == "fip release"
    assert suggestions("lb w", t)[0].text == "lb web"
    assert [s.text for s in suggestions("fip release 127.24.4.8", t)] == ["fip release 127.24.4.8"]
    # two ports called alike are told apart by id: the line finds the same one again
    twin = Port("twin", "server-1-port", f.PRIVATE)
    both = f.seed_topology(ports=(*f.seed_topology().ports.values(), twin))
    assert {s.text for s in suggestions("port server-1", both)} == {f"port {f.SERVER_1_PORT}", "port twin"}


def test_where_a_jump_lands() -> None:
    idle = SecurityGroup("sg-idle", "idle")
    t = f.seed_topology(security_groups=(idle,))
    assert path_to(t, "port", f.PORT_S1) == ("networks", f.PRIVATE, f.PRIVATE_SUBNET, f.PORT_S1)
    assert path_to(t, "member", f.MEMBER2) == ("load_balancers", f.LB, f.LISTENER, f.POOL, f.MEMBER2)
    assert path_to(t, "health_monitor", f.MONITOR) == ("load_balancers", f.LB, f.LISTENER, f.POOL, f.MONITOR)
    assert path_to(t, "subnet", f.PRIVATE_SUBNET) == ("networks", f.PRIVATE, f.PRIVATE_SUBNET)
    assert path_to(t, "security_group", "sg-idle") == ("unused", "security_group:sg-idle")
    assert path_to(t, "server", "gone") is None


def test_the_switchers_words() -> None:
    """`switch` opens the switcher; `cloud`, `project`, `region` open it at their section, or with a name go
    straight there (resolved against what the switcher lists: `cloud.switching.find`)."""
    from netdash.cloud.switching import Choices, Place, find
    from netdash.tui.command_line import Switch

    empty = Topology()
    assert parse("switch", empty) == Switch()
    assert parse("project", empty) == Switch("projects")
    assert parse(" project   invisible_to_admin ", empty) == Switch("projects", "invisible_to_admin")
    assert parse("cloud prod east", empty) == Switch("clouds", "prod east")
    assert parse("region RegionTwo", empty) == Switch("regions", "RegionTwo")
    assert any(s.text == "project" for s in suggestions("proj", empty))

    choices = Choices(("netdash-demo", "envvars"), (("p1", "demo"), ("p2", "invisible_to_admin")), ("RegionOne",))
    here = Place("netdash-demo", None, "RegionOne", "demo")
    assert find(choices, here, "projects", "INVISIBLE_to_admin") == Place("netdash-demo", "p2", "RegionOne",
                                                                          "invisible_to_admin")
    assert find(choices, here, "projects", "p1") == Place("netdash-demo", "p1", "RegionOne", "demo")
    assert find(choices, here, "clouds", "the OS_* environment") == Place("envvars")
    assert find(choices, here, "regions", "regionone") == Place("netdash-demo", None, "RegionOne", "demo")
    assert find(choices, here, "regions", "Mars") == "no region named 'Mars': regions here: RegionOne"
