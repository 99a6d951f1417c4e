from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openiop.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from openiop.core.board import register_section
        from openiop.core.board_billing import authorizations_section

        # Billing's authorizations on the director's board (it sits below core).
        register_section(authorizations_section)
