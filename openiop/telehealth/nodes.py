"""The Janus pool: which Janus servers exist, read from settings (no database here).

``JANUS_NODES`` is a JSON list of ``{"name", "url", "public_url"}``: ``url`` is where Django
connects, ``public_url`` what browsers connect to (``wss://…`` through the reverse proxy).
Unset, the pool is one node named ``default`` built from ``JANUS_WS_IP``/``JANUS_WS_PORT`` and
``JANUS_PUBLIC_URL``, so a one-Janus install changes nothing. A malformed list is refused by
the system check ``openiop.E007`` (``manage.py check``, ``migrate``, ``runserver``) and by every
use, with a message naming the problem.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

DEFAULT_NODE = "default"
# Short codes: they label metrics and go on the audit trail.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


@dataclass(frozen=True)
class NodeConfig:
    name: str
    url: str
    public_url: str


class NodeListError(ImproperlyConfigured):
    """JANUS_NODES is malformed; the message names the problem."""


def _ws_url(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise NodeListError(f"JANUS_NODES: {where} is missing or not a string.")
    parts = urlsplit(value)
    if parts.scheme not in ("ws", "wss"):
        raise NodeListError(
            f"JANUS_NODES: {where} {value!r} must start with ws:// or wss:// "
            "(Janus's WebSocket transport)."
        )
    if not parts.hostname:
        raise NodeListError(f"JANUS_NODES: {where} {value!r} has no host.")
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError as exc:
        raise NodeListError(f"JANUS_NODES: {where} {value!r} has a bad port.") from exc
    return value


def parse_nodes(raw: str) -> list[NodeConfig]:
    """The node list from its JSON text; raises NodeListError on anything malformed."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise NodeListError(f"JANUS_NODES is not valid JSON: {exc}.") from exc
    if not isinstance(data, list) or not data:
        raise NodeListError("JANUS_NODES must be a non-empty JSON list of nodes.")
    nodes: list[NodeConfig] = []
    seen: set[str] = set()
    for index, item in enumerate(data):
        where = f"node #{index + 1}"
        if not isinstance(item, dict):
            raise NodeListError(f"JANUS_NODES: {where} is not an object.")
        unknown = set(item) - {"name", "url", "public_url"}
        if unknown:
            raise NodeListError(f"JANUS_NODES: {where} has unknown keys {sorted(unknown)}.")
        name = item.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise NodeListError(
                f"JANUS_NODES: {where} needs a name of letters, digits, '.', '_' or '-' "
                f"(at most 40), got {name!r}."
            )
        if name in seen:
            raise NodeListError(f"JANUS_NODES: the name {name!r} is used twice.")
        seen.add(name)
        url = _ws_url(item.get("url"), f"url of node {name!r}")
        public = _ws_url(item.get("public_url", url), f"public_url of node {name!r}")
        nodes.append(NodeConfig(name=name, url=url, public_url=public))
    return nodes


def default_node() -> NodeConfig:
    from django.conf import settings

    host = settings.JANUS_WS_IP
    host = f"[{host}]" if ":" in host else host
    url = f"ws://{host}:{settings.JANUS_WS_PORT}"
    return NodeConfig(name=DEFAULT_NODE, url=url, public_url=settings.JANUS_PUBLIC_URL)


def configured_nodes() -> list[NodeConfig]:
    """Every node of the pool, in configuration order (read at call time)."""
    from django.conf import settings

    raw = getattr(settings, "JANUS_NODES", "")
    if isinstance(raw, list):  # set from Python (tests, a settings module)
        raw = json.dumps(raw)
    if not raw or not raw.strip():
        return [default_node()]
    return parse_nodes(raw)


def get_node(name: str) -> NodeConfig | None:
    return next((n for n in configured_nodes() if n.name == name), None)


def public_urls() -> list[str]:
    """Every URL a room page may need to reach (a room can move to another node)."""
    return sorted({n.public_url for n in configured_nodes()})


def node_public_url(name: str) -> str:
    """What browsers connect to for a room on node ``name`` (the first node if it is gone:
    the client then fails fast, asks for a fresh ticket, and the room is re-placed)."""
    config = get_node(name)
    return (config or configured_nodes()[0]).public_url
