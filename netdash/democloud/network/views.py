"""What the API shows of each record: the fields in the order real Neutron writes them, and the views
computed from the store (a network's subnets, a port's status, a floating IP's port details...)."""

from __future__ import annotations

from typing import Any

from ..core import Context
from .store import Record, Store

#: what the standard attribute extensions add at the end of most resources, in that order
STANDARD_TAIL = ("description", "tags", "created_at", "updated_at", "revision_number", "tenant_id")
#: the order real Neutron writes each resource's fields in
NETWORK_FIELDS = (
    "id",
    "name",
    "tenant_id",
    "project_id",
    "admin_state_up",
    "mtu",
    "status",
    "subnets",
    "shared",
    "availability_zone_hints",
    "availability_zones",
    "ipv4_address_scope",
    "ipv6_address_scope",
    "router:external",
    "qinq",
    "vlan_transparent",
    "description",
    "port_security_enabled",
    "is_default",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
    "provider:network_type",
    "provider:physical_network",
    "provider:segmentation_id",
)
PROVIDER_FIELDS = ("provider:network_type", "provider:physical_network", "provider:segmentation_id")
SUBNET_FIELDS = (
    "id",
    "name",
    "project_id",
    "network_id",
    "ip_version",
    "subnetpool_id",
    "enable_dhcp",
    "ipv6_ra_mode",
    "ipv6_address_mode",
    "gateway_ip",
    "cidr",
    "allocation_pools",
    "host_routes",
    "dns_nameservers",
    "description",
    "router:external",
    "service_types",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
    "tenant_id",
)
PORT_FIELDS = (
    "id",
    "name",
    "network_id",
    "project_id",
    "mac_address",
    "admin_state_up",
    "status",
    "device_id",
    "device_owner",
    "fixed_ips",
    "allowed_address_pairs",
    "extra_dhcp_opts",
    "security_groups",
    "description",
    "binding:vnic_type",
    "binding:profile",
    "binding:host_id",
    "binding:vif_type",
    "binding:vif_details",
    "port_security_enabled",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
    "tenant_id",
)
FIP_FIELDS = (
    "id",
    "tenant_id",
    "project_id",
    "floating_ip_address",
    "floating_network_id",
    "router_id",
    "port_id",
    "fixed_ip_address",
    "status",
    "description",
    "port_details",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
)
ROUTER_FIELDS = (
    "id",
    "name",
    "project_id",
    "admin_state_up",
    "status",
    "external_gateway_info",
    "description",
    "availability_zones",
    "distributed",
    "ha",
    "availability_zone_hints",
    "routes",
    "flavor_id",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
    "tenant_id",
)
SG_FIELDS = (
    "id",
    "name",
    "stateful",
    "tenant_id",
    "project_id",
    "description",
    "shared",
    "security_group_rules",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
)
#: a rule inside its group's answer: the database's dict as it is (the group's `security_group_rules` is one
#: attribute, which the API layer does not filter)
NESTED_RULE_FIELDS = (
    "id",
    "project_id",
    "security_group_id",
    "ethertype",
    "direction",
    "protocol",
    "port_range_min",
    "port_range_max",
    "remote_ip_prefix",
    "remote_address_group_id",
    "normalized_cidr",
    "remote_group_id",
    "standard_attr_id",
    "belongs_to_default_sg",
    *STANDARD_TAIL,
)
#: a rule answered by `/v2.0/security-group-rules` (create, bulk create, show, list): the API layer keeps only
#: the attributes of the rule resource, and rules are not taggable, so `standard_attr_id` and `tags` go
RULE_FIELDS = tuple(k for k in NESTED_RULE_FIELDS if k not in ("standard_attr_id", "tags"))
BOUND_DETAILS = {
    "port_filter": True,
    "connectivity": "l2",
    "bridge_name": "br-int",
    "datapath_type": "system",
}


def network_view(store: Store, net: Record, ctx: Context | None = None, *, created: bool = False) -> dict[str, Any]:
    """Provider attributes shown to every reader of a network, as the seed documents show them (recent
    policies hide them from non-admins), but not in the answer to a non-admin's create, which Neutron 29's
    policy (`get_network:provider:*`, admin only) strips as realstack does: a client that creates a network
    meets today's answer (seed document 001's `network create` table shows them, from an older Neutron's
    policy; the tables of show and list stay as it has them). `is_default` only on external networks,
    except in the answer to the create (real Neutron 29). `shared` as the caller sees it: true where an RBAC
    policy shares it with the caller's project."""
    view = {
        "tenant_id": net["project_id"],
        "status": "ACTIVE",
        "subnets": list(store.subnets_of_net.get(net["id"], ())),
        **net,
        "shared": store.shared_for(ctx, net),
    }
    if not net["router:external"] and not created:
        del view["is_default"]
    hidden = PROVIDER_FIELDS if created and ctx is not None and not ctx.is_admin else ()
    return {k: view[k] for k in NETWORK_FIELDS if k in view and k not in hidden}


