from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "openiop.notes"
    label = "notes"
    verbose_name = "Progress, group and psychotherapy notes"
