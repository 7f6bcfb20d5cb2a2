"""Issue 17 on the embedded cloud: network quotas near their limit warned about in the header and listed in
full under the Networks section, and a port's (and a server's) security groups with their rules."""

from __future__ import annotations

import io

from rich.console import Console

from netdash.democloud import DemoCloud
from netdash.widgets.details import DetailsPane
from netdash.widgets.event_log import EventLog
from netdash.widgets.status import StatusHeader
from netdash.widgets.topology_tree import TopologyTree
from tests.dashboard_support import dashboard, until
from tests.democloud.neutron_api import Neutron
from tests.test_dashboard_live import child, open_node


def shown(app) -> str:
    """The details pane's whole text (the pane scrolls: a screenshot holds only its top)."""
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(app.query_one(DetailsPane).content)
    return console.export_text()


async def test_a_quota_near_its_limit_is_warned_about_and_the_networks_title_lists_them_all(
        seeded_cloud: DemoCloud) -> None:
    demo = seeded_cloud.cloud.identity.context_for("demo").project_id
    admin = Neutron(seeded_cloud, "admin")
    admin.ok("PUT", f"/quotas/{demo}", {"quota": {"floatingip": 2}})  # the seed holds two: 2/2
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        header = app.query_one(StatusHeader)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        assert "quota floating IPs 2/2" in header.render().plain  # type: ignore[union-attr]
        assert "ports" not in header.render().plain  # type: ignore[union-attr]  # 9 of 500: no warning

        tree = app.query_one(TopologyTree)
        tree.move_cursor(tree.section("networks"))
        await until(pilot, lambda: "Network quotas" in shown(app), what="the quota table")
        screen = shown(app)
        for row in ("floating IPs", "ports", "security group rules"):
            assert row in screen, row

        admin.ok("PUT", f"/quotas/{demo}", {"quota": {"floatingip": 10}})  # 2/10: no longer near
        await until(pilot, lambda: "quota" not in header.render().plain,  # type: ignore[union-attr]
                    what="the warning gone")
        assert any("quota floating IPs 2/10: below 80% again" in text
                   for _, text, _ in app.query_one(EventLog).entries)


async def test_a_ports_and_a_servers_details_list_their_security_groups_with_rules(
        seeded_cloud: DemoCloud) -> None:
    app = dashboard(seeded_cloud)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(TopologyTree)
        await until(pilot, lambda: app.refreshes >= 1, what="first refresh")
        public = await open_node(pilot, child(tree.section("networks"), "public"))
        subnet = await open_node(pilot, public.children[0])
        tree.move_cursor(child(subnet, "server-1-port"))
        await until(pilot, lambda: "ingress tcp 80 from 0.0.0.0/0" in shown(app), what="the port's rules")
        screen = shown(app)
        assert "default" in screen and "egress any to 0.0.0.0/0" in screen and "ingress any from group default" \
            in screen

        tree.move_cursor(child(tree.section("servers"), "server1"))
        await until(pilot, lambda: app.query_one(DetailsPane).kind == "server", what="the server's details")
        await until(pilot, lambda: "ingress tcp 80 from 0.0.0.0/0" in shown(app), what="the server's rules")
