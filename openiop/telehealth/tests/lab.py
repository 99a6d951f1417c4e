"""A private network lab for real-media tests (VIDEO.md, "Testing video for real, offline").

``VideoLab`` creates a network namespace of its own (``ip netns add``), gives it one interface
that exists only inside it (an empty bridge with 10.99.0.1, because Janus never gathers ICE
candidates on loopback), runs Janus in it with an OpenIOP-written config, and launches Debian's
Chromium in it through a tiny wrapper script. No media packet can leave the namespace.

Servers that run in the test process (a static page server, Django's live server) are reached
from inside the namespace through ``expose()``: a listening socket created *inside* the
namespace (the creating thread joins it with setns) whose connections are piped to the
host-side server. ``connect()`` does the reverse for the Janus adapter.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from openiop.telehealth import janus, janus_config
from openiop.telehealth.process import JanusProcess

T = TypeVar("T")

CLONE_NEWNET = 0x40000000
MEDIA_IP = "10.99.0.1"
JANUS_WS_PORT = 8188
CHROMIUM = "/usr/bin/chromium"


METRICS = Path("test-artifacts/video-metrics.json")


def record_metrics(name: str, values: dict[str, Any]) -> None:
    """Keep measured figures with the test run (printed with -s, saved for the report)."""
    print(f"\n{name}: {values}")
    METRICS.parent.mkdir(exist_ok=True)
    data = json.loads(METRICS.read_text()) if METRICS.exists() else {}
    data[name] = values
    METRICS.write_text(json.dumps(data, indent=2))


def chromium_args(extra_hosts: tuple[str, ...] = ()) -> list[str]:
    exclude = ", ".join(f"EXCLUDE {h}" for h in ("127.0.0.1", MEDIA_IP, *extra_hosts))
    return [
        "--no-sandbox",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-features=WebRtcHideLocalIpsWithMdns",
        # Stops Chromium's own background lookups; the pages only use these two addresses.
        f"--host-resolver-rules=MAP * ~NOTFOUND, {exclude}",
        # Keeps timers and media running in pages that are not in front.
        "--disable-renderer-backgrounding",
        "--disable-background-timer-throttling",
        "--autoplay-policy=no-user-gesture-required",
    ]


def netns_available() -> str | None:
    """Return why a namespace lab cannot run here, or None when it can."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if not shutil.which("ip") or not shutil.which("janus") or not Path(CHROMIUM).exists():
        return "needs iproute2, janus and chromium (Debian packages)"
    return None


SKIP_ENV = "OPENIOP_SKIP_JANUS"


def require_lab() -> None:
    """Fail the calling test when the lab cannot run here; skip only on explicit request.

    A silent skip would let a green run hide that no real media was tested. A developer without
    root or Janus may set OPENIOP_SKIP_JANUS=1 (the skip then shows that reason); CI (CI=true)
    and ``make test`` (which runs under make, so MAKELEVEL is set) never skip.
    """
    reason = netns_available()
    if reason is None:
        return
    automated = os.environ.get("CI", "").lower() in ("true", "1") or "MAKELEVEL" in os.environ
    if os.environ.get(SKIP_ENV) == "1" and not automated:
        pytest.skip(f"{SKIP_ENV}=1 and this machine cannot run real-Janus tests: {reason}")
    pytest.fail(
        f"Real-Janus tests cannot run here: {reason}. Run them as root with iproute2, janus and "
        f"chromium installed"
        + ("." if automated else f", or set {SKIP_ENV}=1 to skip them on this machine."),
        pytrace=False,
    )


