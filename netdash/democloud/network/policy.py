"""Who may see and change what: Neutron's default policy over the store (project isolation, shared and
external networks, admin-only attributes), and the identities Neutron acts as itself."""

from __future__ import annotations

from typing import Any

from ..core import Context
from .errors import bad_request, forbidden, neutron_error, not_found
from .store import Record, Store

#: the host name router ports are bound to, as an L3 agent would bind them
NETWORK_HOST = "democloud-network"
#: the host Nova binds its servers' ports to (tests keep it equal to compute/plumbing.py's HOST)
COMPUTE_HOST = "democloud"
#: the agents an ML2/OVS cloud of these two hosts runs (api/agents.py shows them): (agent type, binary,
#: topic, host, availability zone)
AGENTS = (
    ("L3 agent", "neutron-l3-agent", "l3_agent", NETWORK_HOST, "nova"),
    ("DHCP agent", "neutron-dhcp-agent", "dhcp_agent", NETWORK_HOST, "nova"),
    ("Metadata agent", "neutron-metadata-agent", "N/A", NETWORK_HOST, None),
    ("Open vSwitch agent", "neutron-openvswitch-agent", "N/A", NETWORK_HOST, None),
    ("Open vSwitch agent", "neutron-openvswitch-agent", "N/A", COMPUTE_HOST, None),
)
#: (zone, resource) of the agents that have a zone: networks are hosted by DHCP agents, routers by L3 ones
ZONES = tuple(dict.fromkeys((zone, "network" if kind == "DHCP agent" else "router")
                            for kind, _, _, _, zone in AGENTS if zone))
#: Neutron acting on its own behalf (router and floating IP ports belong to no project)
SYSTEM = Context("", "neutron", ("admin", "service"), "service")
#: ports Neutron deletes itself with their network or subnet instead of refusing with NetworkInUse
AUTO_DELETE_OWNERS = ("network:dhcp", "network:distributed")


def check_zones(resource: str, hints: list[str]) -> None:
    """`validate_availability_zones`: a hint names a zone whose agents host that resource (api/agents.py)."""
    known = {zone for zone, kind in ZONES if kind == resource}
    for hint in hints:
        if hint not in known:
            raise neutron_error(404, "AvailabilityZoneNotFound", f"AvailabilityZone {hint} could not be found.")


def owner(ctx: Context, attrs: dict[str, Any], action: str) -> str:
    """The project a new resource belongs to: the caller's, or another one only for an admin."""
    project = attrs.pop("project_id", None)
    tenant = attrs.pop("tenant_id", None)
    if project and tenant and project != tenant:
        raise bad_request("'project_id' and 'tenant_id' do not match")
    wanted = project or tenant or ctx.project_id
    if wanted != ctx.project_id and not ctx.is_admin:
        raise forbidden(action)
    return str(wanted)


# --- RBAC: what other projects a network, subnet pool or security group is shared with ---------------
SHARED = "access_as_shared"
EXTERNAL = "access_as_external"


def net_visible(store: Store, ctx: Context, net: Record) -> bool:
    return bool(ctx.can_see(net["project_id"]) or net["shared"] or net["router:external"]
                or store.granted(net["id"], ctx.project_id) or store.granted(net["id"], ctx.project_id, EXTERNAL))


def usable_network(store: Store, ctx: Context, net: Record) -> bool:
    """Where the caller may put its own ports: its network, or one shared with it."""
    return bool(ctx.can_see(net["project_id"]) or store.shared_for(ctx, net))


def port_visible(store: Store, ctx: Context, port: Record) -> bool:
    """Its project, or the owner of its network (Neutron's `admin_owner_or_network_owner`)."""
    return ctx.can_see(port["project_id"]) or ctx.can_see(store.networks[port["network_id"]]["project_id"])


def subnet_visible(store: Store, ctx: Context, subnet: Record) -> bool:
    return ctx.can_see(subnet["project_id"]) or net_visible(store, ctx, store.networks[subnet["network_id"]])


def sg_visible(store: Store, ctx: Context, sg: Record) -> bool:
    return bool(ctx.can_see(sg["project_id"]) or store.shared_for(ctx, sg))


def visible_network(store: Store, ctx: Context, net_id: str) -> Record:
    net = store.networks.get(net_id)
    if net is None or not net_visible(store, ctx, net):
        raise not_found("network", net_id)
    return net


def visible_subnet(store: Store, ctx: Context, subnet_id: str) -> Record:
    subnet = store.subnets.get(subnet_id)
    if subnet is None or not subnet_visible(store, ctx, subnet):
        raise not_found("subnet", subnet_id)
    return subnet


def visible_port(store: Store, ctx: Context, port_id: str) -> Record:
    port = store.ports.get(port_id)
    if port is None or not port_visible(store, ctx, port):
        raise not_found("port", port_id)
    return port


def visible_sg(store: Store, ctx: Context, sg_id: str) -> Record:
    sg = store.sgs.get(sg_id)
    if sg is None or not sg_visible(store, ctx, sg):
        raise not_found("security_group", sg_id)
    return sg


def owned(ctx: Context, table: dict[str, Record], resource: str, ident: str) -> Record:
    record = table.get(ident)
    if record is None or not ctx.can_see(record["project_id"]):
        raise not_found(resource, ident)
    return record


def writable(ctx: Context, record: Record, action: str) -> None:
    """Visible but not yours (a shared network): Neutron's policy refuses the change with a 403."""
    if not ctx.can_see(record["project_id"]):
        raise forbidden(action)
