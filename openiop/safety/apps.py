from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SafetyConfig(AppConfig):
    name = "openiop.safety"
    label = "safety"
    verbose_name = "Safety"

    def ready(self) -> None:
        # Each panel of the alert page registers itself; the emergency details come first.
        from openiop.safety.guards import reinstall_sqlite_guards
        from openiop.safety.panels import (  # noqa: F401
            assessment,
            emergency,
            plan,
            timeline,
        )

        # Every app's migrate, not only this one's: a rebuild of a safety table happens in a
        # safety migration, but running the hook after each app is cheap and order-proof.
        post_migrate.connect(reinstall_sqlite_guards, dispatch_uid="safety-sqlite-guards")

        from openiop.participants import seat_checks
        from openiop.safety.rota import bad_rota_seats

        seat_checks.register(bad_rota_seats)
