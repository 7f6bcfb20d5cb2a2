"""Glance's API (`glance.common.wsgi_app.init_app()`) on a loopback port; run by the Glance venv's python.

    serve_glance.py WORK_DIR PORT

The paste file in WORK_DIR has noauth_filter.py where `authtoken` was (stack_nova.py writes it).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    work, port = sys.argv[1], int(sys.argv[2])
    os.environ["OS_GLANCE_CONFIG_DIR"] = work
    sys.argv = [sys.argv[0]]  # glance parses sys.argv[1:] as its own options
    from glance.common import wsgi_app
    from wsgi_glue import serve

    serve(wsgi_app.init_app(), "127.0.0.1", port, serialise=False)


if __name__ == "__main__":
    main()
