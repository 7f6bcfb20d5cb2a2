"""The body schemas' first error, worded as each real service words it: neutron-lib's `Invalid input for X.
Reason: ...`, WSME's `Invalid input for field/attribute X. Value: 'Y'. ...`, Nova's jsonschema message,
Keystone's `Invalid input for field '<path>': ...`. Neutron and Octavia are checked without a cloud (the
parsers are pure); Nova and Keystone through their HTTP API."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from netdash.democloud import DemoCloud
from netdash.democloud.core import HttpError, Request
from netdash.democloud.loadbalancer import listeners, members, pools
from netdash.democloud.network.api import networks, ports, routers, subnets
from netdash.democloud.network.errors import NeutronError

UUID = "61a803f8-126a-4b65-96f1-d2f4fb02f8ae"


def request(body: Any) -> Request:
    return Request("POST", "/", body=json.dumps(body).encode())


@pytest.mark.parametrize(("parser", "update", "body", "message"), [
    (networks.BODY, False, {"network": {"mtu": "1500", "admin_state_up": "TRUE"}}, None),
    (networks.BODY, False, {"network": {"mtu": "15000"}},
     "Invalid input for mtu. Reason: '15000' is not in range 68 through 9216."),
    (networks.BODY, False, {"network": {"mtu": "1.5"}}, "Invalid input for operation: '1.5' is not an integer."),
    (networks.BODY, False, {"network": {"id": UUID}}, "Attribute 'id' not allowed in POST"),
    (networks.BODY, True, {"network": {"qinq": True}}, "Cannot update read-only attribute qinq"),
    (networks.BODY, False, {"network": {"colour": 1, "size": 2}}, "Unrecognized attribute(s) 'colour, size'"),
    (networks.BODY, False, {"network": None}, "Unable to find 'network' in request body"),
    # neutron-lib's order: what the method requires before any value
    (ports.BODY, False, {"port": {"name": 5}}, "Failed to parse request. Required attribute 'network_id' not "
                                               "specified"),
    (ports.BODY, False, {"port": {"network_id": UUID, "fixed_ips": [{"subnet_id": "x"}]}},
     "Invalid input for fixed_ips. Reason: 'x' is not a valid UUID."),
    (ports.BODY, False, {"port": {"network_id": UUID, "security_groups": [UUID, UUID]}},
     f"Invalid input for security_groups. Reason: Duplicate items in the list: '{UUID}'."),
    (subnets.BODY, False, {"subnet": {"network_id": UUID, "ip_version": 4, "allocation_pools": [{"start": "a",
                                                                                                 "x": 1}]}},
     "Invalid input for allocation_pools. Reason: Validation of dictionary's keys failed. Expected keys: "
     "{'start', 'end'} Provided keys: {'start', 'x'}."),
    (subnets.BODY, False, {"subnet": {"network_id": UUID, "ip_version": "4"}}, None),
    (subnets.BODY, False, {"subnet": {"network_id": UUID, "ip_version": 5}},
     "Invalid input for ip_version. Reason: 5 is not in valid_values."),
    (subnets.BODY, False, {"subnet": {"network_id": UUID, "ip_version": "four"}},
     "Invalid input for operation: 'four' is not an integer."),
    (ports.BODY, False, {"port": {"network_id": UUID, "fixed_ips": "10.0.0.5"}},
     "Invalid input for fixed_ips. Reason: Invalid data format for fixed IP: '10.0.0.5'."),
    (routers.BODY, False, {"router": {"routes": []}}, "Attribute 'routes' not allowed in POST"),
    (routers.BODY, False, {"router": {"external_gateway_info": {"network_id": UUID, "x": 1}}},
     "Invalid input for external_gateway_info. Reason: Unexpected keys supplied: x."),
    (routers.BODY, False, {"router": {"external_gateway_info": "public"}},
     "Invalid input for external_gateway_info. Reason: 'public' is not a dictionary."),
    (routers.BODY, False, {"router": {"external_gateway_info": {}}}, None),
])
def test_neutron_messages(parser: Any, update: bool, body: Any, message: str | None) -> None:
    try:
        parser.parse(request(body), update=update)
    except NeutronError as exc:
        kind = "InvalidInput" if exc.message.startswith("Invalid input for operation") else "HTTPBadRequest"
        assert (exc.kind, exc.message) == (kind, message)
    else:
        assert message is None


def test_neutron_converts_what_passed() -> None:
    attrs = routers.BODY.parse(request({"router": {"external_gateway_info": {
        "network_id": UUID, "enable_snat": "false"}, "admin_state_up": 1}}), update=False)
    assert attrs == {"external_gateway_info": {"network_id": UUID, "enable_snat": False}, "admin_state_up": True}
    assert networks.BODY.parse(request({"network": {"mtu": " 1500 "}}), update=False) == {"mtu": 1500}


@pytest.mark.parametrize(("parser", "body", "message"), [
    (pools.CREATE, {"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "listener_id": UUID,
                             "session_persistence": {"type": "SOURCE_IP", "x": 1}}},
     "Unknown attribute for argument pool_.pool.session_persistence: x"),
    (pools.CREATE, {"pool": {"protocol": "HTTP", "lb_algorithm": None}},
     "Invalid input for field/attribute lb_algorithm. Value: 'None'. Mandatory field missing."),
    (listeners.CREATE, {"listener": {"protocol": "HTTP", "protocol_port": [80], "loadbalancer_id": UUID}},
     "Invalid input for field/attribute listener_. Value: "
     f"'{{'listener': {{'protocol': 'HTTP', 'protocol_port': [80], 'loadbalancer_id': '{UUID}'}}}}'. "
     "int() argument must be a string, a bytes-like object or a real number, not 'list'"),
    (listeners.CREATE, {"listener": {"protocol": "HTTP", "protocol_port": 80, "loadbalancer_id": UUID,
                                     "tags": ["a", 1]}},
     "Invalid input for field/attribute tags. Value: '['a', 1]'. Value should be string"),
    (listeners.CREATE, {"listener": {"protocol": "HTTP", "protocol_port": 80, "loadbalancer_id": UUID,
                                     "insert_headers": {"a": 1}}},
     "Invalid input for field/attribute insert_headers. Value: '{'a': 1}'. Value should be string"),
    (members.BATCH, {"members": [{"address": "10.0.0.1", "protocol_port": 80}, {"address": "10.0.0.2"}]},
     "Invalid input for field/attribute protocol_port. Value: 'None'. Mandatory field missing."),
    (members.BATCH, {"members": "all"},
     "Invalid input for field/attribute members. Value: 'None'. Mandatory field missing."),
])
def test_octavia_messages(parser: Any, body: Any, message: str) -> None:
    with pytest.raises(HttpError) as refused:
        parser.parse(request(body))
    assert refused.value.response.body == {"faultcode": "Client", "faultstring": message, "debuginfo": None}


def test_octavia_converts_what_passed() -> None:
    body = {"listener": {"protocol": "HTTP", "protocol_port": "80", "loadbalancer_id": UUID,
                         "admin_state_up": "yes", "name": None}}
    assert listeners.CREATE.parse(request(body)) == {"protocol": "HTTP", "protocol_port": 80,
                                                      "loadbalancer_id": UUID, "admin_state_up": True,
                                                      "name": None}


def test_nova_and_keystone_messages(empty_cloud: DemoCloud) -> None:
    conn = empty_cloud.connection()
    token = conn.session.get_token()
    compute = f"{empty_cloud.cloud.base_url}/compute/v2.1"
    headers = {"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.96"}
    cases = [
        ({"server": {"name": "x", "flavorRef": "1", "networks": "none", "imageRef": UUID, "min_count": "0"}},
         # Nova's minimum compares "0" as 0, and says so
         "Invalid input for field/attribute min_count. Value: 0. 0 is less than the minimum of 1"),
        ({"server": {"name": "x", "flavorRef": "1", "networks": "some"}},
         "Invalid input for field/attribute networks. Value: some. 'some' is not valid under any of the given "
         "schemas"),
        ({"server": {"name": " x", "flavorRef": "1", "networks": "none"}},
         "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end "
         "with whitespace."),
        ({"srv": {}}, "'server' is a required property"),  # Nova's schema says 'required' first
        ([], "[] is not of type 'object'"),
    ]
    for body, message in cases:
        answer = httpx.post(f"{compute}/servers", json=body, headers=headers)
        assert answer.json() == {"badRequest": {"code": 400, "message": message}}, body
    tokens = f"{empty_cloud.cloud.auth_url}/auth/tokens"
    for body, message in [
        ({"auth": {"identity": {"methods": ["token"], "token": "abc"}}},
         "Invalid input for field 'identity/token': 'abc' is not of type 'object'"),
        ({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "demo", "domain": "x"}}}}},
         "Invalid input for field 'identity/password/user/domain': 'x' is not of type 'object'"),
        ({"auth": {"identity": {"methods": ["password"], "password": {"user": {"domain": {"id": "default"}}}}}},
         "Invalid input for field identity/password/user: id or name must be present."),
        ({"auth": {"identity": {"methods": "password"}}},
         "Invalid input for field 'identity/methods': 'password' is not of type 'array'"),
        ({"auth": {}}, "'identity' is a required property"),
    ]:
        answer = httpx.post(tokens, json=body)
        assert (answer.status_code, answer.json()["error"]["message"]) == (400, message), body
