"""Links to pages that may not exist yet in this build.

Parts of the portal land in parallel (the progress charts are one); Today links to such a page
only once its URL is installed, instead of failing to render.
"""

from django.urls import NoReverseMatch, reverse


def optional_url(name: str) -> str:
    """The path of URL `name`, or "" when no such page is installed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
