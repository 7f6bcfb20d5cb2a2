"""The action catalog: every action's contract is whole, and each front end is generated from it — keys,
palette, `?`, command line, read-only refusal — with the key's rule the plan's first refusal."""

from __future__ import annotations

import pytest

from netdash.__main__ import main
from netdash.actions.catalog import CATALOG, constructor_names, create, from_selection
from netdash.cli.main import top_parser
from netdash.cloud.client import CloudClient
from netdash.democloud import DemoCloud
from netdash.tui.action_flow import ACTION_BINDINGS
from netdash.tui.app import NetdashApp
from netdash.widgets.nodes import COLLECTIONS


def argv_of(action) -> list[str]:
    """A syntactically complete command line for the action (values that name nothing)."""
    return [*action.command, *(f"x{n}" for n, p in enumerate(action.params) if not p.option and not p.flag)]


def test_every_contract_is_complete_and_unique() -> None:
    assert len({a.id for a in CATALOG}) == len(CATALOG)
    # a key is one action's wherever it applies: the clean-ups share `D`, each on a kind of its own
    assert len({(a.key, kind) for a in CATALOG for kind in a.kinds}) == sum(len(a.kinds) for a in CATALOG)
    assert len({a.command for a in CATALOG}) == len(CATALOG)
    own_keys = {b.key for b in NetdashApp.BINDINGS if b not in ACTION_BINDINGS}
    for action in CATALOG:
        assert action.id and action.name and action.key and action.label and action.tooltip and action.help
        assert action.kinds and all(k in COLLECTIONS or k.startswith("section:") for k in action.kinds)
        assert action.key not in own_keys, f"{action.id}'s key {action.key} is the dashboard's own"
        assert constructor_names(action) == [p.name for p in action.params], action.id


def test_every_action_is_a_key_and_a_subcommand() -> None:
    assert [b.id for b in ACTION_BINDINGS] == [f"actions.{a.id}" for a in CATALOG]
    assert all(b in NetdashApp.BINDINGS for b in ACTION_BINDINGS)
    parser = top_parser()
    for action in CATALOG:
        options = parser.parse_args(argv_of(action))
        assert options.action_id == action.id


@pytest.mark.parametrize("action", CATALOG, ids=lambda a: a.id)
def test_read_only_refuses_every_action(action, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--read-only", *argv_of(action), "--yes"]) == 2
    assert capsys.readouterr().err.strip() == "netdash: error: --read-only: actions that change the cloud are disabled"


def test_the_rule_that_hides_a_key_is_the_plans_first_refusal(seeded_cloud: DemoCloud) -> None:
    client = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    try:
        topology = client.fetch_topology_sync()
        checked = 0
        for action in CATALOG:
            for kind in action.kinds:
                if kind.startswith("section:"):
                    continue
                for obj in getattr(topology, COLLECTIONS[kind]).values():
                    reason = action.applies_to(kind, obj, topology)
                    if reason is None:
                        continue
                    args = {p.name: p.default if p.option or p.flag else "?" for p in action.params}
                    args.update({k: v for k, v in from_selection(action, kind, obj).items() if v is not None})
                    plan = create(action, args).plan(topology, client)
                    assert plan.refusal == reason, (action.id, obj.id)
                    checked += 1
        assert checked >= 3  # the seed has servers that cannot start (ACTIVE) and ports no one can drain...
    finally:
        client.close()
