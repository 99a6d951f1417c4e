"""Start and stop a Janus process with a configuration folder written by ``janus_config``.

Used by the test suite and by ``make demo``; production runs Janus under its own service
manager with the same folder (``janus -F <dir> -C <dir>/janus.jcfg``).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO


class JanusProcessError(RuntimeError):
    pass


def janus_binary() -> str:
    path = shutil.which("janus") or "/usr/bin/janus"
    if not Path(path).exists():
        raise JanusProcessError("the 'janus' program is missing; install the Debian package")
    return path


def command(config_dir: str | Path) -> list[str]:
    folder = Path(config_dir).resolve()
    return [janus_binary(), "-F", str(folder), "-C", str(folder / "janus.jcfg")]


class JanusProcess:
    """A Janus child process; ``prefix`` runs it through e.g. ``ip netns exec <name>``."""

    def __init__(
        self,
        config_dir: str | Path,
        *,
        prefix: Sequence[str] = (),
        log_path: str | Path | None = None,
    ) -> None:
        self.config_dir = Path(config_dir)
        self.prefix = list(prefix)
        self.log_path = Path(log_path) if log_path else self.config_dir / "janus.log"
        self.popen: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> JanusProcess:
        if self.popen and self.popen.poll() is None:
            raise JanusProcessError("Janus is already running")
        self._log = self.log_path.open("ab")
        self.popen = subprocess.Popen(  # noqa: S603 (fixed argv, no shell)
            [*self.prefix, *command(self.config_dir)],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_ready(self, is_ready: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen is None or self.popen.poll() is not None:
                raise JanusProcessError(f"Janus exited early; see {self.log_path}")
            if is_ready():
                return
            time.sleep(0.05)
        raise JanusProcessError(f"Janus not ready after {timeout} s; see {self.log_path}")

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """Die at once, as in a crash (no goodbye to clients)."""
        if self.popen and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(5)

    def stop(self, timeout: float = 5.0) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        if self._log:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
