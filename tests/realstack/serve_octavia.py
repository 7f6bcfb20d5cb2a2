"""Octavia's API and its v2 controller worker in ONE process; run by the Octavia venv's python.

    serve_octavia.py CONFIG_FILE PORT

The fake oslo.messaging transport only delivers within a process: with the worker elsewhere, every load
balancer would stay PENDING_CREATE. The worker's RPC server runs on its own threads beside the API's.
"""

from __future__ import annotations

import sys


def main() -> None:
    config_file, port = sys.argv[1], int(sys.argv[2])
    sys.argv = [sys.argv[0], "--config-file", config_file]
    from octavia.api import app

    application = app.setup_app(argv=sys.argv)
    from octavia.controller.queue.v2.consumer import ConsumerService
    from oslo_config import cfg

    ConsumerService(1, cfg.CONF).run()

    from wsgi_glue import PROJECT_ID, serve

    serve(application, "127.0.0.1", port, project_id=PROJECT_ID)


if __name__ == "__main__":
    main()
