from django.apps import AppConfig


class TelehealthConfig(AppConfig):
    name = "openiop.telehealth"
    label = "telehealth"
    verbose_name = "Telehealth"

    def ready(self) -> None:
        from openiop.safety.hooks_assessment import register_reported_location
        from openiop.telehealth.queries import reported_location

        # Safety sits below telehealth: a signed assessment's next steps show this beside 911.
        register_reported_location(reported_location)
        from openiop.safety.hooks import register_location_provider
        from openiop.telehealth.queries import reported_location

        # A safety alert's page shows where the participant said they were at their current
        # or last session; safety sits below telehealth, so telehealth provides it.
        register_location_provider(reported_location)
