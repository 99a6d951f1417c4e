"""Start-up check: a malformed Janus node list (JANUS_NODES) stops the server with its reason."""

from typing import Any

from django.core.checks import Error, register

from .nodes import NodeListError, configured_nodes


@register()
def check_janus_nodes(app_configs: Any, **kwargs: Any) -> list[Error]:
    try:
        configured_nodes()
    except NodeListError as exc:
        return [
            Error(
                str(exc),
                hint='JANUS_NODES is a JSON list such as [{"name": "a", "url": '
                '"ws://10.0.0.5:8188", "public_url": "wss://video-a.example.org"}] '
                "(docs/video.md, Several Janus servers).",
                id="openiop.E007",
            )
        ]
    return []
