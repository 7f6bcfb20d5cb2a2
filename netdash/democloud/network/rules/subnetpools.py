"""Subnet pools: prefixes from which subnets are carved, by prefix length or by CIDR (subnet_allocation,
default-subnetpools, subnetpool-prefix-ops), as Neutron 29 does (neutron/ipam/subnet_alloc.py,
db_base_plugin_v2.py `create_subnetpool`/`update_subnetpool`/`add_prefixes`/`remove_prefixes`).

A pool's prefixes are kept compacted (overlapping and adjacent ones merged, as netaddr's IPSet does). A
subnet asked for by prefix length gets the first free block of that size, taken from the smallest free
prefix that holds it; a subnet asked for by CIDR must lie in one free prefix. Neutron's allocator raises a
plain NeutronException when no prefix fits, which its API answers with a 500: so does this one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from ...core import Context, new_id
from .. import ipam
from ..errors import NeutronError, bad_resource, forbidden, invalid_input, neutron_error, not_found
from ..policy import SHARED, owner, writable
from ..store import Record, Store
from .rbac import Rbac

#: ip version -> (default min_prefixlen, max_prefixlen, quota unit: the prefix length a quota counts in)
BOUNDS = {4: (8, 32, 32), 6: (64, 128, 64)}
PREFIX_BOUNDS = ("min_prefixlen", "max_prefixlen", "default_prefixlen")


def bad(kind: str, message: str) -> NeutronError:
    return neutron_error(400, kind, message)


def allocation_error(reason: str) -> NeutronError:
    return neutron_error(500, "SubnetAllocationError", f"Failed to allocate subnet: {reason}.")


def compacted(prefixes: Iterable[str]) -> list[ipam.IPNet]:
    """The prefixes as netaddr's IPSet compacts them: host bits dropped, overlaps and neighbours merged."""
    nets = [ipaddress.ip_network(p, strict=False) for p in prefixes]
    return sorted(ipaddress.collapse_addresses(nets))  # type: ignore[type-var]


