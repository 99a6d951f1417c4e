"""`{% main_menu %}`: the signed-in person's menu (openiop/core/menus.py), in base.html.

A tag library in core is usable from any app's templates: loading a library is no Python
import, so the layer order holds."""

from typing import Any

from django import template

from openiop.core.menus import menu_for

register = template.Library()


@register.inclusion_tag("core/_menu.html", takes_context=True)
def main_menu(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None:
        return {"links": []}
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    return {"links": menu_for(user, view_name)}
