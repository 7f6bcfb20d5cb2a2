"""The config file, `$XDG_CONFIG_HOME/netdash/config.toml` (`netdash config path` prints where): the
defaults an operator would otherwise type every time.

    interval = 5            # seconds between refreshes
    max_rps = 10            # API requests per second at most
    read_only = true        # offer no action (the command line can turn it on, not off)
    theme = "nord"          # a Textual theme (the palette's "Theme" tries them live)
    screenshots = "~/shots" # where the palette's Screenshot saves

    [keys]                  # Textual's keymap: binding id = key(s), e.g. to move a key off a clash
    "app.refresh" = "f5"
    "actions.move_fip" = "M"

The command line wins over the file, the file over the built-in defaults. A file that cannot be read, or a
setting that is unknown or of the wrong kind, is one line naming the file and the setting, exit status 2;
a missing file is no file. The theme and the binding ids are checked by the dashboard, which knows them.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigFileError(Exception):
    """The config file is wrong: one line, exit status 2."""


@dataclass(frozen=True)
class Config:
    path: Path
    interval: float | None = None
    max_rps: float | None = None
    read_only: bool = False
    theme: str | None = None
    screenshots: str | None = None
    #: binding id -> keys (Textual's `App.set_keymap`)
    keys: dict[str, str] = field(default_factory=dict)


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "netdash" / "config.toml"


def load(path: Path | None = None) -> Config:
    """The file's settings, checked; defaults only when there is no file."""
    from netdash.cli.main import INTERVAL_RANGE, MAX_RPS_RANGE, number

    path = path or config_path()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"{path}: cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"{path}: not TOML: {exc}") from None

    def setting(name: str, check: Any) -> Any:
        if name not in document:
            return None
        value = document[name]
        try:
            return check(value)
        except (argparse.ArgumentTypeError, ValueError, TypeError) as exc:
            raise ConfigFileError(f"{path}: {name}: {exc}") from None

    def numeric(low_high: tuple[float, float]) -> Any:
        parse = number(float, *low_high)
        return lambda value: parse(str(value)) if isinstance(value, int | float) and not isinstance(value, bool) \
            else _wrong("a number", value)

    def text(value: Any) -> str:
        return value if isinstance(value, str) and value else _wrong("a non-empty string", value)

    def flag(value: Any) -> bool:
        return value if isinstance(value, bool) else _wrong("true or false", value)

    def directory(value: Any) -> str:
        folder = os.path.expanduser(text(value))
        if not os.path.isdir(folder):
            raise ValueError(f"no such directory: {folder!r}")
        return folder

    def keys(value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) and v
                                                  for k, v in value.items()):
            raise ValueError('expected a table of binding id = "key", e.g. "app.refresh" = "f5"')
        return dict(value)

    checks = {"interval": numeric(INTERVAL_RANGE), "max_rps": numeric(MAX_RPS_RANGE), "read_only": flag,
              "theme": text, "screenshots": directory, "keys": keys}
    unknown = sorted(set(document) - set(checks))
    if unknown:
        raise ConfigFileError(f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(checks)})")
    found = {name: setting(name, check) for name, check in checks.items()}
    return Config(path, interval=found["interval"], max_rps=found["max_rps"], read_only=bool(found["read_only"]),
                  theme=found["theme"], screenshots=found["screenshots"], keys=found["keys"] or {})


def _wrong(expected: str, value: Any) -> Any:
    raise ValueError(f"expected {expected}, got {value!r}")


def apply(config: Config, options: argparse.Namespace) -> None:
    """The file's settings where the command line left an option unset."""
    for name in ("interval", "max_rps", "screenshots"):
        if getattr(options, name, None) is None and getattr(config, name) is not None:
            setattr(options, name, getattr(config, name))
    if hasattr(options, "read_only"):
        options.read_only = options.read_only or config.read_only
    options.theme = config.theme
    options.keys = config.keys
    options.config_path = config.path


HELP = "where netdash's config file is (`netdash config path`)"


def register(sub: Any) -> None:
    p = sub.add_parser("config", help=HELP, description=__doc__.split("\n\n")[0] if __doc__ else HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    verbs.add_parser("path", help="print the config file's path (it need not exist)")
