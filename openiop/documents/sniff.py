"""What a file is, from its first bytes (magic numbers), never from its name or the browser's
Content-Type (SECURITY.md X1; WHATWG MIME Sniffing §7 for the signatures).

`sniff(head)` names the format of a file whose first `HEAD_BYTES` bytes are `head`. Only the
formats in `ACCEPTED` may be stored. HTML, SVG and other markup are recognised so that they can
be refused by name: a browser would run their scripts if it ever rendered them.
"""

import re
from dataclasses import dataclass

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Format:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Format("pdf", "a PDF", "application/pdf", ("pdf",))
PNG = Format("png", "a PNG image", "image/png", ("png",))
JPEG = Format("jpeg", "a JPEG image", "image/jpeg", ("jpg", "jpeg"))
TEXT = Format("text", "plain text", "text/plain", ("txt",))
GIF = Format("gif", "a GIF image", "image/gif", ("gif",))
MARKUP = Format("markup", "a web page or SVG image (HTML, SVG or XML)", "text/html", ())
ARCHIVE = Format("archive", "an archive or Office file (ZIP)", "application/zip", ())
UNKNOWN = Format("unknown", "a kind of file OpenIOP does not accept", "", ())

ACCEPTED = (PDF, PNG, JPEG, TEXT)
# Served with their own type (a browser shows them in a download bar or a viewer, and with
# `nosniff` and `sandbox` never as a page); anything else goes out as application/octet-stream.
SERVED_AS_IS = frozenset({PDF.content_type, PNG.content_type, JPEG.content_type})

_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"PK\x03\x04", ARCHIVE),
)
# Markup anywhere in the head of a "text" file: a browser that sniffed it would render it.
_MARKUP = re.compile(
    rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|img|a\s|style|meta|\?xml)",
    re.IGNORECASE,
)
# Controls that plain text does not contain (tab, LF, FF and CR are text).
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(head: bytes) -> Format:
    for signature, found in _SIGNATURES:
        if head.startswith(signature):
            return found
    body = head.removeprefix(b"\xef\xbb\xbf")
    if _MARKUP.search(body):
        return MARKUP
    if body and _is_text(body):
        return TEXT
    return UNKNOWN


def _is_text(data: bytes) -> bool:
    if _BINARY.search(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The head may end inside a character: only its last 3 bytes may be cut short.
        return exc.start >= len(data) - 3 and exc.reason == "unexpected end of data"
    return True


def by_extension(ext: str) -> Format | None:
    return next((f for f in ACCEPTED if ext in f.extensions), None)


def served_type(content_type: str) -> str:
    """The Content-Type a download goes out with."""
    return content_type if content_type in SERVED_AS_IS else "application/octet-stream"