def subnet_view(store: Store, subnet: Record) -> dict[str, Any]:
    view = {
        "router:external": store.networks[subnet["network_id"]]["router:external"],
        "tenant_id": subnet["project_id"],
        **subnet,
    }
    return {k: view[k] for k in SUBNET_FIELDS}


def port_view(p: Record, admin: bool = True) -> dict[str, Any]:
    bound = bool(p["binding:host_id"])
    if p["device_owner"] == "network:floatingip":
        status = "N/A"
    else:
        status = "ACTIVE" if bound and p["admin_state_up"] else "DOWN"
    view = {
        "id": p["id"],
        "name": p["name"],
        "network_id": p["network_id"],
        "project_id": p["project_id"],
        "mac_address": p["mac_address"],
        "admin_state_up": p["admin_state_up"],
        "status": status,
        "device_id": p["device_id"],
        "device_owner": p["device_owner"],
        "fixed_ips": p["fixed_ips"],
        "allowed_address_pairs": p["allowed_address_pairs"],
        "extra_dhcp_opts": p["extra_dhcp_opts"],
        "security_groups": p["security_groups"],
        "description": p["description"],
        "binding:vnic_type": p["binding:vnic_type"],
    }
    if admin:
        view.update(
            {
                "binding:profile": p["binding:profile"],
                "binding:host_id": p["binding:host_id"],
                "binding:vif_type": "ovs" if bound else "unbound",
                "binding:vif_details": BOUND_DETAILS if bound else {},
            }
        )
    view.update(
        {
            "port_security_enabled": p["port_security_enabled"],
            "tags": p["tags"],
            "created_at": p["created_at"],
            "updated_at": p["updated_at"],
            "revision_number": p["revision_number"],
            "tenant_id": p["project_id"],
        }
    )
    return view


def fip_view(store: Store, fip: Record) -> dict[str, Any]:
    port = store.ports.get(fip["port_id"] or "")
    details = None
    if port is not None:
        view = port_view(port)
        details = {
            k: view[k]
            for k in (
                "name",
                "network_id",
                "mac_address",
                "admin_state_up",
                "status",
                "device_id",
                "device_owner",
            )
        }
    full = {
        "tenant_id": fip["project_id"],
        "status": "ACTIVE" if port else "DOWN",
        "port_details": details,
        **fip,
    }
    return {k: full[k] for k in FIP_FIELDS}


def router_ports(store: Store, router_id: str, owner: str) -> list[Record]:
    ports = store.in_creation_order(store.ports_of_dev.get(router_id), store.ports)
    return [p for p in ports if p["device_owner"] == owner]


#: what only an admin is shown of a router (neutron's `get_router:distributed`, `get_router:ha`)
ROUTER_ADMIN_FIELDS = ("distributed", "ha")


def router_view(store: Store, router: Record, admin: bool = True) -> dict[str, Any]:
    info = router["external_gateway_info"]
    if info is not None:
        gateway = router_ports(store, router["id"], "network:router_gateway")
        info = {
            "network_id": info["network_id"],
            "external_fixed_ips": gateway[0]["fixed_ips"] if gateway else [],
            "enable_snat": info["enable_snat"],
        }
    view = {
        "status": "ACTIVE",
        "tenant_id": router["project_id"],
        **router,
        "external_gateway_info": info,
    }
    return {k: view[k] for k in ROUTER_FIELDS if admin or k not in ROUTER_ADMIN_FIELDS}


#: the router as `add_extraroutes`/`remove_extraroutes` answer it: the plugin's `_make_router_dict` with its
#: extensions, in their order, which no policy filters (a member action's answer)
ROUTER_ACTION_FIELDS = (
    "id",
    "name",
    "project_id",
    "admin_state_up",
    "status",
    "enable_snat",
    "external_gateway_info",
    "gw_port_id",
    "description",
    "availability_zones",
    "distributed",
    "ha",
    "ha_vr_id",
    "availability_zone_hints",
    "enable_default_route_ecmp",
    "enable_default_route_bfd",
    "routes",
    "flavor_id",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
    "tenant_id",
)


