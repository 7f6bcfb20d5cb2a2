"""Octavia's error answers, worded as the real API words them (WSME `faultstring`s and Octavia exceptions).

Clients show `faultstring` to users verbatim and octaviaclient matches some of them, so the wording follows
`octavia/common/exceptions.py` and WSME rather than anything of our own.
"""

from __future__ import annotations

from typing import Any

from ..core import HttpError


def fault(status: int, message: str) -> HttpError:
    """The WSME error body every Octavia error has: `faultcode`, `faultstring`, `debuginfo`."""
    code = "Client" if status < 500 else "Server"
    return HttpError(status, {"faultcode": code, "faultstring": message, "debuginfo": None})


def not_found(resource: str, ident: str) -> HttpError:
    """`NotFound`: no such object (another project's exists: its answer is `forbidden`, as Octavia's)."""
    return fault(404, f"{resource} {ident} not found.")


def invalid_subresource(resource: str, ident: str) -> HttpError:
    """`InvalidSubresource`: a referenced Neutron object (subnet, network, port) that does not exist."""
    return fault(400, f"{resource} {ident} not found.")


def immutable(resource: str, ident: str) -> HttpError:
    """`ImmutableObject`: the load balancer is PENDING_*; Octavia names the LB, not the object changed."""
    return fault(409, f"{resource} {ident} is immutable and cannot be updated.")


def validation(detail: str) -> HttpError:
    return fault(400, f"Validation failure: {detail}")


def invalid_option(value: Any, option: str) -> HttpError:
    return fault(400, f"{value} is not a valid option for {option}")


def invalid_input(field: str, value: Any, why: str) -> HttpError:
    """WSME `InvalidInput`, the answer to a field of the wrong type or out of range."""
    return fault(400, f"Invalid input for field/attribute {field}. Value: '{value}'. {why}")


def unknown_attributes(argument: str, names: list[str]) -> HttpError:
    plural = "s" if len(names) > 1 else ""
    return fault(400, f"Unknown attribute{plural} for argument {argument}: {', '.join(sorted(names))}")


def forbidden() -> HttpError:
    return fault(403, "Policy does not allow this request to be performed.")
