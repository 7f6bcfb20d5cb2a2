"""A port's fixed IPs: claiming addresses from the subnets (atomically) and keeping the IP indexes in step."""

from __future__ import annotations

from typing import Any

from ..core import HttpError
from .base import NetBase, Record
from .errors import bad_request, bad_resource, invalid_input, not_found


class FixedIPs(NetBase):
    def claim_ips(
        self, port_id: str, net_id: str, requested: list[dict[str, str]] | None, current: list[dict[str, str]]
    ) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
        """The port's new fixed IPs, reserving new addresses as it goes (all released again on error)."""
        claimed: list[tuple[str, str]] = []
        result: list[dict[str, str]] = []
        left = list(current)
        try:
            for entry in requested if requested is not None else self.default_entries(net_id):
                subnet_id, ip = entry.get("subnet_id"), entry.get("ip_address")
                if subnet_id is None and ip is None:
                    raise bad_request(
                        "Invalid input for fixed_ips. Reason: neither subnet_id nor ip_address given."
                    )
                if subnet_id is None:
                    subnet_id = self.subnet_for_ip(net_id, str(ip))
                elif subnet_id not in self.store.subnets:
                    raise not_found("subnet", subnet_id)
                elif self.store.subnets[subnet_id]["network_id"] != net_id:
                    raise invalid_input(
                        f"Failed to create port on network {net_id}, because fixed_ips included "
                        f"invalid subnet {subnet_id}."
                    )
                kept = next(
                    (c for c in left if c["subnet_id"] == subnet_id and ip in (None, c["ip_address"])), None
                )
                if kept is not None:
                    left.remove(kept)
                    result.append(kept)
                    continue
                chosen = self.allocate(subnet_id, ip, network_wide=net_id if entry.get("_auto") else None)
                self.store.allocations[subnet_id][chosen] = port_id
                claimed.append((subnet_id, chosen))
                result.append({"subnet_id": subnet_id, "ip_address": chosen})
        except HttpError:
            for subnet_id, ip in claimed:
                del self.store.allocations[subnet_id][ip]
            raise
        return result, claimed

    def default_entries(self, net_id: str) -> list[dict[str, Any]]:
        """One address of the first IPv4 subnet with room, and one of the first IPv6 subnet."""
        entries: list[dict[str, Any]] = []
        for version in (4, 6):
            subnets = [
                s for s in self.store.subnets_of_net.get(net_id, ()) if self.store.subnets[s]["ip_version"] == version
            ]
            roomy = [s for s in subnets if self.has_room(s)]
            if subnets:
                entries.append({"subnet_id": (roomy or subnets)[0], "_auto": True})
        return entries

    def has_room(self, subnet_id: str) -> bool:
        _, pools = self.store.subnet_ranges[subnet_id]
        return sum(b - a + 1 for a, b in pools) > len(self.store.allocations[subnet_id])

    def release_claims(self, port: Record, fixed: list[dict[str, str]]) -> None:
        for ip in fixed:
            if ip not in port["fixed_ips"]:
                del self.store.allocations[ip["subnet_id"]][ip["ip_address"]]

    def set_fixed_ips(self, port: Record, fixed: list[dict[str, str]]) -> None:
        """Replace the port's fixed IPs (already claimed) and keep the address indexes in step."""
        for old in port["fixed_ips"]:
            if old not in fixed:
                taken = self.store.allocations.get(old["subnet_id"], {})
                if taken.get(old["ip_address"]) == port["id"]:
                    del taken[old["ip_address"]]
                self.store.index_drop(self.store.ports_at_ip, old["ip_address"], port["id"])
        for new in fixed:
            self.store.allocations[new["subnet_id"]][new["ip_address"]] = port["id"]
            self.store.index_add(self.store.ports_at_ip, new["ip_address"], port["id"])
        port["fixed_ips"] = fixed

    def check_fip_ips(self, port: Record, fixed: list[dict[str, str]]) -> None:
        remaining = {ip["ip_address"] for ip in fixed}
        for fip_id in self.store.fips_of_port.get(port["id"], ()):
            fip = self.store.fips[fip_id]
            if fip["fixed_ip_address"] not in remaining:
                raise bad_resource(
                    "port",
                    f"Cannot remove fixed IP {fip['fixed_ip_address']} of port "
                    f"{port['id']}: floating IP {fip['floating_ip_address']} is associated with it.",
                )
