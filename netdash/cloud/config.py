"""Turning configuration and transport failures into one line a user can act on.

No openstacksdk here (only `cloud.client` imports it): this module knows clouds.yaml as a file, the
keystoneauth exceptions the SDK's session raises, and the error bodies of Neutron, Nova and Octavia.
Every message passes through `scrub`: a password or token that found its way into an exception text
(a URL with credentials, an echoed request) is replaced before anyone sees it.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from .errors import ApiError, AuthError, CloudUnreachable, ConfigError, NetdashError

if TYPE_CHECKING:
    import requests

#: auth keys whose values are secrets (scrubbed from every message)
SECRET_KEYS = ("password", "token", "secret", "application_credential_secret", "passcode", "totp")


def secrets_of(auth: Mapping[str, Any] | None) -> tuple[str, ...]:
    return tuple(str(v) for k, v in (auth or {}).items()
                 if v and any(word in k.lower() for word in SECRET_KEYS) and len(str(v)) >= 3)


def scrub(message: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        message = message.replace(secret, "***")
    return " ".join(message.split())


class VerifyArgs(Protocol):
    """What `tls_verify_of` reads of an openstacksdk CloudRegion (only cloud.client imports openstacksdk)."""

    def get_requests_verify_args(self) -> tuple[bool | str | None, str | tuple[str, str] | None]: ...


def tls_verify_of(region_config: VerifyArgs) -> bool:
    """Whether the session will check certificates: openstacksdk's own reading of `verify`, `insecure`
    (clouds.yaml, OS_INSECURE, `--insecure`) and `cacert`, so the header says what requests will do."""
    verify, _cert = region_config.get_requests_verify_args()
    return verify is not False and verify is not None


def check_cacert(region_config: VerifyArgs, source: str) -> None:
    """A CA bundle named but absent is a configuration error named after where it came from (`source`:
    OS_CACERT, or the cloud's `cacert`), not a TLS failure on the first request."""
    verify, _cert = region_config.get_requests_verify_args()
    if isinstance(verify, str) and not Path(verify).exists():
        raise ConfigError(f"{source} names {verify}, which does not exist")


def config_files(default_files: list[str]) -> list[str]:
    """The clouds.yaml candidates in the order openstacksdk reads them (OS_CLIENT_CONFIG_FILE first)."""
    override = os.environ.get("OS_CLIENT_CONFIG_FILE")
    return [override, *default_files] if override else list(default_files)


def missing_override() -> str | None:
    """The file OS_CLIENT_CONFIG_FILE names when it does not exist (openstacksdk skips it without a word and
    reads the usual places instead, so a typo there would otherwise be reported as some other file's)."""
    override = os.environ.get("OS_CLIENT_CONFIG_FILE")
    return override if override and not Path(override).exists() else None


def check_yaml(files: list[str]) -> str | None:
    """Refuse a clouds.yaml that openstacksdk would silently skip (it only logs a warning and then says
    the cloud does not exist). Returns the file in use, if any. The YAML error's line and column are
    quoted, never the offending text: it may be a password."""
    import yaml

    for name in files:
        path = Path(name)
        if not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text())
        except PermissionError:
            continue  # openstacksdk skips unreadable files too
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {exc.__class__.__name__}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "syntax error"
            raise ConfigError(f"{path} is not valid YAML{where}: {problem}") from None
        if name.endswith(".json"):
            return name
        if not isinstance(data, dict) or not isinstance(data.get("clouds", {}), dict):
            raise ConfigError(f"{path} is not a clouds.yaml: expected a mapping with a 'clouds:' section")
        for cloud, entry in data.get("clouds", {}).items():
            if not isinstance(entry, dict):
                raise ConfigError(f"{path}: cloud {cloud!r} must be a mapping of settings")
        return name
    return None


def host_of(url: Any) -> str:
    text = str(url or "")
    return urlsplit(text).netloc or text or "?"


@contextlib.contextmanager
def connect_errors(auth_url: Any, secrets: tuple[str, ...]) -> Iterator[None]:
    """Authentication and catalog: map keystoneauth's failures to the four kinds a user tells apart."""
    from keystoneauth1 import exceptions as ksa

    where = host_of(auth_url)
    try:
        yield
    except NetdashError:
        raise
    except ksa.Unauthorized:
        raise AuthError(f"authentication refused by {where}: check the user name, password and project") from None
    except ksa.Forbidden:
        raise AuthError(f"{where} refused a token for this project: check the project and domain") from None
    except (ksa.ConnectFailure, ksa.ConnectTimeout, ksa.SSLError, ksa.UnknownConnectionError) as exc:
        raise CloudUnreachable(f"cannot reach the auth URL {auth_url}: {reason(exc, secrets)}") from None
    except ksa.DiscoveryFailure as exc:  # keystoneauth reports a refused connection during discovery this way
        why = reason(exc, secrets)
        if why in TRANSPORT_REASONS:
            raise CloudUnreachable(f"cannot reach the auth URL {auth_url}: {why}") from None
        raise CloudUnreachable(f"no identity API at {auth_url}: {why}") from None
    except ksa.MissingRequiredOptions as exc:
        names = ", ".join(f"--os-{opt.name}" for opt in getattr(exc, "options", ())) or str(exc)
        raise ConfigError(f"the cloud's auth settings are incomplete: missing {names}") from None
    except (ksa.AuthPluginException, ksa.AuthorizationFailure) as exc:
        raise ConfigError(f"cannot authenticate with these settings: {reason(exc, secrets)}") from None
    except ksa.HttpError as exc:
        raise ApiError(f"identity service at {where} answered HTTP {exc.http_status}") from None
    except ksa.ClientException as exc:
        raise ConfigError(f"cannot connect: {reason(exc, secrets)}") from None


