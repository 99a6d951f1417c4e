"""Larger request bodies for the few views that take files (SECURITY.md X4).

Every request body is limited by `OPENIOP_MAX_REQUEST_BODY` before anything reads it
(`core.middleware.BodySizeLimitMiddleware`). A view that takes a file names a larger limit,
still bounded, with `@body_limit("SETTING_NAME", message)`; the middleware looks it up only for
a request over the general limit, and answers 413 with `message` when the body is larger still.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

View = TypeVar("View", bound=Callable[..., Any])


def body_limit(setting: str, message: Callable[[], str] | str = "") -> Callable[[View], View]:
    """Let the view take a body of up to `settings.<setting>` bytes."""

    def decorate(view: View) -> View:
        view.body_limit_setting = setting  # type: ignore[attr-defined]
        view.body_limit_message = message  # type: ignore[attr-defined]
        return view

    return decorate


def view_limit(view: Callable[..., Any]) -> tuple[int, str] | None:
    """The view's own limit and its message, if it has one."""
    setting = getattr(view, "body_limit_setting", None)
    if setting is None:
        return None
    message = getattr(view, "body_limit_message", "")
    return int(getattr(settings, setting)), message() if callable(message) else message
