from django.apps import AppConfig


class TelehealthConfig(AppConfig):
    name = "openiop.telehealth"
    label = "telehealth"
    verbose_name = "Telehealth"

    def ready(self) -> None:
        from openiop.safety.hooks import register_location_provider
        from openiop.telehealth import checks  # noqa: F401  (registers the node-list check)
        from openiop.telehealth.queries import reported_location

        # A safety alert's page, and a signed brief assessment's next steps, show where the
        # participant said they were at their current or last session; safety sits below
        # telehealth, so telehealth provides it.
        register_location_provider(reported_location)
