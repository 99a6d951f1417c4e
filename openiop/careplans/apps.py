from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "openiop.careplans"
    label = "careplans"
    verbose_name = "Treatment plans and the clinical summary"
