"""The virus-scan hook: `settings.DOCUMENTS_SCANNER` names `scan(fileobj) -> "clean" |
"infected"`, called on every upload before anything is stored. A scanner that cannot answer
raises `ScanError`, and the upload is refused (fail closed).

Two scanners ship:
- `eicar` (the default) finds only the EICAR test file, so the hook runs for real in tests and
  the demo; it protects nothing.
- `clamd` sends the file to ClamAV's daemon (clamd) with its INSTREAM command, over the socket
  in `DOCUMENTS_CLAMD_ADDRESS` ("unix:/run/clamav/clamd.ctl" or "host:port"). clamd's
  `StreamMaxLength` (25 MB by default) must be at least `DOCUMENTS_MAX_FILE_SIZE`.
Another scanner (a cloud API, say) is a function with the same signature in its own module.
"""

import socket
import struct
from collections.abc import Callable, Iterator
from typing import Any, Literal, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

Verdict = Literal["clean", "infected"]
CHUNK = 64 * 1024
# The EICAR anti-virus test file (eicar.org), in two halves so that this source file is not
# itself reported by a scanner.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class Readable(Protocol):
    """What a scanner reads: an uploaded file, an open file, a BytesIO."""

    def read(self, size: int = ..., /) -> bytes: ...

    def seek(self, offset: int, whence: int = ..., /) -> Any: ...


class ScanError(Exception):
    """The scanner could not give a verdict (not running, timed out, answered oddly)."""


def scanner() -> Callable[[Readable], Verdict] | None:
    """The configured scanner, or None when scanning is turned off."""
    path = settings.DOCUMENTS_SCANNER
    return import_string(path) if path else None


def _chunks(fileobj: Readable) -> Iterator[bytes]:
    fileobj.seek(0)
    return iter(lambda: fileobj.read(CHUNK), b"")


def eicar(fileobj: Readable) -> Verdict:
    """ "infected" for a file that holds the EICAR test string, else "clean"."""
    tail = b""
    for chunk in _chunks(fileobj):
        if EICAR in tail + chunk:
            return "infected"
        tail = chunk[-len(EICAR) :]
    return "clean"


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("unix:"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address.removeprefix("unix:"))
        return sock
    host, _, port = address.rpartition(":")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def clamd(fileobj: Readable) -> Verdict:
    """ClamAV's verdict on the file (clamd's INSTREAM: length-prefixed chunks, then 0)."""
    try:
        with _connect(settings.DOCUMENTS_CLAMD_ADDRESS, settings.DOCUMENTS_CLAMD_TIMEOUT) as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in _chunks(fileobj):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
    except (OSError, ValueError) as exc:
        raise ScanError("clamd did not answer") from exc
    answer = reply.rstrip(b"\0").decode("ascii", "replace")
    if answer.endswith(" FOUND"):
        return "infected"
    if answer.endswith(": OK"):
        return "clean"
    raise ScanError("clamd gave no verdict")
