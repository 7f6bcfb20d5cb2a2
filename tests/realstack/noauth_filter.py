"""A paste filter that stands in for keystonemiddleware's `authtoken` in Nova's and Glance's pipelines.

Nova has no noauth mode any more, and Glance's own one (`unauthenticated-context`) gives images no owner.
This filter does what authtoken does after a successful token check: it sets the identity headers the next
filter (Nova's `keystonecontext`, Glance's `context`) turns into a request context. Every request is the
admin of realstack's one project, the project Neutron's noauth gives every request, so what Nova creates
in Neutron and what the `openstack` CLI creates are in the same project. Whatever identity headers a
client sent are overwritten, as authtoken does. Loaded by name from the paste files stack_nova.py
writes; the serve_*.py scripts run from this folder, so it is importable in every service's venv.

Neutron is the exception: its own noauth stays, and `caller_identity` lets a request name another caller
(the differential suite's requests as a member of another project).
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


def caller_identity_factory(global_conf: dict[str, Any], **local_conf: Any) -> Callable[[App], App]:
    """For Neutron, after its `fake_project_id`: a request that sends X-User-Id and X-Project-Id is made
    that caller's context (what `keystonecontext` does behind authtoken), so its roles and project decide
    policy. Without this, noauth makes any request that names a project an admin of no project."""

    def caller_identity(app: App) -> App:
        def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            if environ.get("HTTP_X_USER_ID") and environ.get("HTTP_X_PROJECT_ID"):
                from neutron_lib import context  # Neutron's venv only: this filter is loaded by Neutron

                environ["neutron.context"] = context.Context.from_environ(environ)
            return app(environ, start_response)

        return call

    return caller_identity
