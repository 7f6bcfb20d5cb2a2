"""Neutron's refusals, as typed errors the rules raise, and the `{"NeutronError": {type, message, detail}}`
body the service renders them as, worded as the real one words them.

Clients (and people) match on `type` and read `message`, so both follow neutron-lib's exception classes.
"""

from __future__ import annotations

from ..core import HttpError
from ..service import Refusal

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
    "subnetpool": ("SubnetPoolNotFound", "Subnet pool {id} could not be found."),
    "agent": ("AgentNotFound", "Agent {id} could not be found."),
}


class NeutronError(Refusal):
    """A refusal: HTTP status, neutron-lib's exception name (`type`) and its message. The service renders
    it as the `NeutronError` body (`body`)."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message

    def body(self) -> dict[str, dict[str, str]]:
        return {"NeutronError": {"type": self.kind, "message": self.message, "detail": ""}}


class BadRequest(NeutronError):
    """400: the request cannot be applied as it stands."""


class Forbidden(NeutronError):
    """403: the policy refuses the caller this action."""


class NotFound(NeutronError):
    """404: no such resource, or not one the caller may see."""


class Conflict(NeutronError):
    """409: the resource's state does not allow it now (in use, already allocated...)."""


BY_STATUS: dict[int, type[NeutronError]] = {400: BadRequest, 403: Forbidden, 404: NotFound, 409: Conflict}


def neutron_error(status: int, kind: str, message: str) -> NeutronError:
    return BY_STATUS.get(status, NeutronError)(status, kind, message)


def not_found(resource: str, ident: str) -> NeutronError:
    kind, template = NOT_FOUND[resource]
    return NotFound(404, kind, template.format(id=ident))


def hidden() -> NeutronError:
    """A resource the policy does not let the caller see, pretended absent: what the API layer's `show` raises
    (webob's HTTPNotFound) for the resources of its own controllers, agents and network IP availability among
    them (realstack answers both so)."""
    return NotFound(404, "HTTPNotFound", "The resource could not be found.")


def bad_request(message: str) -> NeutronError:
    """webob's HTTPBadRequest, which the API layer raises for body and query problems."""
    return BadRequest(400, "HTTPBadRequest", message)


def bad_resource(resource: str, message: str) -> NeutronError:
    """neutron-lib's BadRequest: `Bad <resource> request: <message>.` (a message ending in a period ends in two)."""
    return BadRequest(400, "BadRequest", f"Bad {resource} request: {message}.")


def invalid_input(message: str) -> NeutronError:
    return BadRequest(400, "InvalidInput", f"Invalid input for operation: {message}")


def conflict(kind: str, message: str) -> NeutronError:
    return Conflict(409, kind, message)


def forbidden(action: str) -> NeutronError:
    return Forbidden(403, "PolicyNotAuthorized", f"Policy doesn't allow {action} to be performed.")


def html_not_found(detail: str = "") -> HttpError:
    """A path (or extension alias) Neutron does not know: its web framework's HTML page, not a NeutronError."""
    return HttpError(404, HTML_404.format(detail=detail), content_type="text/html; charset=UTF-8")


def as_http(error: NeutronError) -> HttpError:
    """The answer a refusal becomes (the service's own error hooks return answers, not refusals)."""
    return HttpError(error.status, error.body())
