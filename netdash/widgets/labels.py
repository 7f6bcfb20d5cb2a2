"""How each object reads in the topology tree: one Rich line per node, its status coloured.

Plain functions of a snapshot (`widgets.nodes` decides which nodes exist; these only say how each one
reads). Names come from `cloud.naming` and status colours from `cloud.status_styles`, so the tree, the
details pane, the event log and the CLI's tree call a thing and colour a status the same way.
"""

from __future__ import annotations

from rich.text import Text

from netdash.cloud.model import (
    FloatingIP,
    HealthMonitor,
    Listener,
    LoadBalancer,
    Member,
    Network,
    Pool,
    Port,
    Resource,
    Router,
    Server,
    Subnet,
    Topology,
)
from netdash.cloud.naming import display_name, kind_name, name_of, owner_name, resource_name
from netdash.cloud.status_styles import status_style
from netdash.cloud.text import is_visible, visible


def status_text(status: str | None) -> Text:
    return Text(status or "?", style=status_style(status))


def line(*parts: str | Text | None) -> Text:
    """Join the non-empty parts of a label with two spaces. Every label passes here: a part holding a control
    or bidi character (from whichever field of the cloud's) is shown as text, in the part's own style."""
    out = Text()
    for part in parts:
        if part:
            if out:
                out.append("  ")
            out.append(shown(part if isinstance(part, Text) else Text(part)))
    return out


def shown(part: Text) -> Text:
    """`part`, or when it holds what a terminal would act on, its `visible` form (Text is never markup)."""
    return part if is_visible(part.plain) else Text(visible(part.plain), style=part.style)


def dim(text: str) -> Text:
    return Text(text, style="bright_black")


def fips_text(topology: Topology, port_id: str) -> Text | None:
    fips = topology.floating_ips_of_port(port_id)
    if not fips:
        return None
    return Text("⇄ " + ", ".join(f.floating_ip_address for f in fips), style="magenta")


def network_label(net: Network) -> Text:
    return line(Text(display_name(net), style="bold"), status_text(net.status),
                dim("external") if net.external else None, dim("shared") if net.shared else None)


def subnet_label(subnet: Subnet) -> Text:
    gateway = f"gw {subnet.gateway_ip}" if subnet.gateway_ip else "no gateway"
    return line(Text(display_name(subnet), style="bold"), subnet.cidr, dim(gateway))


def port_label(topology: Topology, port: Port, via: str = "") -> Text:
    owner = owner_name(topology, port.id)
    owner_text = None
    if via != "server" and owner is not None:
        owner_text = dim(f"→ {owner}")
    elif via != "server" and port.device_owner:
        owner_text = dim(port.device_owner)
    return line(Text(display_name(port), style="bold"), ", ".join(port.addresses) or dim("no address"),
                fips_text(topology, port.id), owner_text, status_text(port.status))


def router_label(topology: Topology, router: Router) -> Text:
    gateway = None
    if router.external_network_id:
        name = name_of(topology, router.external_network_id)
        gateway = dim(f"gw {name} " + ", ".join(ip.ip_address for ip in router.external_fixed_ips))
    return line(Text(display_name(router), style="bold"), status_text(router.status), gateway)


def server_label(server: Server) -> Text:
    fixed = [a.address for a in server.addresses if a.kind != "floating"]
    floating = [a.address for a in server.addresses if a.kind == "floating"]
    return line(Text(display_name(server), style="bold"), status_text(server.status),
                ", ".join(fixed), Text("⇄ " + ", ".join(floating), style="magenta") if floating else None)


def fip_label(topology: Topology, fip: FloatingIP) -> Text:
    target = None
    if fip.port_id:
        target = dim(f"→ {fip.fixed_ip_address or '?'} {owner_name(topology, fip.port_id) or ''}".rstrip())
    else:
        target = dim("unassociated")
    return line(Text(fip.floating_ip_address, style="bold magenta"), target, status_text(fip.status),
                dim(f"serves {fip.endpoint}") if fip.endpoint else None)


def lb_label(topology: Topology, lb: LoadBalancer) -> Text:
    fips = fips_text(topology, lb.vip_port_id) if lb.vip_port_id else None
    return line(Text(display_name(lb), style="bold"), lb.vip_address, fips,
                status_text(lb.provisioning_status), status_text(lb.operating_status))


def listener_label(listener: Listener) -> Text:
    return line(Text(display_name(listener), style="bold"),
                f"{listener.protocol or '?'}:{listener.protocol_port or '?'}",
                status_text(listener.operating_status),
                dim(f"serves {listener.endpoint}") if listener.endpoint else None)


def pool_label(pool: Pool) -> Text:
    return line(Text(display_name(pool), style="bold"), Text(pool.lb_algorithm or "?", style="cyan"),
                pool.protocol, status_text(pool.operating_status))


def member_label(topology: Topology, member: Member) -> Text:
    server = topology.server_of_address(member.address, member.subnet_id)
    return line(Text(member.label, style="bold"), dim(display_name(server)) if server else None,
                status_text(member.operating_status),
                dim("admin down") if not member.admin_state_up else None,
                dim(f"weight {member.weight}") if member.weight is not None else None)


def monitor_label(hm: HealthMonitor) -> Text:
    probe = f"{hm.http_method or ''} {hm.url_path or ''}".strip() if hm.type in ("HTTP", "HTTPS") else ""
    timing = f"delay {hm.delay} timeout {hm.timeout} retries {hm.max_retries}"
    return line(Text(f"monitor {hm.type or '?'}", style="bold"), probe, status_text(hm.operating_status),
                dim(timing))


def unused_label(topology: Topology, kind: str, obj: Resource, reason: str) -> Text:
    """A line of the Unused section: what it is, which one, and why it is there (`cloud.unused`)."""
    if isinstance(obj, FloatingIP):
        which = Text(obj.floating_ip_address, style="bold magenta")
    else:
        which = Text(resource_name(topology, obj), style="bold")
    address = ", ".join(obj.addresses) if isinstance(obj, Port) else getattr(obj, "vip_address", None)
    return line(dim(kind_name(kind)), which, address, Text(reason, style="yellow"))


# --- children ----------------------------------------------------------------------------------------
