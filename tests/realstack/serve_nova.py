"""Nova's API, conductor, scheduler and compute in ONE process; run by the Nova venv's python.

    serve_nova.py WORK_DIR PORT

The fake oslo.messaging transport only delivers within a process, so the four share one (as Nova's own
functional tests run them). The compute service gets its second RPC server on `compute-alt`, as
nova-compute creates it: Nova sends external events (Neutron's "network changed" after a floating IP is
associated) on that topic, and without a listener a floating IP never shows in the server's addresses.
Once the compute service is up (it has reported its node to Placement), its host is mapped to the cell,
as `nova-manage cell_v2 discover_hosts` would, and only then does the API answer: when the port answers,
servers can be booted.
"""

from __future__ import annotations

import os
import sys

from nova import monkey_patch

monkey_patch.patch(backend="threading")


def main() -> None:
    work, port = sys.argv[1], int(sys.argv[2])
    os.environ["OS_NOVA_CONFIG_DIR"] = work
    os.environ["OS_NOVA_CONFIG_FILES"] = "api-paste.ini;nova.conf"  # the paste file first: Nova loads it
    sys.argv = [sys.argv[0]]  # nova parses sys.argv[1:] as its own options
    from nova import context, objects, service
    from nova.api.openstack import wsgi_app
    from nova.compute import rpcapi as compute_rpcapi
    from nova.objects import host_mapping

    objects.register_all()
    application = wsgi_app.init_application("osapi_compute", "nova-api")
    services = [service.Service.create(binary="nova-conductor", topic="conductor"),
                service.Service.create(binary="nova-scheduler", topic="scheduler")]
    for started in services:
        started.start()
    compute = service.Service.create(binary="nova-compute", topic=compute_rpcapi.RPC_TOPIC,
                                     topic_alt=compute_rpcapi.RPC_TOPIC_ALT)
    compute.start()
    host_mapping.discover_hosts(context.get_admin_context())

    from wsgi_glue import serve

    serve(application, "127.0.0.1", port, serialise=False)


if __name__ == "__main__":
    main()
