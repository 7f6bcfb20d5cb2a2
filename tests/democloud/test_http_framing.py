"""The embedded cloud's HTTP front end: a body that cannot be framed is a 400 (or 413), never a silently
dropped connection; deeply nested JSON is the service's own 400; silent connections are closed."""

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


@pytest.mark.parametrize(("headers", "body", "status"), [
    (b"Content-Length: ten\r\n", b"", b"400"),
    (b"Content-Length: -5\r\n", b"", b"400"),
    (b"Content-Length: 1099511627776\r\n", b"", b"413"),
    (b"Transfer-Encoding: chunked\r\n", b"zz\r\nabc\r\n0\r\n\r\n", b"400"),
    (b"Transfer-Encoding: chunked\r\n", f"{MAX_BODY + 1:x}\r\n".encode(), b"413"),
], ids=["not a number", "negative", "a terabyte", "bad chunk size", "chunk too large"])
def test_a_body_that_cannot_be_framed_is_answered_then_closed(empty_cloud: DemoCloud, headers: bytes, body: bytes,
                                                              status: bytes) -> None:
    answer = raw(empty_cloud, b"POST /networking/v2.0/networks HTTP/1.1\r\nHost: x\r\n" + headers
                 + b"Content-Type: application/json\r\n\r\n" + body)
    assert answer.startswith(b"HTTP/1.1 " + status), answer[:200]
    assert b"Connection: close" in answer


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
