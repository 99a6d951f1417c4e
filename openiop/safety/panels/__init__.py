"""The alert page is built from panels, each owned by one part of the safety pathway.

A panel is a function (request, granted alert) -> template context; the page includes each
panel's template (`safety/_alert_<name>.html`). Keeping them apart keeps the page's view thin
and lets each part (emergency details, assessment, safety plan, timeline) change alone.
Each part's module in this package registers its panel; SafetyConfig.ready imports them.
"""

from collections.abc import Callable
from typing import Any

from openiop.accounts.http import AuthedRequest
from openiop.lib.access import Granted
from openiop.safety.models import SafetyAlert

Panel = Callable[[AuthedRequest, Granted[SafetyAlert]], dict[str, Any]]

PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    PANELS.append(panel)
    return panel


def context_for(request: AuthedRequest, granted: Granted[SafetyAlert]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for panel in PANELS:
        context.update(panel(request, granted))
    return context
