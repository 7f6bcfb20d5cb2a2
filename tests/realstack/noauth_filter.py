"""A paste filter that stands in for keystonemiddleware's `authtoken` in Nova's and Glance's pipelines.

Nova has no noauth mode any more, and Glance's own one (`unauthenticated-context`) gives images no owner.
This filter does what authtoken does after a successful token check: it sets the identity headers the next
filter (Nova's `keystonecontext`, Glance's `context`) turns into a request context. Every request is the
admin of realstack's one project, the project Neutron's noauth gives every request, so what Nova creates
in Neutron and what the `openstack` CLI creates are in the same project. Whatever identity headers a
client sent are overwritten, as authtoken does. Loaded by name from the paste files stack_nova.py
writes; the serve_*.py scripts run from this folder, so it is importable in every service's venv.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from wsgi_glue import PROJECT_ID

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

IDENTITY = {
    "HTTP_X_IDENTITY_STATUS": "Confirmed",
    "HTTP_X_USER_ID": "realstack-admin",
    "HTTP_X_USER_NAME": "admin",
    "HTTP_X_USER_DOMAIN_ID": "default",
    "HTTP_X_PROJECT_ID": PROJECT_ID,
    "HTTP_X_TENANT_ID": PROJECT_ID,
    "HTTP_X_PROJECT_NAME": "admin",
    "HTTP_X_PROJECT_DOMAIN_ID": "default",
    "HTTP_X_ROLES": "admin,member,reader",
    "HTTP_X_AUTH_TOKEN": "realstack-noauth",
}


def filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Callable[[App], App]:
    def noauth(app: App) -> App:
        def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            environ.update(IDENTITY)
            return app(environ, start_response)

        return call

    return noauth
