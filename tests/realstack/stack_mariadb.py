"""MariaDB for realstack's Nova, Placement and Glance: Debian's server, our own data dir, loopback only.

Nova's scheduler, conductor and compute write in parallel during a boot: sqlite answers "database is
locked" there, so these three services get MariaDB (../shared/realstack.md). It is not the system
service: `mariadbd` runs from `realstack/mariadb/` with its own data dir, socket, port (REALSTACK_MARIADB_PORT,
default 13306, bound to 127.0.0.1) and PID file, in a session of its own, so `stack.py stop` ends exactly
it. The package is installed with apt-get when `mariadbd` is missing (a clean CI machine; realstack runs
as root there). Durability is traded for speed (no doublewrite, no flush per commit): the data is thrown
away at every start anyway.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from stack_services import HOST, STATE, say

WORK = STATE / "mariadb"
DATA = WORK / "data"
SOCKET = WORK / "mysqld.sock"
PID_FILE = STATE / "mariadb.pid"
LOG = WORK / "mariadb.log"
PORT = int(os.environ.get("REALSTACK_MARIADB_PORT", "13306"))
USER, PASSWORD = "realstack", "realstack"
DATABASES = ("nova_api", "nova", "nova_cell0", "placement", "glance")
START_TIMEOUT = 60.0


def url(database: str) -> str:
    """The SQLAlchemy URL the services use: TCP on loopback, PyMySQL (installed into each venv)."""
    return f"mysql+pymysql://{USER}:{PASSWORD}@{HOST}:{PORT}/{database}?charset=utf8"


def server_binary() -> str | None:
    return shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin:/usr/local/sbin")


def ensure_installed() -> bool:
    """apt-get install mariadb-server when it is missing; True when it installed anything. Debian's
    post-install script tries to start the system service: a policy-rc.d that forbids it (as in a
    container) is harmless, and when the service does start it is left alone (we use our own dir)."""
    if server_binary() is not None:
        return False
    say("installing mariadb-server with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "mariadb-server",
                           "mariadb-client"], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:  # a stale package list: update it once, then try again
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
        done = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "mariadb-server",
                               "mariadb-client"], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or server_binary() is None:
        raise SystemExit(f"realstack: apt-get install mariadb-server failed:\n{done.stdout[-2000:]}{done.stderr}")
    return True


def pid() -> int | None:
    """The recorded PID, if that process is still our mariadbd (on our data dir, not a recycled PID)."""
    try:
        number = int(PID_FILE.read_text().strip())
        cmdline = Path(f"/proc/{number}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return number if b"mariadbd" in cmdline and str(DATA).encode() in cmdline else None


def start() -> int:
    """A fresh data dir, the server on loopback, then the databases and the one user the services use."""
    binary = server_binary()
    assert binary is not None
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    init = subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={DATA}", "--user=root",
                           "--auth-root-authentication-method=socket", "--skip-test-db"],
                          capture_output=True, text=True, check=False)
    if init.returncode != 0:
        raise SystemExit(f"realstack: mariadb-install-db failed:\n{init.stdout[-2000:]}{init.stderr}")
    with LOG.open("ab") as log:
        process = subprocess.Popen(
            [binary, "--no-defaults", f"--datadir={DATA}", f"--socket={SOCKET}", f"--port={PORT}",
             f"--bind-address={HOST}", "--user=root", f"--pid-file={WORK / 'mariadbd.pid'}",
             "--skip-name-resolve", "--skip-log-bin", "--innodb-buffer-pool-size=128M",
             "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", "--max-connections=500",
             "--character-set-server=utf8mb3", "--collation-server=utf8mb3_general_ci"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    PID_FILE.write_text(f"{process.pid}\n")
    deadline = time.monotonic() + START_TIMEOUT
    while sql("SELECT 1", check=False).returncode != 0:
        if process.poll() is not None or time.monotonic() > deadline:
            tail = "\n".join(LOG.read_text(errors="replace").splitlines()[-15:])
            raise SystemExit(f"realstack: mariadbd did not start; end of {LOG}:\n{tail}")
        time.sleep(0.1)
    statements = [f"CREATE DATABASE {name} CHARACTER SET utf8mb3" for name in DATABASES]
    statements += [f"CREATE USER '{USER}'@'{HOST}' IDENTIFIED BY '{PASSWORD}'",
                   f"GRANT ALL PRIVILEGES ON *.* TO '{USER}'@'{HOST}'"]
    sql("; ".join(statements))
    return process.pid


def sql(statement: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """As root over the socket (root authenticates by its unix user, as Debian sets it up)."""
    done = subprocess.run(["mariadb", "--no-defaults", f"--socket={SOCKET}", "-uroot", "-e", statement],
                          capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise SystemExit(f"realstack: MariaDB refused {statement!r}: {done.stderr}")
    return done
