from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "openiop.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from openiop.assessments.risk import risk_instruments_for
        from openiop.safety.hooks_assessment import register_risk_instruments

        # Safety sits below assessments: it asks for site suicide-risk instruments here.
        register_risk_instruments(risk_instruments_for)
