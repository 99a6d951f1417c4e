"""How values reach people: `{% load display %}` in any template.

Kept in `accounts` because every app sits above it and the library needs only `openiop.lib`;
loading a tag library from a template creates no Python import, so the layer order holds.
"""

from typing import Any

from django import template

from openiop.lib.phone import display_phone

register = template.Library()


@register.filter
def phone(value: Any) -> str:
    """US numbers as (555) 555-0100, others as +44 20 7946 0000."""
    return display_phone(value)
