"""Throwaway PostgreSQL clusters for the fault benchmarks, from Debian's installed binaries.

initdb and postgres refuse to run as root, so as root they run as the postgres user. Each
cluster lives under /tmp (the postgres user may not enter a home folder) and is gone after.
"""

import os
import shutil
import subprocess
from pathlib import Path


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not found:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    return found[-1]


def as_owner(*command: str, check: bool = True) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], check=check, capture_output=True, text=True)


def fresh_folder(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres")


def init(data: Path, settings: str = "", hba: str = "") -> None:
    as_owner(str(pg_bin() / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust")
    if settings:
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(settings)
    if hba:
        with (data / "pg_hba.conf").open("a") as conf:
            conf.write(hba)


def ctl(data: Path, port: int, action: str = "start") -> None:
    """pg_ctl start, stop or restart (fast shutdown: sessions are cut, as in a crash-restart)."""
    args = ["-D", str(data), "-w", action]
    if action in ("start", "restart"):
        options = f"-p {port} -k /tmp -c listen_addresses=127.0.0.1"
        args += ["-l", str(data / "server.log"), "-o", options]
    if action in ("stop", "restart"):
        args += ["-m", "fast"]
    as_owner(str(pg_bin() / "pg_ctl"), *args)


def stop_if_running(data: Path) -> None:
    if (data / "postmaster.pid").exists():
        as_owner(str(pg_bin() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop", check=False)
