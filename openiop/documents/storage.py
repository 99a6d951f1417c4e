"""Where documents' files live: `STORAGES["documents"]` (config/settings.py).

`PrivateFileStorage`, the default, keeps them on the file system under `var/documents/`
(0700 folders, 0600 files), outside the static and media roots; it has no URL, so a file is only
ever sent by the download view, through the chart's gate. An S3-compatible store replaces it by
setting DOCUMENTS_STORAGE_BACKEND (docs/documents.md).
"""

from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, storages


class PrivateFileStorage(FileSystemStorage):
    def __init__(self, **options: Any) -> None:
        options.setdefault("file_permissions_mode", 0o600)
        options.setdefault("directory_permissions_mode", 0o700)
        options["base_url"] = None
        super().__init__(**options)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("documents have no URL: the download view sends them")


def document_storage() -> Storage:
    return storages["documents"]
