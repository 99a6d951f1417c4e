from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "openiop.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from openiop.documents import checks  # noqa: F401  (registers the deploy check)
