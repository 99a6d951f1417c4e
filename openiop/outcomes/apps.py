from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "openiop.outcomes"
    label = "outcomes"
    verbose_name = "Measurement-based care"
