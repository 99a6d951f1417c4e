from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "openiop.careplans"
    label = "careplans"
    verbose_name = "Treatment plans and the clinical summary"

    def ready(self) -> None:
        from openiop.careplans.actions.summary import import_intake_diagnoses
        from openiop.intake.hooks import register_on_admitted

        # The diagnoses recorded at intake open the chart's clinical summary; intake sits
        # below careplans, so careplans asks to hear of each admission.
        register_on_admitted(import_intake_diagnoses)
