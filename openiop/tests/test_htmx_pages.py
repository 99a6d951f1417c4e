"""base.html does not load htmx (docs/performance.md): a page that uses hx- attributes, itself
or through a fragment it includes, must load it with includes/htmx.html. Fragments that are
only swapped into a page by htmx need nothing of their own."""

import re
from pathlib import Path

from django.conf import settings

HX = re.compile(r"\shx-(get|post|put|patch|delete|trigger|target|swap|boost|confirm)=")
INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")
LOADS_HTMX = "includes/htmx.html"


def templates() -> dict[str, str]:
    roots = [Path(settings.BASE_DIR) / "templates"]
    roots += sorted((Path(settings.BASE_DIR) / "openiop").glob("*/templates"))
    found: dict[str, str] = {}
    for root in roots:
        for path in root.rglob("*.html"):
            found.setdefault(path.relative_to(root).as_posix(), path.read_text())
    return found


def uses_htmx(name: str, sources: dict[str, str], seen: frozenset[str] = frozenset()) -> bool:
    source = sources.get(name, "")
    if HX.search(source):
        return True
    return any(
        uses_htmx(child, sources, seen | {name})
        for child in INCLUDE.findall(source)
        if child not in seen
    )


def test_every_page_that_uses_htmx_loads_it():
    sources = templates()
    pages = [name for name, source in sources.items() if "{% extends" in source]
    missing = [
        name for name in pages if uses_htmx(name, sources) and LOADS_HTMX not in sources[name]
    ]
    assert missing == [], (
        "These pages use hx- attributes but do not load htmx; add "
        '{% include "includes/htmx.html" %} to their extra_head block: ' + ", ".join(missing)
    )


def test_base_does_not_load_htmx_and_the_room_does():
    sources = templates()
    assert "htmx" not in sources["base.html"]
    assert LOADS_HTMX in sources["telehealth/room.html"]
    assert LOADS_HTMX in sources["telehealth/guests.html"]
