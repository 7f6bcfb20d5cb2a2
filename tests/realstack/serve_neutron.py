"""Neutron's API (`neutron.wsgi.api:application`) on a loopback port; run by the Neutron venv's python.

    serve_neutron.py CONFIG_DIR PORT
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    config_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    os.environ["OS_NEUTRON_CONFIG_DIR"] = str(config_dir)
    os.environ["OS_NEUTRON_CONFIG_FILES"] = "neutron.conf;ml2_conf.ini"
    sys.argv = [sys.argv[0]]  # neutron parses sys.argv[1:] as its own options
    from neutron.wsgi.api import application
    from wsgi_glue import serve

    serve(application, "127.0.0.1", port)


if __name__ == "__main__":
    main()