class NetNamespace:
    def __init__(self) -> None:
        self.name = f"oiop-{secrets.token_hex(4)}"
        self.path = f"/var/run/netns/{self.name}"
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []

    @property
    def prefix(self) -> list[str]:
        return ["ip", "netns", "exec", self.name]

    def _sh(self, *cmd: str) -> None:
        subprocess.run([*self.prefix, *cmd], check=True, capture_output=True)

    def create(self) -> NetNamespace:
        subprocess.run(["ip", "netns", "add", self.name], check=True, capture_output=True)
        try:
            self._sh("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
            self._sh("sysctl", "-qw", "net.ipv4.igmp_link_local_mcast_reports=0")
            self._sh("ip", "link", "set", "lo", "up")
            # No dummy interfaces in this kernel; an empty bridge is enough for ICE.
            self._sh("ip", "link", "add", "t0", "type", "bridge")
            self._sh("ip", "addr", "add", f"{MEDIA_IP}/24", "dev", "t0")
            self._sh("ip", "link", "set", "t0", "up")
        except BaseException:
            self.delete()
            raise
        return self

    def delete(self) -> None:
        self._stop.set()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()
        subprocess.run(["ip", "netns", "del", self.name], check=False, capture_output=True)

    def inside(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on a short-lived thread that has joined the namespace.

        Sockets keep the namespace they were created in, so a socket made here can then be
        used from any thread.
        """
        result: dict[str, Any] = {}

        def run() -> None:
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open(self.path, os.O_RDONLY)
                try:
                    if libc.setns(fd, CLONE_NEWNET) != 0:
                        raise OSError(ctypes.get_errno(), "setns failed")
                finally:
                    os.close(fd)
                result["value"] = fn()
            except BaseException as exc:
                result["error"] = exc

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        if "error" in result:
            raise result["error"]
        return result["value"]  # type: ignore[no-any-return]

    def connect(self, host: str, port: int, timeout: float = 5.0) -> socket.socket:
        return self.inside(lambda: socket.create_connection((host, port), timeout=timeout))

    def expose(self, host_port: int, ns_port: int | None = None) -> int:
        """Make 127.0.0.1:host_port (test process) reachable as 127.0.0.1:ns_port inside."""
        port = host_port if ns_port is None else ns_port

        def make() -> socket.socket:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen(64)
            return sock

        listener = self.inside(make)
        self._sockets.append(listener)
        self._serve(listener, lambda: socket.create_connection(("127.0.0.1", host_port)))
        return int(listener.getsockname()[1])

    def forward_in(self, ns_port: int) -> int:
        """Make 127.0.0.1:ns_port inside reachable from the test process; returns host port."""
        listener = socket.create_server(("127.0.0.1", 0))
        self._sockets.append(listener)
        self._serve(listener, lambda: self.connect("127.0.0.1", ns_port))
        return int(listener.getsockname()[1])

    def _serve(self, listener: socket.socket, dial: Callable[[], socket.socket]) -> None:
        def accept_loop() -> None:
            while not self._stop.is_set():
                try:
                    client, _ = listener.accept()
                except OSError:
                    return
                try:
                    upstream = dial()
                except OSError:
                    client.close()
                    continue
                upstream.settimeout(None)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

        threading.Thread(target=accept_loop, daemon=True).start()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            dst.close()


class VideoLab:
    """Namespace + Janus + a Chromium launcher, torn down together."""

    def __init__(self, workdir: Path | None = None) -> None:
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="openiop-video-"))
        self.ns = NetNamespace()
        self.config = janus_config.JanusConfig(
            admin_key=secrets.token_urlsafe(24),
            token_secret=secrets.token_urlsafe(40),
            ws_ip="127.0.0.1",
            ws_port=JANUS_WS_PORT,
            media_ip=MEDIA_IP,
            rtp_port_range="20000-20999",
        )
        self.janus: JanusProcess | None = None
        self.janus_host_port = 0

    # Janus -------------------------------------------------------------------------------

    @property
    def browser_janus_url(self) -> str:
        """Janus as the pages in the namespace see it."""
        return f"ws://127.0.0.1:{JANUS_WS_PORT}"

    def client(self) -> janus.JanusClient:
        """An adapter connected from the test process (through ``forward_in``)."""
        return janus.JanusClient(
            f"ws://127.0.0.1:{self.janus_host_port}",
            admin_key=self.config.admin_key,
            token_secret=self.config.token_secret,
        )

    def health(self) -> janus.Health:
        return janus.health(f"ws://127.0.0.1:{self.janus_host_port}", timeout=1.0)

    def start_janus(self) -> None:
        janus_config.write_config(self.config, self.workdir / "janus")
        self.janus = JanusProcess(self.workdir / "janus", prefix=self.ns.prefix)
        self.janus.start()
        self.janus.wait_ready(lambda: self.health().ok, timeout=15)

    def restart_janus(self, down_seconds: float = 0.0) -> None:
        assert self.janus is not None
        self.janus.kill()
        time.sleep(down_seconds)
        self.janus.start()
        self.janus.wait_ready(lambda: self.health().ok, timeout=15)

    # Chromium ----------------------------------------------------------------------------

    def janus_cpu_seconds(self) -> float:
        """CPU time Janus has used so far (user + system), for load figures."""
        assert self.janus is not None and self.janus.popen is not None
        stat = Path(f"/proc/{self.janus.popen.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def chromium_wrapper(self) -> str:
        """An executable that starts Debian's Chromium inside the namespace."""
        path = self.workdir / "chromium-in-netns"
        path.write_text(f'#!/bin/sh\nexec ip netns exec {self.ns.name} {CHROMIUM} "$@"\n')
        path.chmod(0o755)
        return str(path)

    def launch_options(self) -> dict[str, Any]:
        return {
            "executable_path": self.chromium_wrapper(),
            "headless": True,
            "args": chromium_args(),
            "chromium_sandbox": False,
        }

    # Lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> VideoLab:
        self.ns.create()
        try:
            self.janus_host_port = self.ns.forward_in(JANUS_WS_PORT)
            self.start_janus()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self.janus:
            self.janus.stop()
        self.ns.delete()


@contextlib.contextmanager
def video_lab() -> Iterator[VideoLab]:
    with VideoLab() as lab:
        yield lab
