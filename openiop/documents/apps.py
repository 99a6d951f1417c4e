from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "openiop.documents"
    label = "documents"
    verbose_name = "Documents"
