"""Every `openstack` command of the two seed documents, in their order, run by the real CLI.

Each section starts from an empty cloud (only `public`), as the golden corpus was recorded on a real
cloud reset before each section. Commands are the documents' own but for what only exists on their clouds
(IDs, addresses: taken from the previous commands' output, as a reader would), `penstack` spelled right,
and the first-app chapter's `nova boot` / `neutron lb-*` done with their `openstack` equivalents.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from netdash.democloud import DemoCloud, Settings
from tests.osc import OpenStackCLI
from tests.waiting import wait_for

SERVER_CREATE = ("server create --image 'centos-8.2-2004' --boot-from-volume 100 --flavor VC-4 "
                 "--security-group default --key-name ssh_key_name")


@pytest.fixture
def osc(tmp_path: Path) -> Iterator[OpenStackCLI]:
    with DemoCloud(seed=False, settings=Settings(provisioning_delay=0.2, build_delay=0.1)) as cloud:
        (tmp_path / ".ssh").mkdir()
        (tmp_path / ".ssh" / "id_rsa.pub").write_text(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmK/7AhBn8aFibceoxFGt+LlSU/Rjw+bAAbdFzIxRi2 user@workstation\n")
        yield OpenStackCLI(cloud, tmp_path)


def active(osc: OpenStackCLI, *servers: str) -> None:
    conn = osc.cloud.connection()
    for name in servers:
        wait_for(lambda n=name: conn.compute.find_server(n).status == "ACTIVE", timeout=30,
                 what=f"{name} ACTIVE")


def lb_active(osc: OpenStackCLI, name: str) -> None:
    conn = osc.cloud.connection()
    wait_for(lambda: conn.load_balancer.find_load_balancer(name).provisioning_status == "ACTIVE",
             timeout=30, what=f"load balancer {name} ACTIVE")


def private_network(osc: OpenStackCLI) -> None:
    osc.run("network create private")
    subnet = osc.json("subnet create --gateway 10.0.0.1 --dns-nameserver 8.8.8.8 --subnet-range 10.0.0.0/24 "
                      "--allocation-pool start=10.0.0.10,end=10.0.0.200 --network private private_subnet")
    assert subnet["cidr"] == "10.0.0.0/24" and subnet["gateway_ip"] == "10.0.0.1"
    assert subnet["allocation_pools"] == [{"start": "10.0.0.10", "end": "10.0.0.200"}]
    assert subnet["dns_nameservers"] == ["8.8.8.8"]
    osc.run("router create private_gateway")
    osc.run("router set --external-gateway public private_gateway")
    osc.run("router add subnet private_gateway private_subnet")


def device_of(osc: OpenStackCLI, port: str) -> str:
    return osc.value(f"port show {port} -c device_id")


def test_000_port_migration(osc: OpenStackCLI) -> None:
    osc.run("key list")
    osc.run("key create --public-key .ssh/id_rsa.pub ssh_key_name")
    assert "ssh_key_name" in osc.run("key list")
    osc.run("port create --network public server-1-port")
    osc.run("port create --network public server-2-port")
    assert "centos-8.2-2004" in osc.run("image list")
    assert "VC-4" in osc.run("flavor list")
    osc.run(f"{SERVER_CREATE} --port server-1-port server1")
    osc.run(f"{SERVER_CREATE} --port server-2-port server2")
    active(osc, "server1", "server2")
    servers = {s["Name"]: s for s in osc.json("server list")}
    assert {s["Status"] for s in servers.values()} == {"ACTIVE"}
    assert servers["server1"]["Image"] == "N/A (booted from volume)"
    ports = {p["Name"]: p for p in osc.json("port list")}
    assert {"server-1-port", "server-2-port"} <= set(ports)
    server1, server2 = osc.value("server show server1 -c id"), osc.value("server show server2 -c id")
    assert device_of(osc, "server-1-port") == server1

    # Perform failover: detach both, attach crosswise, reboot.
    osc.run("server remove port server1 server-1-port")
    osc.run("server remove port server2 server-2-port")
    assert device_of(osc, "server-1-port") == "" and device_of(osc, "server-2-port") == ""
    osc.run("server add port server1 server-2-port")
    osc.run("server add port server2 server-1-port")
    osc.run("server reboot server1")
    osc.run("server reboot server2")
    active(osc, "server1", "server2")
    osc.run("server list")
    osc.run("port list")
    assert device_of(osc, "server-1-port") == server2 and device_of(osc, "server-2-port") == server1
    ip_of_port1 = osc.json("port show server-1-port -c fixed_ips")["fixed_ips"][0]["ip_address"]
    addresses = osc.json("server show server2 -c addresses")["addresses"]
    assert ip_of_port1 in addresses["public"]

    # Pro tips: a chosen fixed IP, several ports per server, removing and adding fixed IPs.
    osc.run("network create network1")
    osc.run("subnet create --network network1 --subnet-range 10.0.0.0/24 subnet1")
    osc.run("port create --network network1 --fixed-ip subnet=subnet1,ip-address=10.0.0.10 server-3-port")
    err = osc.run("port create --network network1 --fixed-ip subnet=subnet1,ip-address=10.0.0.10 dup-port",
                  expect=1)
    assert "10.0.0.10" in err
    osc.run("server add port server1 server-3-port")
    assert len(osc.json("port list --server server1")) == 2
    port_id = osc.value("port show server-3-port -c id")
    osc.run(f"port set --no-fixed-ip {port_id}")
    assert osc.json(f"port show {port_id} -c fixed_ips")["fixed_ips"] == []
    for last in (10, 11, 12, 13):
        osc.run(f"port set --fixed-ip subnet=subnet1,ip-address=10.0.0.{last} {port_id}")
    fixed = osc.json(f"port show {port_id} -c fixed_ips")["fixed_ips"]
    assert [f["ip_address"] for f in fixed] == ["10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.13"]


def test_000_floating_ip(osc: OpenStackCLI) -> None:
    private_network(osc)
    osc.run("key create --public-key .ssh/id_rsa.pub ssh_key_name")
    osc.run(f"{SERVER_CREATE} --network private server1")
    osc.run(f"{SERVER_CREATE} --network private server2")
    active(osc, "server1", "server2")
    networks = {s["Name"]: s["Networks"] for s in osc.json("server list")}
    assert all(addr.startswith("10.0.0.") for net in networks.values() for addr in net["private"])
    fip = osc.value("floating ip create public -c floating_ip_address")
    assert fip.startswith("127.24.4.")
    assert fip in osc.run("floating ip list")

    osc.run(f"server add floating ip server1 {fip}")
    server1_port = osc.value("port list --server server1 -c ID")
    assert osc.value(f"floating ip show {fip} -c port_id") == server1_port
    assert fip in str(osc.json("server show server1 -c addresses")["addresses"]["private"])
    osc.run(f"server add floating ip server2 {fip}")
    assert osc.value(f"floating ip show {fip} -c port_id") == osc.value("port list --server server2 -c ID")

    osc.run("server delete server2")
    conn = osc.cloud.connection()
    wait_for(lambda: conn.compute.find_server("server2") is None, timeout=30, what="server2 deleted")
    listed = {f["Floating IP Address"]: f for f in osc.json("floating ip list")}
    assert listed[fip]["Port"] is None
    osc.run(f"server add floating ip server1 {fip}")
    assert {f["Floating IP Address"]: f for f in osc.json("floating ip list")}[fip]["Port"] == server1_port
    osc.run(f"server remove floating ip server1 {fip}")
    assert {f["Floating IP Address"]: f for f in osc.json("floating ip list")}[fip]["Port"] is None

    # The same through `floating ip set/unset --port`, and the rule a real cloud enforces.
    osc.run(f"floating ip set --port {server1_port} {fip}")
    assert osc.value(f"floating ip show {fip} -c port_id") == server1_port
    osc.run(f"floating ip unset --port {fip}")
    assert osc.value(f"floating ip show {fip} -c port_id") == "None"
    osc.run("network create isolated")
    osc.run("subnet create --network isolated --subnet-range 192.168.50.0/24 isolated_subnet")
    lonely = osc.value("port create --network isolated lonely -c id")
    err = osc.run(f"floating ip set --port {lonely} {fip}", expect=1)
    assert "External network" in err or "not reachable" in err


def test_000_load_balancer(osc: OpenStackCLI) -> None:
    private_network(osc)
    osc.run("key create --public-key .ssh/id_rsa.pub ssh_key_name")
    (osc.workdir / "server1.yaml").write_text("#cloud-config\nruncmd:\n- yum install -y nginx\n"
                                              "- systemctl start nginx\n")
    (osc.workdir / "server2.yaml").write_text("#cloud-config\nruncmd:\n- yum install -y httpd\n"
                                              "- systemctl start httpd\n")
    osc.run(f"{SERVER_CREATE} --network private --user-data ./server1.yaml server1")
    osc.run(f"{SERVER_CREATE} --network private --user-data ./server2.yaml server2")

    osc.run("loadbalancer create --name web --vip-subnet-id private_subnet")
    lb_active(osc, "web")
    osc.run("loadbalancer listener create --name web_listener --protocol HTTP --protocol-port 80 web")
    lb_active(osc, "web")
    osc.run("loadbalancer pool create --name web_pool --lb-algorithm ROUND_ROBIN --listener web_listener "
            "--protocol HTTP")
    lb_active(osc, "web")
    active(osc, "server1", "server2")
    addresses = {s["Name"]: s["Networks"]["private"][0] for s in osc.json("server list")}
    for name in ("server1", "server2"):
        osc.run(f"loadbalancer member create --subnet-id private_subnet --address {addresses[name]} "
                "--protocol-port 80 web_pool")
        lb_active(osc, "web")
    fip = osc.value("floating ip create public -c floating_ip_address")
    lbs = osc.json("loadbalancer list")
    assert [(lb["name"], lb["provisioning_status"], lb["provider"]) for lb in lbs] == [("web", "ACTIVE", "amphora")]
    vip = lbs[0]["vip_address"]
    vip_ports = [p for p in osc.json("port list") if vip in {ip["ip_address"] for ip in p["Fixed IP Addresses"]}]
    assert len(vip_ports) == 1 and vip_ports[0]["Name"].startswith("octavia-lb-")
    assert vip_ports[0]["Status"] == "DOWN"
    osc.run(f"floating ip set --port {vip_ports[0]['ID']} {fip}")
    assert osc.value(f"floating ip show {fip} -c fixed_ip_address") == vip

    members = osc.json("loadbalancer member list web_pool")
    assert sorted(m["address"] for m in members) == sorted(addresses.values())
    # Document 001's health monitor, on this pool (the document's own `neutron lb-healthmonitor-create`).
    osc.run("loadbalancer healthmonitor create --delay 3 --type HTTP --max-retries 3 --timeout 3 web_pool")
    lb_active(osc, "web")
    status = osc.run("loadbalancer status show web")
    assert "web_listener" in status and "web_pool" in status and addresses["server1"] in status

    osc.run("server stop server1")
    conn = osc.cloud.connection()
    wait_for(lambda: conn.compute.find_server("server1").status == "SHUTOFF", timeout=30,
             what="server1 SHUTOFF")
    osc.run("server start server1")
    active(osc, "server1")

    osc.run("loadbalancer pool set --lb-algorithm SOURCE_IP web_pool")
    lb_active(osc, "web")
    assert osc.value("loadbalancer pool show web_pool -c lb_algorithm") == "SOURCE_IP"
    osc.run("loadbalancer status show web")


def test_001_first_app_networking(osc: OpenStackCLI) -> None:
    assert [n["Name"] for n in osc.json("network list")] == ["public"]
    osc.run("network create worker_network")
    subnet = osc.json("subnet create worker_subnet --network worker_network --subnet-range 10.0.1.0/24")
    assert subnet["allocation_pools"] == [{"start": "10.0.1.2", "end": "10.0.1.254"}]
    assert subnet["gateway_ip"] == "10.0.1.1" and subnet["enable_dhcp"] is True
    osc.run("network create webserver_network")
    osc.run("subnet create webserver_subnet --network webserver_network --subnet-range 10.0.2.0/24")
    osc.run("network create api_network")
    osc.run("subnet create api_subnet --network api_network --subnet-range 10.0.3.0/24")
    fips = [osc.json("floating ip create public") for _ in range(2)]
    assert all(f["port_id"] is None and f["status"] == "DOWN" for f in fips)

    osc.run("router create project_router")
    osc.run("router set project_router --external-gateway public")
    gateway = osc.json("router show project_router")["external_gateway_info"]
    assert gateway["enable_snat"] is True and gateway["external_fixed_ips"][0]["ip_address"].startswith("127.24.4.")
    for subnet_name in ("worker_subnet", "api_subnet", "webserver_subnet"):
        osc.run(f"router add subnet project_router {subnet_name}")
    assert len(osc.json("network list")) == 4

    worker_net = osc.value("network show worker_network -c id")
    osc.run(f"server create --flavor m1.tiny --image cirros-0.3.3-x86_64-disk --nic net-id={worker_net} worker1")
    image = osc.value("image show cirros-0.3.3-x86_64-disk -c id")
    osc.run(f"server create --flavor 1 --image {image} --network webserver_network --min 2 --max 2 test")
    active(osc, "worker1", "test-1", "test-2")
    listed = {s["Name"]: s for s in osc.json("server list")}
    assert set(listed) == {"worker1", "test-1", "test-2"}
    assert listed["test-1"]["Flavor"] == "m1.tiny"
    osc.run("port list")
    port = osc.json("port list --server test-1")[0]
    address = port["Fixed IP Addresses"][0]["ip_address"]
    fip = osc.json(f"floating ip create public --fixed-ip-address {address} --port {port['ID']}")
    assert fip["fixed_ip_address"] == address and fip["port_id"] == port["ID"] and fip["router_id"]

    # The chapter's `neutron lb-*` commands, done with Octavia.
    osc.run("loadbalancer create --name fractal --vip-subnet-id webserver_subnet")
    lb_active(osc, "fractal")
    osc.run("loadbalancer listener create --name fl --protocol HTTP --protocol-port 80 fractal")
    lb_active(osc, "fractal")
    osc.run("loadbalancer pool create --name mypool --lb-algorithm ROUND_ROBIN --listener fl --protocol HTTP")
    lb_active(osc, "fractal")
    for name in ("test-1", "test-2"):
        member_ip = listed[name]["Networks"]["webserver_network"][0]
        osc.run(f"loadbalancer member create --address {member_ip} --protocol-port 80 mypool")
        lb_active(osc, "fractal")
    members = osc.json("loadbalancer member list mypool")
    assert [(m["protocol_port"], m["weight"], m["operating_status"]) for m in members] == [(80, 1, "NO_MONITOR")] * 2
    monitor = osc.json("loadbalancer healthmonitor create --delay 3 --type HTTP --max-retries 3 --timeout 3 "
                       "mypool")
    lb_active(osc, "fractal")
    assert (monitor["delay"], monitor["timeout"], monitor["max_retries"], monitor["url_path"],
            monitor["expected_codes"], monitor["http_method"]) == (3, 3, 3, "/", "200", "GET")
    vip = osc.json("loadbalancer show fractal")
    assert vip["vip_address"].startswith("10.0.2.") and vip["provisioning_status"] == "ACTIVE"
    osc.run("loadbalancer status show fractal")


def test_the_openstack_script_and_the_fork_server_agree(osc: OpenStackCLI) -> None:
    """These tests run most commands in children of tests/osc_forkserver.py: the same commands through
    the `openstack` script itself must print the same, errors included."""
    private_network(osc)
    for command in ("network list -f json", "router show private_gateway -f json -c name -c status"):
        assert osc.run(command) == osc.run(command, script=True), command
    command = "server show nowhere"
    assert osc.run(command, expect=1) == osc.run(command, expect=1, script=True), command


def test_the_demo_users_projects_as_devstack_makes_them(osc: OpenStackCLI) -> None:
    """`openstack project list --my-projects` (Keystone's `GET /v3/auth/projects`) lists the demo user's two
    projects, as on devstack, and a token scoped to the second one works: what the dashboard's switcher
    offers with `--demo`."""
    assert sorted(p["Name"] for p in osc.json("project list --my-projects")) == ["demo", "invisible_to_admin"]
    other = osc.cloud.cloud.identity.project_named("invisible_to_admin")["id"]
    assert osc.value("--os-project-name invisible_to_admin network create elsewhere -c project_id") == other
