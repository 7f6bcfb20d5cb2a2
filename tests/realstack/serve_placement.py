"""Placement's API (`placement.wsgi.api:application`) on a loopback port; run by the Placement venv's python.

    serve_placement.py WORK_DIR PORT

Placement's own `noauth2` takes the token for the user: `admin` is its admin. Nova's report client
(keystoneauth's `none` plugin) sends the token `notused`, a user without roles that Placement's policy
refuses, so every request is made the admin's, as noauth_filter.py does for Nova and Glance.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, cast


def main() -> None:
    work, port = sys.argv[1], int(sys.argv[2])
    os.environ["OS_PLACEMENT_CONFIG_DIR"] = work
    sys.argv = [sys.argv[0]]  # placement parses sys.argv[1:] as its own options
    from placement.wsgi.api import application
    from wsgi_glue import App, serve

    def as_admin(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["HTTP_X_AUTH_TOKEN"] = "admin"
        return cast(App, application)(environ, start_response)

    serve(as_admin, "127.0.0.1", port, serialise=False)


if __name__ == "__main__":
    main()