class SubnetPools:
    def __init__(self, store: Store, clock: Callable[[], float], rbac: Rbac) -> None:
        self.store = store
        self.clock = clock
        self.rbac = rbac

    # --- the API -----------------------------------------------------------------------------------
    def create(self, ctx: Context, attrs: dict[str, Any]) -> Record:
        for key in ("shared", "is_default"):
            if attrs.get(key) and not ctx.is_admin:
                raise forbidden(f"create_subnetpool:{key}")
        project = owner(ctx, attrs, "create_subnetpool")
        version, prefixes = self.read_prefixes(attrs.pop("prefixes"))
        bounds = self.read_bounds(version, attrs)
        if attrs.get("is_default"):
            self.check_no_default(version)
        self.check_address_scope(attrs.get("address_scope_id"))
        shared = attrs.pop("shared", False)
        pool: Record = {"id": new_id(), "name": attrs.pop("name"), "project_id": project, **bounds,
                        "is_default": False, "shared": False, "prefixes": [str(p) for p in prefixes],
                        "ip_version": version, "default_quota": None, "address_scope_id": None}
        pool.update(attrs)
        self.store.subnetpools[pool["id"]] = self.store.born(pool, self.clock())
        if shared:
            self.rbac.grant("subnetpool", pool, SHARED, touch=False)
        return pool

    def update(self, ctx: Context, pool: Record, attrs: dict[str, Any]) -> None:
        writable(ctx, pool, "update_subnetpool")
        if "is_default" in attrs and not ctx.is_admin:
            raise forbidden("update_subnetpool:is_default")
        if "prefixes" in attrs:
            version, prefixes = self.read_prefixes(attrs["prefixes"])
            old = compacted(pool["prefixes"])
            if version != pool["ip_version"]:
                raise bad("PrefixVersionMismatch", "Cannot mix IPv4 and IPv6 prefixes in a subnet pool.")
            if not all(any(o.subnet_of(n) for n in prefixes) for o in old):  # type: ignore[arg-type]
                raise bad("IllegalSubnetPoolPrefixUpdate",
                          "Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes.")
            attrs["prefixes"] = [str(p) for p in prefixes]
        merged = {**pool, **attrs}
        bounds = self.read_bounds(pool["ip_version"], {k: merged[k] for k in PREFIX_BOUNDS})
        if attrs.get("is_default") and not pool["is_default"]:
            self.check_no_default(pool["ip_version"])
        if "address_scope_id" in attrs:
            self.check_address_scope(attrs["address_scope_id"])
        pool.update({**attrs, **bounds})
        self.store.touch(pool, self.clock())

    def delete(self, ctx: Context, pool: Record) -> None:
        writable(ctx, pool, "delete_subnetpool")
        if any(s["subnetpool_id"] == pool["id"] for s in self.store.subnets.values()):
            raise bad("SubnetPoolDeleteError", "Unable to delete subnet pool: Subnet pool has existing allocations.")
        self.drop(pool)

    def drop(self, pool: Record) -> None:
        self.rbac.forget(pool["id"])
        del self.store.subnetpools[pool["id"]]

    def add_prefixes(self, ctx: Context, pool: Record, prefixes: list[str]) -> None:
        """`add_prefixes`: an update of `prefixes` to the old ones and these."""
        self.update(ctx, pool, {"prefixes": [*pool["prefixes"], *prefixes]})

    def remove_prefixes(self, ctx: Context, pool: Record, prefixes: list[str]) -> None:
        """`remove_prefixes`: a prefix that holds a subnet cannot go; prefixes outside the pool are no change."""
        writable(ctx, pool, "update_subnetpool")
        removed = [ipaddress.ip_network(p, strict=False) for p in prefixes]
        current = compacted(pool["prefixes"])
        if not any(r.overlaps(c) for r in removed for c in current):
            return
        if any(ipaddress.ip_network(s["cidr"]).overlaps(r) for s in self.subnets_of(pool["id"]) for r in removed):
            raise bad("IllegalSubnetPoolPrefixUpdate", "Illegal update to prefixes: One or more the prefixes to be "
                                                       "removed is in use by a subnet.")
        pool["prefixes"] = [str(p) for p in compacted(str(p) for p in exclude(current, removed))]
        self.store.touch(pool, self.clock())

    # --- subnets from a pool -----------------------------------------------------------------------
    def visible(self, ctx: Context, pool_id: str) -> Record:
        pool = self.store.subnetpools.get(pool_id)
        if pool is None or not (ctx.can_see(pool["project_id"]) or self.store.granted(pool_id, ctx.project_id)):
            raise not_found("subnetpool", pool_id)
        return pool

    def default_for(self, version: int) -> Record:
        pool = next((p for p in self.store.subnetpools.values() if p["is_default"] and p["ip_version"] == version),
                    None)
        if pool is None:
            raise bad_resource("subnets", f"No default subnetpool found for IPv{version}")
        return pool

    def allocate(self, pool: Record, project: str, version: int | None, cidr: ipam.IPNet | None,
                 prefixlen: int | None) -> ipam.IPNet:
        """The CIDR of a new subnet of `project` from `pool` (`SubnetAllocator.allocate_subnet`)."""
        if version is not None and version != pool["ip_version"]:
            raise bad_resource("subnets", f"Cannot allocate IPv{version} subnet from IPv{pool['ip_version']} "
                                          "subnet pool")
        length = cidr.prefixlen if cidr is not None else (
            prefixlen if prefixlen is not None else pool["default_prefixlen"])
        if length > pool["max_prefixlen"]:
            raise bad("MaxPrefixSubnetAllocationError", f"Unable to allocate subnet with prefix length {length}, "
                                                        f"maximum allowed prefix is {pool['max_prefixlen']}.")
        if length < pool["min_prefixlen"]:
            raise bad("MinPrefixSubnetAllocationError", f"Unable to allocate subnet with prefix length {length}, "
                                                        f"minimum allowed prefix is {pool['min_prefixlen']}.")
        self.check_quota(pool, project, length)
        free = self.free(pool)
        if cidr is not None:
            holders = [p for p in free if cidr.subnet_of(p)]  # type: ignore[arg-type]
            if len(holders) == 1:
                return cidr
            raise allocation_error("Cannot allocate requested subnet from the available set of prefixes")
        for block in free:
            if length >= block.prefixlen:
                return next(block.subnets(new_prefix=length))
        raise allocation_error(f"Insufficient prefix space to allocate subnet size /{length}")

    def free(self, pool: Record) -> list[ipam.IPNet]:
        """The pool's prefixes minus its subnets, smallest blocks first (`_get_available_prefix_list`)."""
        taken = [ipaddress.ip_network(s["cidr"]) for s in self.subnets_of(pool["id"])]
        available = compacted(str(p) for p in exclude(compacted(pool["prefixes"]), taken))
        return sorted(available, key=lambda net: net.prefixlen, reverse=True)

    def check_quota(self, pool: Record, project: str, length: int) -> None:
        """`default_quota`: how many addresses of the unit size (/32, /64) a project may take from the pool."""
        quota = pool["default_quota"]
        if not quota:
            return
        unit = BOUNDS[pool["ip_version"]][2]
        used = sum(2 ** (unit - ipaddress.ip_network(s["cidr"]).prefixlen)
                   for s in self.subnets_of(pool["id"]) if s["project_id"] == project)
        if used + 2 ** (unit - length) > quota:
            raise neutron_error(409, "SubnetPoolQuotaExceeded", "Per-project subnet pool prefix quota exceeded.")

    def subnets_of(self, pool_id: str) -> list[Record]:
        return [s for s in self.store.subnets.values() if s.get("subnetpool_id") == pool_id]

    # --- checks --------------------------------------------------------------------------------------
    @staticmethod
    def read_prefixes(prefixes: list[str]) -> tuple[int, list[ipam.IPNet]]:
        if not prefixes:
            raise bad("EmptySubnetPoolPrefixList", "Empty subnet pool prefix list.")
        versions = {ipaddress.ip_network(p, strict=False).version for p in prefixes}
        if len(versions) > 1:
            raise bad("PrefixVersionMismatch", "Cannot mix IPv4 and IPv6 prefixes in a subnet pool.")
        return versions.pop(), compacted(prefixes)

    @staticmethod
    def read_bounds(version: int, attrs: dict[str, Any]) -> dict[str, int]:
        """`SubnetPoolReader._read_prefix_bounds`: defaults, then min <= default <= max <= the version's."""
        low, top, _unit = BOUNDS[version]
        least = attrs.pop("min_prefixlen", None)
        least = low if least is None else least
        most = attrs.pop("max_prefixlen", None)
        most = top if most is None else most
        default = attrs.pop("default_prefixlen", None)
        default = least if default is None else default

        def illegal(kind: str, value: int, base: str, bound: int) -> NeutronError:
            return bad("IllegalSubnetPoolPrefixBounds", f"Illegal prefix bounds: {kind}={value}, {base}={bound}.")

        if least > most:
            raise illegal("min_prefixlen", least, "max_prefixlen", most)
        if most > top:
            raise illegal("max_prefixlen", most, "ip_version_max", top)
        if default < least:
            raise illegal("default_prefixlen", default, "min_prefixlen", least)
        if default > most:
            raise illegal("default_prefixlen", default, "max_prefixlen", most)
        return {"default_prefixlen": default, "min_prefixlen": least, "max_prefixlen": most}

    def check_no_default(self, version: int) -> None:
        if any(p["is_default"] and p["ip_version"] == version for p in self.store.subnetpools.values()):
            raise invalid_input("A default subnetpool for this IP family has already been set. Only one default "
                                "may exist per IP family.")

    @staticmethod
    def check_address_scope(scope: str | None) -> None:
        """No address scopes are served: naming one names one that does not exist."""
        if scope:
            raise neutron_error(404, "AddressScopeNotFound", f"Address scope {scope} could not be found.")


def exclude(prefixes: list[ipam.IPNet], taken: Iterable[ipam.IPNet]) -> Iterable[ipam.IPNet]:
    """The address space of `prefixes` without that of `taken`, as CIDRs."""
    blocks = list(prefixes)
    for hole in taken:
        kept: list[ipam.IPNet] = []
        for block in blocks:
            if block.version != hole.version or not block.overlaps(hole):
                kept.append(block)
            elif hole.subnet_of(block):  # type: ignore[arg-type]
                kept.extend(block.address_exclude(hole))  # type: ignore[arg-type]
        blocks = kept
    return blocks

