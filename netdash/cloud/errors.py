"""Errors a user can act on: every failure of the cloud layer leaves it as one of these.

The TUI shows `title` and `message` (a toast, the stale mark in the header, an error modal) and the CLI
prints `message` as its one line on stderr; neither ever shows a traceback, so the message has to say
what went wrong and what to check. It never carries a password or a token: the client scrubs them out
of anything it quotes from openstacksdk or keystoneauth.
"""

from __future__ import annotations

from .text import visible


class NetdashError(Exception):
    """Base of every error netdash reports to a person."""

    title = "netdash error"

    def __init__(self, message: str, title: str | None = None) -> None:
        # One line, always: a multi-line SDK message would break the header and the CLI contract. And shown
        # as text: it quotes names and the cloud's own error messages, which any user of a project can set.
        self.message = visible(" ".join(message.split()))
        if title is not None:
            self.title = title
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class ConfigError(NetdashError):
    """clouds.yaml, OS_* variables or command-line options do not describe a usable cloud."""

    title = "Configuration error"


class NoCloudConfigured(ConfigError):
    """Nothing names a cloud (no --os-cloud, OS_CLOUD, OS_AUTH_URL or clouds.yaml): callers may fall back
    to the embedded cloud instead of failing."""

    title = "No cloud configured"


class AuthError(NetdashError):
    """Keystone refused the credentials (wrong password, unknown user or project)."""

    title = "Authentication failed"


class CloudUnreachable(NetdashError):
    """No answer from the cloud (connection refused, DNS, timeout): worth retrying later."""

    title = "Cloud unreachable"


class ApiError(NetdashError):
    """The cloud answered, but with an error (a 4xx/5xx of a service, or a body we cannot read)."""

    title = "API error"
    #: the HTTP status of the answer, when there was one (actions tell a refusal from a failure by it)
    status: int | None = None
    #: a 429 given up on: the seconds its Retry-After asked to wait (past the caller's deadline, or longer
    #: than `session.MAX_RETRY_WAIT`); trying again sooner is what the cloud refuses
    retry_after: float | None = None

    def __init__(self, message: str, title: str | None = None, *, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, title)
        if status is not None:
            self.status = status
        if retry_after is not None:
            self.retry_after = retry_after


def refresh_error(exc: Exception) -> NetdashError:
    """What a refresh reports for a failure: a NetdashError as it is; anything else (a bug, an SDK surprise)
    as an ApiError naming it, so that the polling loop goes on and the fetch process can send it."""
    return exc if isinstance(exc, NetdashError) else ApiError(f"refresh failed: {exc.__class__.__name__}: {exc}")
