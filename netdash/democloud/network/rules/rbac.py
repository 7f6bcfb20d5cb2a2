"""RBAC policies: which other projects may use a network, a subnet pool or a security group.

As in Neutron 29 (neutron/db/rbac_db_mixin.py, neutron/objects/rbac_db.py, the network callbacks of
db_base_plugin_v2.py and external_net_db.py): `shared` is a policy `access_as_shared` to `*` (making an
object shared writes one, unsharing deletes it), a policy to one project lets that project see and use the
object, and `access_as_external` makes a network external to its targets. A policy others depend on (their
ports on the network, their routers' gateways, their subnets from the pool) cannot be taken away. The flags
on the records (`shared`, `router:external`) are kept in step with the wildcard policies, so that a record
answers for itself without a look at the policies.

Network, subnet pool and security group rules call `grant`, `unshare` and `forget`; the API calls `create`,
`update` and `delete`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core import Context, new_id
from ..errors import NeutronError, conflict, forbidden, invalid_input, neutron_error, not_found
from ..policy import EXTERNAL, SHARED, owner
from ..store import Record, Store

#: object type -> the actions a policy on it may grant (`get_valid_actions`)
ACTIONS = {"network": (SHARED, EXTERNAL), "security_group": (SHARED,), "subnetpool": (SHARED,)}
#: object type -> the resource its NotFound names
RESOURCE = {"network": "network", "security_group": "security_group", "subnetpool": "subnetpool"}


def rbac_not_found(ident: str, object_type: str = "unknown") -> NeutronError:
    return neutron_error(404, "RbacPolicyNotFound", f"RBAC policy of type {object_type} with ID {ident} not found")


def in_use(object_id: str, details: str) -> NeutronError:
    return conflict("RbacPolicyInUse", f"RBAC policy on object {object_id} cannot be removed because other "
                                       f"objects depend on it.\nDetails: {details}")


class Rbac:
    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock

    def table(self, object_type: str) -> dict[str, Record]:
        return {"network": self.store.networks, "security_group": self.store.sgs,
                "subnetpool": self.store.subnetpools}[object_type]

    # --- the API -----------------------------------------------------------------------------------
    def create(self, ctx: Context, attrs: dict[str, Any]) -> Record:
        object_type, target = attrs["object_type"], attrs["target_tenant"]
        if target == "*" and not ctx.is_admin:
            raise forbidden("create_rbac_policy:target_tenant")
        project = owner(ctx, attrs, "create_rbac_policy")
        record = self.shared_object(ctx, object_type, attrs["object_id"])
        action = attrs["action"]
        if action not in ACTIONS[object_type]:
            raise neutron_error(400, "InvalidActionForType", f"Invalid action '{action}' for object type "
                                f"'{object_type}'. Valid actions: {ACTIONS[object_type]}")
        if any(self.store.rbac[p]["action"] == action and self.store.rbac[p]["target_project"] == target
               for p in self.store.rbac_of.get(record["id"], ())):
            raise conflict("DuplicateRbacPolicy", "An RBAC policy already exists with those values.")
        return self.grant(object_type, record, action, target, project)

    def update(self, ctx: Context, entry: Record, target: str) -> None:
        if target == "*" and not ctx.is_admin:
            raise forbidden("update_rbac_policy:target_tenant")
        if target == entry["target_project"]:
            return
        self.shared_object(ctx, entry["object_type"], entry["object_id"])
        self.check_release(entry, new_target=target)
        entry["target_project"] = target
        self.reflag(entry)

    def delete(self, ctx: Context, entry: Record) -> None:
        self.check_release(entry)
        self.revoke(entry)

    # --- what the rules of the objects call ----------------------------------------------------------
    def grant(self, object_type: str, record: Record, action: str, target: str = "*",
              project: str | None = None, *, touch: bool = True) -> Record:
        """A new policy; `touch=False` when the object is being created (its first revision counts it)."""
        entry: Record = {"id": new_id(), "project_id": record["project_id"] if project is None else project,
                         "object_type": object_type, "object_id": record["id"], "action": action,
                         "target_project": target}
        self.store.rbac[entry["id"]] = entry
        self.store.index_add(self.store.rbac_of, record["id"], entry["id"])
        self.reflag(entry, touch=touch)
        return entry

    def revoke(self, entry: Record) -> None:
        store = self.store
        del store.rbac[entry["id"]]
        store.index_drop(store.rbac_of, entry["object_id"], entry["id"])
        self.reflag(entry)

    def wildcard(self, object_id: str, action: str) -> Record | None:
        return next((self.store.rbac[p] for p in self.store.rbac_of.get(object_id, ())
                     if self.store.rbac[p]["action"] == action and self.store.rbac[p]["target_project"] == "*"),
                    None)

    def forget(self, object_id: str) -> None:
        """An object deleted takes its policies with it."""
        for ident in list(self.store.rbac_of.pop(object_id, ())):
            del self.store.rbac[ident]

    def unshare(self, record: Record, network_name: str | None = None) -> None:
        """`shared` set to false: the wildcard policy goes, once no other project depends on it."""
        entry = self.wildcard(record["id"], SHARED)
        if entry is not None:
            self.check_release(entry, network_name=network_name)
            self.revoke(entry)

    # --- checks --------------------------------------------------------------------------------------
    def shared_object(self, ctx: Context, object_type: str, object_id: str) -> Record:
        """The object a policy names, as the caller may see it; only its owner (or an admin) shares it."""
        record = self.table(object_type).get(object_id)
        visible = record is not None and (
            ctx.can_see(record["project_id"]) or self.store.granted(object_id, ctx.project_id)
            or (object_type == "network" and self.store.granted(object_id, ctx.project_id, EXTERNAL)))
        if record is None or not visible:
            raise not_found(RESOURCE[object_type], object_id)
        if not ctx.is_admin and record["project_id"] != ctx.project_id:
            what = "networks" if object_type == "network" else "objects"
            raise invalid_input(f"Only admins can manipulate policies on {what} they do not own.")
        return record

    def reflag(self, entry: Record, *, touch: bool = True) -> None:
        """Keep `shared` and `router:external` in step with the policies (a wildcard `access_as_shared`; any
        `access_as_external`), and count the change in the object's revision (`revises_on_change`)."""
        record = self.table(entry["object_type"]).get(entry["object_id"])
        if record is None:
            return
        entries = [self.store.rbac[p] for p in self.store.rbac_of.get(record["id"], ())]
        record["shared"] = any(e["action"] == SHARED and e["target_project"] == "*" for e in entries)
        if entry["object_type"] == "network":
            record["router:external"] = any(e["action"] == EXTERNAL for e in entries)
        if touch:
            self.store.touch(record, self.clock())

    def dependants(self, entry: Record) -> set[str]:
        """The projects other than the owner that use the object (`get_bound_project_ids`)."""
        store, object_id = self.store, entry["object_id"]
        if entry["object_type"] == "network" and entry["action"] == EXTERNAL:
            gateways = (store.ports[p] for p in store.ports_of_net.get(object_id, ()))
            return {store.routers[p["device_id"]]["project_id"] for p in gateways
                    if p["device_owner"] == "network:router_gateway" and p["device_id"] in store.routers}
        if entry["object_type"] == "network":
            return {store.ports[p]["project_id"] for p in store.ports_of_net.get(object_id, ())} - {""}
        if entry["object_type"] == "security_group":
            return {p["project_id"] for p in store.ports.values() if object_id in p["security_groups"]}
        return {s["project_id"] for s in store.subnets.values() if s.get("subnetpool_id") == object_id}

    def check_release(self, entry: Record, new_target: str | None = None, network_name: str | None = None) -> None:
        """Refuse to take access away from a project that depends on it (`RbacPolicyInUse`)."""
        record = self.table(entry["object_type"]).get(entry["object_id"])
        if record is None:
            return
        target = entry["target_project"]
        others = [self.store.rbac[p] for p in self.store.rbac_of.get(record["id"], ())
                  if p != entry["id"] and self.store.rbac[p]["action"] == entry["action"]]
        if any(o["target_project"] == "*" for o in others) or target == record["project_id"]:
            return
        allowed = {o["target_project"] for o in others} | {record["project_id"]}
        if new_target is not None:
            allowed.add(new_target)
        bound = self.dependants(entry)
        losing = bound - allowed if target == "*" else bound & {target} - allowed
        if not losing:
            return
        if entry["action"] == EXTERNAL:
            raise in_use(entry["object_id"], "There are routers attached to this network that depend on this "
                                             "policy for access.")
        if entry["object_type"] == "network":
            message = (f"Unable to reconfigure sharing settings for network {network_name or entry['object_id']}. "
                       "Multiple projects are using it.")
            if network_name is not None:  # a network update, not a policy change: the error itself
                raise conflict("InvalidSharedSetting", message)
            raise in_use(entry["object_id"], message)
        raise in_use(entry["object_id"], f"project_id={target}")
