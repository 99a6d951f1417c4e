"""CPU of a Janus process running on this host, read from /proc (Linux).

The process is found through the node's WebSocket port: the listening socket on that port in
/proc/net/tcp{,6}, then the process holding that socket, which must be ``janus``. A node on
another host, in another network namespace, or behind a forwarder is "not reported" (None):
OpenIOP does not guess a figure it cannot measure.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
LISTEN = "0A"


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if (
                len(fields) > 9
                and fields[3] == LISTEN
                and int(fields[1].rsplit(":", 1)[1], 16) == port
            ):
                inodes.add(fields[9])
    return inodes


def janus_pid(url: str) -> int | None:
    parts = urlsplit(url)
    if parts.hostname not in LOCAL_HOSTS or parts.port is None:
        return None
    inodes = {f"socket:[{i}]" for i in _listening_inodes(parts.port)}
    if not inodes:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "janus":
                continue
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    return int(entry.name)
        except OSError:
            continue
    return None


def janus_cpu_ticks(url: str) -> int | None:
    """User + system CPU ticks used so far by the Janus process serving ``url``, or None."""
    pid = janus_pid(url)
    if pid is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])
