from django.apps import AppConfig


class TelehealthConfig(AppConfig):
    name = "openiop.telehealth"
    label = "telehealth"
    verbose_name = "Telehealth"
