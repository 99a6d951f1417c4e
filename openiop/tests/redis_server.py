"""A real Redis for the tests that need one, found or started once per test run.

OPENIOP_TEST_REDIS_URL names it; else database 15 of the Redis on 127.0.0.1:6379 (CI's, or
the Debian package's service); else a private `redis-server` (Debian package redis-server,
scripts/packages-test.txt) on a Unix socket in a temporary folder, stopped when the run ends.
The tests empty that database: never point it at a Redis that holds anything.
"""

import atexit
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis

DEFAULT_URL = "redis://127.0.0.1:6379/15"

_url: str | None = None


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def _start_private() -> str:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise RuntimeError(
            "No Redis answers on 127.0.0.1:6379 and redis-server is not installed "
            "(apt-get install redis-server, or set OPENIOP_TEST_REDIS_URL)."
        )
    folder = Path(tempfile.mkdtemp(prefix="openiop-redis-"))
    socket = folder / "redis.sock"
    process = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700",
         "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def stop() -> None:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    url = f"unix://{socket}?db=0"
    deadline = time.monotonic() + 10
    while not _answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("The private redis-server did not start.")
        time.sleep(0.05)
    return url


def redis_url() -> str:
    """The URL of an empty Redis database for this test run."""
    global _url
    if _url is None:
        import os

        wanted = os.environ.get("OPENIOP_TEST_REDIS_URL", "")
        if wanted:
            _url = wanted
        elif _answers(DEFAULT_URL):
            _url = DEFAULT_URL
        else:
            _url = _start_private()
    redis.Redis.from_url(_url).flushdb()
    return _url
