from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openiop.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from openiop.core import checks  # noqa: F401 (registers the start-up checks)
        from openiop.core.board import register_section
        from openiop.core.board_billing import authorizations_section

        # Billing's authorizations on the director's board (it sits below core).
        register_section(authorizations_section)

        from django.core.signals import request_finished

        from openiop.lib.requestids import forget_request_id

        request_finished.connect(forget_request_id, dispatch_uid="openiop.forget_request_id")
