"""The embedded cloud's HTTP front end: a body that cannot be framed is a 400 (or 413), never a silently
dropped connection; deeply nested JSON is the service's own 400; silent connections are closed, and so are
keep-alive ones when the cloud stops; a dropped-connection fault answers nothing."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from netdash.democloud import DemoCloud
from netdash.democloud.http import MAX_BODY


def raw(cloud: DemoCloud, request: bytes, read_timeout: float = 10.0) -> bytes:
    """Send bytes as they are; everything the cloud answers until it closes the connection."""
    host, port = cloud.cloud.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=read_timeout) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(("headers", "body"), [
    (b"Content-Length: ten\r\n", b""),
    (b"Content-Length: -5\r\n", b""),
    (b"Transfer-Encoding: chunked\r\n", b"zz\r\nabc\r\n0\r\n\r\n"),
], ids=["not a number", "negative", "bad chunk size"])
def test_a_body_that_cannot_be_framed_is_the_servers_400_then_closed(empty_cloud: DemoCloud, headers: bytes,
                                                                    body: bytes) -> None:
    # aiohttp's parser answers these itself: a text/plain 400 on an HTTP/1.0 status line (it never learned the
    # request's version), which closes the connection; `raw` returning at all shows it was closed.
    answer = raw(empty_cloud, b"POST /networking/v2.0/networks HTTP/1.1\r\nHost: x\r\n" + headers
                 + b"Content-Type: application/json\r\n\r\n" + body)
    assert answer.startswith(b"HTTP/1.0 400 Bad Request\r\n"), answer[:200]


@pytest.mark.parametrize(("headers", "body"), [
    (b"Content-Length: 1099511627776\r\n", b""),
    (b"Transfer-Encoding: chunked\r\n", f"{MAX_BODY + 1:x}\r\n".encode() + b"x" * (MAX_BODY + 1)),
], ids=["a terabyte declared", "a chunk past the limit"])
def test_a_body_too_large_is_413_then_closed(empty_cloud: DemoCloud, headers: bytes, body: bytes) -> None:
    answer = raw(empty_cloud, b"POST /networking/v2.0/networks HTTP/1.1\r\nHost: x\r\n" + headers
                 + b"Content-Type: application/json\r\n\r\n" + body)
    assert answer.startswith(b"HTTP/1.1 413 Request Entity Too Large\r\n"), answer[:200]
    assert b"Connection: close" in answer
    assert b'"code": 413' in answer


def test_deeply_nested_json_is_the_services_400(empty_cloud: DemoCloud, conn) -> None:
    nested = '{"network": ' + '[' * 50_000 + ']' * 50_000 + '}'
    headers = {"X-Auth-Token": conn.session.get_token(), "Content-Type": "application/json"}
    for url in (f"{empty_cloud.cloud.base_url}/networking/v2.0/networks",
                f"{empty_cloud.cloud.base_url}/democloud/faults"):
        answer = httpx.post(url, content=nested, headers=headers)
        assert answer.status_code == 400, (url, answer.text[:200])


def test_a_silent_connection_is_closed() -> None:
    with DemoCloud(seed=False) as cloud:
        assert cloud._server is not None
        cloud._server.idle_timeout = 0.5
        started = time.monotonic()
        assert raw(cloud, b"GET /identity/v3 HTTP/1.1\r\nHost: x\r\n", read_timeout=10) == b""  # headers never end
        assert time.monotonic() - started < 5


def test_stopping_the_cloud_cuts_its_keep_alive_connections() -> None:
    with DemoCloud(seed=False) as cloud, httpx.Client() as client:
        assert client.get(f"{cloud.cloud.base_url}/identity/v3").status_code == 200
        host, port = cloud.cloud.base_url.removeprefix("http://").rsplit(":", 1)
        idle = socket.create_connection((host, int(port)), timeout=5)
        idle.sendall(b"GET /identity/v3 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert idle.recv(65536).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        cloud.stop()
        assert idle.recv(65536) == b""  # closed, not left waiting for its next request
        assert time.monotonic() - started < 5
        idle.close()


def test_a_dropped_connection_fault_answers_nothing(empty_cloud: DemoCloud) -> None:
    empty_cloud.cloud.faults.add("identity", kind="drop", times=1)
    assert raw(empty_cloud, b"GET /identity/v3 HTTP/1.1\r\nHost: x\r\n\r\n") == b""
    assert b"200 OK" in raw(empty_cloud, b"GET /identity/v3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


def test_a_connection_over_the_limit_is_answered_503() -> None:
    with DemoCloud(seed=False) as cloud:
        assert cloud._server is not None
        cloud._server.max_connections = 2
        host, port = cloud.cloud.base_url.removeprefix("http://").rsplit(":", 1)
        held = [socket.create_connection((host, int(port)), timeout=5) for _ in range(2)]
        try:
            time.sleep(0.2)  # both accepted
            assert raw(cloud, b"").startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
        finally:
            for sock in held:
                sock.close()
