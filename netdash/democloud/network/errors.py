"""Neutron's error answers: `{"NeutronError": {type, message, detail}}`, worded as the real one words them.

Clients (and people) match on `type` and read `message`, so both follow neutron-lib's exception classes.
"""

from __future__ import annotations

from ..core import HttpError

HTML_404 = (
    "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n"
    "  The resource could not be found.<br /><br />\n{detail}\n\n\n </body>\n</html>"
)
HTML_405 = (
    "<html>\n <head>\n  <title>405 Method Not Allowed</title>\n </head>\n <body>\n"
    "  <h1>405 Method Not Allowed</h1>\n  The method {method} is not allowed for this resource.<br /><br />"
    "\n\n\n\n </body>\n</html>"
)

# How each resource's NotFound reads: neutron-lib is not consistent about the final period.
NOT_FOUND = {
    "network": ("NetworkNotFound", "Network {id} could not be found."),
    "subnet": ("SubnetNotFound", "Subnet {id} could not be found."),
    "port": ("PortNotFound", "Port {id} could not be found."),
    "router": ("RouterNotFound", "Router {id} could not be found"),
    "floatingip": ("FloatingIPNotFound", "Floating IP {id} could not be found"),
    "security_group": ("SecurityGroupNotFound", "Security group {id} does not exist"),
    "security_group_rule": ("SecurityGroupRuleNotFound", "Security group rule {id} does not exist"),
}


def neutron_error(status: int, kind: str, message: str) -> HttpError:
    return HttpError(status, {"NeutronError": {"type": kind, "message": message, "detail": ""}})


def not_found(resource: str, ident: str) -> HttpError:
    kind, template = NOT_FOUND[resource]
    return neutron_error(404, kind, template.format(id=ident))


def bad_request(message: str) -> HttpError:
    """webob's HTTPBadRequest, which the API layer raises for body and query problems."""
    return neutron_error(400, "HTTPBadRequest", message)


def bad_resource(resource: str, message: str) -> HttpError:
    """neutron-lib's BadRequest: `Bad <resource> request: <message>`."""
    return neutron_error(400, "BadRequest", f"Bad {resource} request: {message}")


def invalid_input(message: str) -> HttpError:
    return neutron_error(400, "InvalidInput", f"Invalid input for operation: {message}")


def conflict(kind: str, message: str) -> HttpError:
    return neutron_error(409, kind, message)


def forbidden(action: str) -> HttpError:
    return neutron_error(403, "PolicyNotAuthorized", f"Policy doesn't allow {action} to be performed.")


def html_not_found(detail: str = "") -> HttpError:
    return HttpError(404, HTML_404.format(detail=detail), content_type="text/html; charset=UTF-8")
