"""The clean-up actions on the command line (`netdash fip release`, `netdash port delete`, `netdash
security-group delete`) against the seeded embedded cloud: each plan refuses what is in use, by the rule
`:unused` lists by; each run deletes, and the object is read back gone with openstacksdk; and a port that
got a device after its plan is refused at the last moment, not deleted."""

from __future__ import annotations

from typing import Any

from netdash.actions import REFUSED
from netdash.actions.cleanup import DeletePort
from netdash.cloud.client import CloudClient
from netdash.democloud import DemoCloud

from .conftest import Cli, fip_of


def test_release_delete_and_refuse_what_is_in_use(cli: Cli, sdk: Any) -> None:
    public = sdk.network.find_network("public")
    private = sdk.network.find_network("private")
    free = sdk.network.create_ip(floating_network_id=public.id)
    spare = sdk.network.create_port(network_id=private.id, name="spare")
    idle = sdk.network.create_security_group(name="idle")
    busy = sdk.network.create_security_group(name="busy")
    sdk.network.update_port(spare, security_groups=[busy.id])

    held = fip_of(sdk, "server1")
    ran = cli("fip", "release", held.floating_ip_address)
    assert ran.code == 2 and f"{held.floating_ip_address} is associated with server1: disassociate it first" in ran.err
    ran = cli("fip", "release", free.floating_ip_address, "--dry-run")
    assert ran.code == 0 and "release floating IP" in ran.out and "cannot be undone" in ran.out
    assert sdk.network.find_ip(free.floating_ip_address) is not None
    ran = cli("fip", "release", free.floating_ip_address)
    assert ran.code == 0, ran.err
    assert sdk.network.find_ip(free.floating_ip_address) is None and "done" in ran.out

    ran = cli("port", "delete", "server-1-port")
    assert ran.code == 2 and "port server-1-port is attached to server server1" in ran.err
    ran = cli("security-group", "delete", "busy")
    assert ran.code == 2 and "security group busy is used by port spare" in ran.err
    ran = cli("port", "delete", "spare")
    assert ran.code == 0, ran.err
    assert sdk.network.find_port(spare.id) is None

    ran = cli("security-group", "delete", "default")
    assert ran.code == 2 and "default group" in ran.err
    for group in (busy, idle):  # the port that used `busy` is gone: both are free now
        ran = cli("security-group", "delete", group.name)
        assert ran.code == 0, ran.err
        assert sdk.network.find_security_group(group.id) is None
    assert sdk.compute.find_server("server1") is not None  # and nothing else went


def test_a_port_that_got_a_device_after_the_plan_is_not_deleted(seeded_cloud: DemoCloud) -> None:
    sdk = seeded_cloud.connection()
    private = sdk.network.find_network("private")
    spare = sdk.network.create_port(network_id=private.id, name="spare")
    client = CloudClient.for_demo(seeded_cloud, max_rps=1000)
    try:
        action = DeletePort("spare")
        plan = action.plan(client.fetch_topology_sync(), client)
        assert plan.refusal is None and plan.title.startswith("delete port spare")
        server = sdk.compute.find_server("server2")
        sdk.compute.create_server_interface(server, port_id=spare.id)
        result = action.execute(client, plan, lambda line: None)
        assert result.outcome == REFUSED, result
        assert "attached to server server2 (since the plan): nothing deleted" in result.summary
        assert sdk.network.get_port(spare.id).device_id == server.id
    finally:
        client.close()