def router_action_view(store: Store, router: Record) -> dict[str, Any]:
    """The whole router, admin-only fields too, whoever asks: `enable_snat` is the router's column (its
    gateway's, or `enable_snat_by_default`, true, when it has none), `gw_port_id` its gateway port, the
    default-route ECMP and BFD flags their defaults (false: only OVN's L3 plugin lets them be set), and
    `ha_vr_id` 0 unless the router is HA. An HA router's VRID is the one Neutron's L3 scheduler allocates on
    the project's HA network (a free one in 1..254, picked at random): here the first ones, in the order
    the project's HA routers were created."""
    view = router_view(store, router)
    gateway = router_ports(store, router["id"], "network:router_gateway")
    info = view["external_gateway_info"]
    vr_id = 0
    if router["ha"]:
        ha_routers = [r["id"] for r in store.routers.values() if r["ha"] and r["project_id"] == router["project_id"]]
        vr_id = 1 + sorted(ha_routers, key=store.order.__getitem__).index(router["id"])
    view.update({
        "enable_snat": info["enable_snat"] if info else True,
        "gw_port_id": gateway[0]["id"] if gateway else None,
        "ha_vr_id": vr_id,
        "enable_default_route_ecmp": False,
        "enable_default_route_bfd": False,
    })
    return {k: view[k] for k in ROUTER_ACTION_FIELDS}


def sg_view(store: Store, sg: Record, ctx: Context | None = None) -> dict[str, Any]:
    rules = [rule_view(store.sg_rules[r], nested=True) for r in store.rules_of_sg.get(sg["id"], ())]
    view = {"tenant_id": sg["project_id"], "security_group_rules": rules, **sg, "shared": store.shared_for(ctx, sg)}
    return {k: view[k] for k in SG_FIELDS}


def rule_view(rule: Record, *, nested: bool = False) -> dict[str, Any]:
    view = {"tenant_id": rule["project_id"], **rule}
    return {k: view[k] for k in (NESTED_RULE_FIELDS if nested else RULE_FIELDS)}


SUBNETPOOL_FIELDS = (
    "id",
    "name",
    "project_id",
    "default_prefixlen",
    "min_prefixlen",
    "max_prefixlen",
    "is_default",
    "shared",
    "prefixes",
    "ip_version",
    "default_quota",
    "address_scope_id",
    *STANDARD_TAIL,
)
#: the order `update_subnetpool` writes its answer in: the pool object's own fields, its standard attributes,
#: then the prefixes and tags the extensions add
SUBNETPOOL_UPDATE_FIELDS = (
    "id",
    "project_id",
    "name",
    "ip_version",
    "default_prefixlen",
    "min_prefixlen",
    "max_prefixlen",
    "shared",
    "is_default",
    "default_quota",
    "address_scope_id",
    "revision_number",
    "description",
    "created_at",
    "updated_at",
    "tenant_id",
    "prefixes",
    "tags",
)
RBAC_FIELDS = ("id", "project_id", "action", "object_id", "target_tenant", "object_type", "tenant_id")


def subnetpool_view(store: Store, pool: Record, ctx: Context | None = None) -> dict[str, Any]:
    """The prefix lengths as strings, as `_make_subnetpool_dict` writes them."""
    view = {**pool, "tenant_id": pool["project_id"], "shared": store.shared_for(ctx, pool)}
    for key in ("default_prefixlen", "min_prefixlen", "max_prefixlen"):
        view[key] = str(pool[key])
    return {k: view[k] for k in SUBNETPOOL_FIELDS}


def subnetpool_update_view(store: Store, pool: Record, ctx: Context | None = None) -> dict[str, Any]:
    """Neutron 29's `update_subnetpool` answers the pool object's `to_dict()`, not `_make_subnetpool_dict`:
    a field that is None is not set, so `default_quota` and `address_scope_id` are absent when they have
    no value, and the prefix lengths stay integers (it means to make them strings but writes
    `updated['key']`)."""
    view = {**pool, "tenant_id": pool["project_id"], "shared": store.shared_for(ctx, pool)}
    return {k: view[k] for k in SUBNETPOOL_UPDATE_FIELDS
            if not (k in ("default_quota", "address_scope_id") and view[k] is None)}


def rbac_view(entry: Record) -> dict[str, Any]:
    """`target_project` is shown as `target_tenant` only (the API's attribute map names no other)."""
    view = {**entry, "target_tenant": entry["target_project"], "tenant_id": entry["project_id"]}
    return {k: view[k] for k in RBAC_FIELDS}
