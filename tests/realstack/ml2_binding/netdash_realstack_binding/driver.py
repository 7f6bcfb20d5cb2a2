"""Stand-ins for the agents realstack does not run: bind every port, mark floating IPs as an L3 agent would.

Without a mechanism driver that binds, real Neutron leaves every port DOWN with `binding:vif_type`
`unbound`; there are no agents on loopback, so this driver stands in for one: the binding is what an agent
would report, and the port goes ACTIVE as on a cloud whose agents are up. Likewise a floating IP stays
DOWN for ever without an L3 agent; on a cloud with one it turns ACTIVE once associated (DOWN once not),
which is the state netdash's floating-IP actions wait for. The status is written after the API call has
answered with the old one, as an agent's report would come.
"""

from __future__ import annotations

from typing import Any

from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import events, registry, resources
from neutron_lib.constants import FLOATINGIP_STATUS_ACTIVE, FLOATINGIP_STATUS_DOWN, PORT_STATUS_ACTIVE
from neutron_lib.plugins.ml2 import api


class BindingDriver(api.MechanismDriver):
    def initialize(self) -> None:
        for event in (events.AFTER_CREATE, events.AFTER_UPDATE):
            registry.subscribe(floating_ip_changed, resources.FLOATING_IP, event)

    def bind_port(self, context: Any) -> None:
        for segment in context.segments_to_bind:
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OTHER, {}, status=PORT_STATUS_ACTIVE)
            return


def floating_ip_changed(resource: str, event: str, trigger: Any, payload: Any) -> None:
    fip = dict(payload.latest_state or {})
    status = FLOATINGIP_STATUS_ACTIVE if fip.get("port_id") else FLOATINGIP_STATUS_DOWN
    if fip.get("id") and fip.get("status") != status:
        trigger.update_floatingip_status(payload.context.elevated(), fip["id"], status)
