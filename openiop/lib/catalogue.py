"""Translation catalogues (.po) read and compiled to .mo in pure Python.

Django's `compilemessages` runs GNU gettext's `msgfmt`, a program that a demo machine or a
container may not have. A .mo file is a simple, fixed format (a sorted table of original and
translated strings), so OpenIOP writes it itself: `make demo`, `make test` and a deployment
need no gettext, and only the compiled files are generated, never committed (docs/i18n.md).
What msgfmt leaves out is left out here too: fuzzy entries, untranslated ones and obsolete
(`#~`) ones. The header entry (msgid "") is kept: it names the charset and plural forms.
"""

import ast
import struct
from dataclasses import dataclass, field
from pathlib import Path

MO_MAGIC = 0x950412DE
# gettext's separators: between a message's context and its msgid, and between plural forms.
CONTEXT_SEPARATOR = "\x04"
PLURAL_SEPARATOR = "\x00"


class CatalogueError(ValueError):
    """A .po file this reader cannot make sense of; the message names the line."""


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(text != "" for text in self.msgstr.values())

    @property
    def key(self) -> str:
        """The string a .mo file is searched by."""
        key = self.msgid
        if self.msgid_plural is not None:
            key += PLURAL_SEPARATOR + self.msgid_plural
        if self.msgctxt is not None:
            key = self.msgctxt + CONTEXT_SEPARATOR + key
        return key

    @property
    def value(self) -> str:
        return PLURAL_SEPARATOR.join(self.msgstr[n] for n in sorted(self.msgstr))


def _unquote(text: str, number: int) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise CatalogueError(f"line {number}: expected a quoted string")
    # A .po string uses C escapes, which a Python string literal reads the same way.
    return ast.literal_eval(text)


def parse(text: str) -> list[Entry]:
    """The entries of a .po file, obsolete ones left out."""
    entries: list[Entry] = []
    current = Entry()
    field_name: str | None = None
    plural_index = 0

    def finish() -> None:
        nonlocal current, field_name
        if current.msgstr:
            entries.append(current)
        current, field_name = Entry(), None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            continue
        # An entry ends at a blank line, or where the next one's comments or msgid begin.
        continues = line.startswith(('"', "msgstr["))
        if not line or (current.msgstr and not continues):
            finish()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            elif line.startswith("#:"):
                current.references.extend(line[2:].split())
            field_name = None
            continue
        if line.startswith('"'):
            if field_name is None:
                raise CatalogueError(f"line {number}: a string continues nothing")
            piece = _unquote(line, number)
            if field_name == "msgstr":
                current.msgstr[plural_index] += piece
            else:
                setattr(current, field_name, (getattr(current, field_name) or "") + piece)
            continue
        keyword, _, rest = line.partition(" ")
        current.line = current.line or number
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(current, keyword, _unquote(rest, number))
            field_name = keyword
        elif keyword == "msgstr" or (keyword.startswith("msgstr[") and keyword.endswith("]")):
            plural_index = 0 if keyword == "msgstr" else int(keyword[7:-1])
            current.msgstr[plural_index] = _unquote(rest, number)
            field_name = "msgstr"
        else:
            raise CatalogueError(f"line {number}: unknown keyword {keyword!r}")
    finish()
    return entries


def compile_entries(entries: list[Entry]) -> bytes:
    """The .mo bytes of `entries`: what msgfmt writes, without the optional hash table."""
    kept = {
        entry.key: entry.value
        for entry in entries
        if entry.is_header or (entry.translated and not entry.fuzzy)
    }
    keys = sorted(kept, key=lambda key: key.encode())
    originals = [key.encode() for key in keys]
    translations = [kept[key].encode() for key in keys]
    count = len(keys)
    header_size = 7 * 4
    originals_table = header_size
    translations_table = originals_table + 8 * count
    data_start = translations_table + 8 * count
    offsets: list[int] = []
    data = b""
    for text in originals + translations:
        offsets += [len(text), data_start + len(data)]
        data += text + b"\0"
    header = struct.pack(
        "<7I", MO_MAGIC, 0, count, originals_table, translations_table, 0, data_start
    )
    return header + struct.pack(f"<{4 * count}I", *offsets) + data


def compiled(po: Path) -> bytes:
    return compile_entries(parse(po.read_text(encoding="utf-8")))


def is_current(po: Path) -> bool:
    """Whether `po`'s .mo holds exactly what compiling `po` now would write. Compared by
    content, not by file times, which a checkout or a copy can set in any order."""
    mo = po.with_suffix(".mo")
    return mo.exists() and mo.read_bytes() == compiled(po)


def compile_file(po: Path) -> Path:
    """Write `po`'s .mo beside it unless it is already current; returns the .mo's path."""
    mo = po.with_suffix(".mo")
    content = compiled(po)
    if mo.exists() and mo.read_bytes() == content:
        return mo
    draft = mo.with_name(f".{mo.name}.draft")
    draft.write_bytes(content)
    draft.replace(mo)
    return mo


def compile_tree(root: Path) -> list[Path]:
    """Compile every .po under `root` (a LOCALE_PATHS folder)."""
    return [compile_file(po) for po in sorted(root.glob("*/LC_MESSAGES/*.po"))]
