from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm

from openiop.lib.text import normalize_email


class FoldEmailMixin:
    """Fold the typed address before validation, so full-width or mixed-case forms of a
    stored address are recognised instead of rejected as malformed."""

    email_field_name = "email"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "data" in kwargs:
            kwargs["data"] = self._fold(kwargs["data"])
        elif args:
            args = (self._fold(args[0]), *args[1:])
        super().__init__(*args, **kwargs)

    def _fold(self, data: Any) -> Any:
        name = self.email_field_name
        if data is None or not isinstance(data.get(name), str):
            return data
        data = data.copy()
        data[name] = normalize_email(data[name])
        return data


class LoginForm(FoldEmailMixin, AllauthLoginForm):
    email_field_name = "login"


class ResetPasswordForm(FoldEmailMixin, AllauthResetPasswordForm):
    pass
