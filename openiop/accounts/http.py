from django.http import HttpRequest

from openiop.accounts.models import User


class AuthedRequest(HttpRequest):
    """The request type of views behind `login_required`: `user` is a signed-in User."""

    user: User  # type: ignore[assignment]
