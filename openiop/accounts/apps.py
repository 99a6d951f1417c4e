from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openiop.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from openiop.accounts import checks, signals  # noqa: F401
