from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "openiop.backups"
    label = "backups"
    verbose_name = "Backups and restore drills"
