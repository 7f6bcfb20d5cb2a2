"""`netdash topology --format tree`: the dashboard's five roots, and the security groups and network quotas
its details show, as one rich Tree, printed once.

Same reading of the model as the dashboard's tree (network -> subnets -> ports -> owner; routers with
gateway and interfaces; servers with ports and floating IPs; floating IPs -> port -> owner; load
balancers -> listeners -> pools -> members -> health monitor), but static: scripts and a quick look in a
terminal without starting the TUI. Names come from `cloud.naming` and status colours from
`cloud.status_styles`, as in the dashboard; what else the cloud says (statuses, algorithms, endpoints from
tags) is markup-escaped where it is put in, and `visible_tree` makes every label text before printing.
"""

from __future__ import annotations

from rich.markup import escape
from rich.tree import Tree

from netdash.cloud.model import FloatingIP, LoadBalancer, Pool, Port, Topology
from netdash.cloud.naming import display_name, name_of, owner_name, quota_usage, rule_text, short_id
from netdash.cloud.status_styles import status_style
from netdash.cloud.text import visible


def status(value: str | None) -> str:
    if not value:
        return ""
    return f" [{status_style(value)}]{escape(value)}[/]"


def fip_text(topo: Topology, port: Port) -> str:
    fips = topo.floating_ips_of_port(port.id)
    return f" [magenta]FIP {', '.join(f.floating_ip_address for f in fips)}[/]" if fips else ""


def port_line(topo: Topology, port: Port) -> str:
    owner = owner_name(topo, port.id)
    owned = f" -> {escape(owner)}" if owner is not None else ""
    addresses = ", ".join(port.addresses) or "no address"
    return f"port {escape(display_name(port))} {addresses}{owned}{fip_text(topo, port)}"


def visible_tree(tree: Tree) -> Tree:
    """The last line of defence before the terminal: every label's control and bidi characters spelled out
    (`cloud.text.visible`), whichever field of the cloud's they came from. Markup is printable, so the
    markup strings are made visible whole."""
    if isinstance(tree.label, str):
        tree.label = visible(tree.label)
    for child in tree.children:
        visible_tree(child)
    return tree


def build_tree(topo: Topology, title: str) -> Tree:
    root = Tree(escape(title))
    networks = root.add("[b]Networks[/]")
    for net in topo.networks.values():
        node = networks.add(f"{escape(display_name(net))}{' (external)' if net.external else ''}"
                            f"{status(net.status)}")
        for subnet in topo.subnets_of_network(net.id):
            node.add(f"subnet {escape(display_name(subnet))} {subnet.cidr}")
        for port in topo.ports_of_network(net.id):
            node.add(port_line(topo, port))
    routers = root.add("[b]Routers[/]")
    for router in topo.routers.values():
        node = routers.add(f"{escape(display_name(router))}{status(router.status)}")
        if router.external_network_id:
            ips = ", ".join(ip.ip_address for ip in router.external_fixed_ips)
            node.add(f"gateway {escape(name_of(topo, router.external_network_id))} {ips}")
        for port in topo.router_interfaces(router.id):
            subnets = ", ".join(name_of(topo, ip.subnet_id) for ip in port.fixed_ips)
            node.add(f"interface {escape(subnets)} {', '.join(port.addresses)}")
    if "compute" in topo.services:
        servers = root.add("[b]Servers[/]")
        for server in topo.servers.values():
            node = servers.add(f"{escape(display_name(server))}{status(server.status)}")
            for port in topo.ports_of_device(server.id):
                node.add(port_line(topo, port))
    else:
        root.add("[dim]Servers: unavailable, no compute service in this cloud[/]")
    fips = root.add("[b]Floating IPs[/]")
    for fip in topo.floating_ips.values():
        fip_node(topo, fips, fip)
    if "load-balancer" in topo.services:
        lbs = root.add("[b]Load balancers[/]")
        for lb in topo.load_balancers.values():
            lb_node(topo, lbs, lb)
    else:
        root.add("[dim]Load balancers: no load-balancer service in this cloud[/]")
    if topo.security_groups:
        groups = root.add("[b]Security groups[/]")
        for group in topo.security_groups.values():
            node = groups.add(f"{escape(display_name(group))} {short_id(group.id)}")
            for rule in group.rules:
                node.add(escape(rule_text(topo, rule)))
            if not group.rules:
                node.add("[dim]no rules: nothing allowed[/]")
    if topo.quotas:
        quotas = root.add("[b]Network quotas[/] [dim](used / limit)[/]")
        for quota in topo.quotas.values():
            near = " [bold yellow]near its limit[/]" if quota.near_limit else ""
            quotas.add(f"{escape(quota_usage(quota))}{near}")
    return root


def fip_node(topo: Topology, parent: Tree, fip: FloatingIP) -> None:
    endpoint = f" (serves {escape(fip.endpoint)})" if fip.endpoint else ""
    node = parent.add(f"{fip.floating_ip_address}{status(fip.status)}{endpoint}")
    port = topo.ports.get(fip.port_id or "")
    if port is not None:
        node.add(port_line(topo, port))
    elif not fip.port_id:
        node.add("[dim]not associated[/]")


def lb_node(topo: Topology, parent: Tree, lb: LoadBalancer) -> None:
    node = parent.add(f"{escape(display_name(lb))} {lb.vip_address or ''}{status(lb.operating_status)}")
    for listener in topo.listeners_of(lb.id):
        endpoint = f" (serves {escape(listener.endpoint)})" if listener.endpoint else ""
        li = node.add(f"listener {escape(display_name(listener))} {escape(listener.protocol or '')}:"
                      f"{listener.protocol_port or ''}{status(listener.operating_status)}{endpoint}")
        pool = topo.pools.get(listener.default_pool_id or "")
        if pool is not None:
            pool_node(topo, li, pool)
    for pool in topo.pools_of(lb.id):
        if not pool.listener_ids:
            pool_node(topo, node, pool)


def pool_node(topo: Topology, parent: Tree, pool: Pool) -> None:
    node = parent.add(f"pool {escape(display_name(pool))} {escape(pool.lb_algorithm or '')}"
                      f"{status(pool.operating_status)}")
    for member in topo.members_of_pool(pool.id):
        server = topo.server_of_address(member.address, member.subnet_id)
        behind = f" ({escape(display_name(server))})" if server is not None else ""
        node.add(f"member {member.label}{behind}{status(member.operating_status)}")
    monitor = topo.health_monitor_of(pool)
    if monitor is not None:
        node.add(f"health monitor {escape(monitor.type or '')} delay {monitor.delay} timeout {monitor.timeout} "
                 f"retries {monitor.max_retries}{status(monitor.operating_status)}")
