"""realstack's own HTTP calls to its services (stdlib only): is it up, and JSON requests to set it up."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

#: straight to loopback, whatever http_proxy says
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def answers(url: str) -> bool:
    try:
        with HTTP.open(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer: the API is up
    except OSError:
        return False


def request(method: str, url: str, body: Any = None, *, content_type: str = "application/json",
            headers: dict[str, str] | None = None) -> Any:
    """JSON in and out; `body` as bytes is sent as it is (an image's data)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": content_type, "Accept": "application/json", **(headers or {})})
    with HTTP.open(req, timeout=60) as response:
        return json.loads(response.read() or b"null")
