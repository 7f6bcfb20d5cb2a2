"""Nova key pairs: import, generation, per-user isolation, errors."""

from __future__ import annotations

from typing import Any

from netdash.democloud import DemoCloud

from .nova_api import Api, fault

PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILdBXqhckFaewTcRZTiDkx5HNUCUcToJlXgar7oUU7CU demo@example"
FINGERPRINT = "82:07:34:4c:7c:cd:3d:82:d8:a0:64:22:de:81:7c:32"


def test_import_list_get_delete_through_the_sdk(conn: Any, alt_conn: Any) -> None:
    created = conn.compute.create_keypair(name="ssh_key_name", public_key=PUBLIC_KEY)
    assert created.fingerprint == FINGERPRINT and created.type == "ssh" and created.private_key is None
    assert [k.name for k in conn.compute.keypairs()] == ["ssh_key_name"]
    fetched = conn.compute.get_keypair("ssh_key_name")
    assert fetched.public_key == PUBLIC_KEY and fetched.user_id
    assert list(alt_conn.compute.keypairs()) == []
    assert alt_conn.compute.find_keypair("ssh_key_name") is None
    conn.compute.delete_keypair("ssh_key_name")
    assert list(conn.compute.keypairs()) == []


def test_generated_keypair_returns_a_private_key(empty_cloud: DemoCloud) -> None:
    api = Api(empty_cloud)
    resp = api.nova("POST", "/os-keypairs", {"keypair": {"name": "generated"}}, version="2.10")
    assert resp.status_code == 201
    keypair = resp.json()["keypair"]
    assert keypair["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert keypair["public_key"].startswith("ssh-rsa ") and keypair["user_id"] == api.user_id
    assert "private_key" not in api.nova("GET", "/os-keypairs/generated").json()["keypair"]
    assert api.nova("DELETE", "/os-keypairs/generated", version="2.10").status_code == 204


def test_keypair_errors(empty_cloud: DemoCloud) -> None:
    api = Api(empty_cloud)
    ok = api.nova(
        "POST", "/os-keypairs", {"keypair": {"name": "k", "public_key": PUBLIC_KEY}}, version="2.10"
    )
    assert ok.status_code == 201
    again = api.nova("POST", "/os-keypairs", {"keypair": {"name": "k", "public_key": PUBLIC_KEY}})
    assert again.status_code == 409 and fault(again, "conflictingRequest") == "Key pair 'k' already exists."
    garbage = api.nova("POST", "/os-keypairs", {"keypair": {"name": "g", "public_key": "ssh-rsa !!"}})
    assert garbage.status_code == 400 and "failed to generate fingerprint" in fault(garbage, "badRequest")
    unsafe = api.nova(
        "POST", "/os-keypairs", {"keypair": {"name": "a/b", "public_key": PUBLIC_KEY}}, version="2.10"
    )
    assert unsafe.status_code == 400
    assert api.nova("POST", "/os-keypairs", {"key": {}}).status_code == 400
    assert api.nova("POST", "/os-keypairs", content=b"{nope").status_code == 400
    assert api.nova("POST", "/os-keypairs", {"keypair": {"name": "x", "bogus": 1}}).status_code == 400
    legacy = api.nova(
        "POST", "/os-keypairs", {"keypair": {"name": "old", "public_key": PUBLIC_KEY}}, version="2.1"
    )
    assert legacy.status_code == 200 and "type" not in legacy.json()["keypair"]
    assert api.nova("DELETE", "/os-keypairs/old", version="2.1").status_code == 202
    missing = api.nova("GET", "/os-keypairs/ghost")
    assert missing.status_code == 404 and "ghost" in fault(missing, "itemNotFound")
    assert Api(empty_cloud, "alt_demo").nova("DELETE", "/os-keypairs/k").status_code == 404
