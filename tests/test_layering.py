"""The layering of ARCHITECTURE.md holds at run time too (import-linter checks it statically in `make lint`)."""

from __future__ import annotations

import subprocess
import sys


def loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    names = done.stdout.split()
    return {".".join(name.split(".")[:2]) if name.startswith("netdash.") else name.split(".")[0] for name in names}


def test_democloud_runs_without_netdash_or_client_libraries() -> None:
    loaded = loaded_after("import netdash.democloud, netdash.democloud.__main__; netdash.democloud.Cloud()")
    assert not loaded & {"netdash.tui", "netdash.widgets", "netdash.actions", "netdash.cloud", "openstack",
                         "keystoneauth1", "httpx", "textual"}