@contextlib.contextmanager
def request_errors(service: str, url: str, secrets: tuple[str, ...]) -> Iterator[None]:
    """One request of a fetch: transport failures (the cloud went away) vs everything else."""
    from keystoneauth1 import exceptions as ksa

    try:
        yield
    except NetdashError:
        raise
    except (ksa.ConnectFailure, ksa.ConnectTimeout, ksa.SSLError, ksa.UnknownConnectionError) as exc:
        raise CloudUnreachable(f"{service} API unreachable: {reason(exc, secrets)}") from None
    except ksa.Unauthorized:
        raise AuthError(f"{service} API: the token was refused and re-authentication failed") from None
    except ksa.ClientException as exc:
        raise ApiError(f"{service} {path_of(url)}: {reason(exc, secrets)}") from None


def check_response(service: str, url: str, response: requests.Response, secrets: tuple[str, ...]) -> Any:
    """The JSON body of a 2xx answer, or an ApiError quoting the service's own error message."""
    status = getattr(response, "status_code", 0)
    try:
        body = response.json()
    except ValueError:
        body = None
    if 200 <= status < 300 and body is not None:
        return body
    if 200 <= status < 300:
        raise ApiError(f"{service} {path_of(url)}: HTTP {status} with a body that is not JSON")
    detail = scrub(error_text(body), secrets)
    raise ApiError(f"{service} {path_of(url)}: HTTP {status}" + (f" {detail}" if detail else ""))


def error_text(body: Any) -> str:
    """The message of a Neutron (`NeutronError`), Nova (`itemNotFound`...) or Octavia (`faultstring`) error."""
    if not isinstance(body, dict):
        return ""
    fault = body.get("faultstring")
    if isinstance(fault, str):
        return fault
    for value in body.values():
        message = value.get("message") if isinstance(value, dict) else None
        if isinstance(message, str):
            return message
    return ""


def path_of(url: str) -> str:
    return urlsplit(url).path or url


TRANSPORT_REASONS = ("connection refused", "host name not found", "timed out")


#: what to do about a certificate that is not trusted, as the `openstack` CLI would take it
TLS_HINT = "(trust its CA with cacert in clouds.yaml or OS_CACERT, or pass --insecure)"
#: ... and about one that is trusted but names another host
MISMATCH_HINT = "(use a URL with a name the certificate holds, or pass --insecure)"


def tls_reason(text: str) -> str | None:
    """The reason of a TLS failure, from the end of a keystoneauth/urllib3 message that buries it after the
    URL and the connection pool's repr: "TLS certificate verify failed: self-signed certificate ...",
    a hostname or IP address mismatch, or the TLS alert; None when the text is not a TLS failure."""
    verify = re.search(r"certificate verify failed: (.+?)(?: \(_ssl\.c:\d+\))?['\"]?\)*$", text)
    if verify:
        why = verify.group(1).strip().rstrip(".")
        return f"TLS certificate verify failed: {why} {MISMATCH_HINT if 'mismatch' in why else TLS_HINT}"
    mismatch = re.search(r"hostname '?([^' ]+)'? doesn't match '?([^'\"]+?)'?['\"]?\)*$", text)
    if mismatch:
        return (f"TLS certificate verify failed: hostname mismatch, the certificate is for {mismatch.group(2)}, "
                f"not {mismatch.group(1)} {MISMATCH_HINT}")
    alert = re.search(r"\[SSL: [A-Z0-9_]+\] ([^(')\"]+)", text)
    if alert:
        return f"TLS failed: {alert.group(1).strip()}"
    return None


def reason(exc: BaseException, secrets: tuple[str, ...]) -> str:
    """The first useful line of an exception from keystoneauth/requests, without secrets or reprs."""
    text = str(exc) or exc.__class__.__name__
    tls = tls_reason(text.splitlines()[0]) if text.strip() else None
    if tls is not None:
        return scrub(tls, secrets)
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "host name not found"
    if "timed out" in text.lower():
        return "timed out"
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "connection closed without an answer"
    if "Connection reset" in text:
        return "connection reset"
    return scrub(text.splitlines()[0][:200], secrets)
