"""A file's name as the person's computer gave it, made safe to keep and to send back.

The name never chooses where a file is stored (the server makes that name up); it only names
the download, in a `Content-Disposition` header (RFC 6266). So it must not carry a path, control
characters (NUL, newlines that could split a header), or invisible characters that reorder or
hide text (`invoice\\u202Efdp.exe` shows as "invoiceexe.pdf"; SECURITY.md X5, X7).
"""

import re
import unicodedata

from openiop.lib.text import FORBIDDEN_IN_NAMES

MAX_NAME_LENGTH = 150
MAX_EXTENSION_LENGTH = 10
FALLBACK_NAME = "document"

# Names Windows reserves for devices, whatever the extension (CON.txt opens the console).
_WINDOWS_DEVICES = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)
# Characters Windows refuses in names, and the quote and backslash a header would have to escape.
_RESERVED = re.compile(r'[<>:"|?*\\/]')
# Format characters that stay: ZWNJ and ZWJ join letters in Persian and Indic scripts.
_JOINERS = frozenset("\u200c\u200d")


def _invisible(char: str) -> bool:
    if char in FORBIDDEN_IN_NAMES:
        return True
    category = unicodedata.category(char)
    # Cc: controls (NUL, CR, LF...); Cf: format (bidi controls, zero-width); Zl/Zp: separators.
    return category in ("Cc", "Zl", "Zp") or (category == "Cf" and char not in _JOINERS)


def safe_filename(name: str) -> str:
    """`name` without path, control or invisible characters, at most 150 characters long
    (the extension kept), and never empty."""
    name = unicodedata.normalize("NFC", name or "")
    # Only the last part of a path ("C:\\Users\\x\\letter.pdf" from old browsers, "../../x").
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(char for char in name if not _invisible(char))
    name = _RESERVED.sub("_", name)
    name = " ".join(name.split())
    # No hidden files, no "." or "..", nothing Windows would trim.
    name = name.strip(" .")
    if not name:
        return FALLBACK_NAME
    if _WINDOWS_DEVICES.fullmatch(name):
        name = f"_{name}"
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= MAX_EXTENSION_LENGTH:
            name = f"{stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(' .')}.{extension}"
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(" .")
    return name


def extension(name: str) -> str:
    """The lower-case extension of a (safe) name, without the dot; "" when it has none."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""
