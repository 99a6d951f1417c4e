from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm

from openiop.lib.text import normalize_email


def _fold_field(data: Any, name: str) -> Any:
    """Fold the typed address before validation, so full-width or mixed-case forms of a
    stored address are recognised instead of rejected as malformed."""
    if data is None or not isinstance(data.get(name), str):
        return data
    data = data.copy()
    data[name] = normalize_email(data[name])
    return data


class LoginForm(AllauthLoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "data" in kwargs:
            kwargs["data"] = _fold_field(kwargs["data"], "login")
        elif args:
            args = (_fold_field(args[0], "login"), *args[1:])
        super().__init__(*args, **kwargs)


class ResetPasswordForm(AllauthResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "data" in kwargs:
            kwargs["data"] = _fold_field(kwargs["data"], "email")
        elif args:
            args = (_fold_field(args[0], "email"), *args[1:])
        super().__init__(*args, **kwargs)
