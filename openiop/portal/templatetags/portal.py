from django import template

from openiop.portal.links import optional_url as _optional_url

register = template.Library()


@register.simple_tag
def optional_url(name: str) -> str:
    """`{% optional_url "outcomes:my_progress" as url %}`: "" when the page is not installed."""
    return _optional_url(name)
