import shutil
import tempfile
from typing import Any, ClassVar

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from openiop.documents.demo import minimal_pdf
from openiop.documents.models import Document
from openiop.documents.scan import EICAR
from openiop.documents.storage import document_storage

PDF = minimal_pdf(["A synthetic letter"])
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


def upload_file(name: str, content: bytes, content_type: str = "application/pdf") -> Any:
    """A file as the browser sends it; its Content-Type is whatever the browser claimed."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def eicar_file() -> bytes:
    return EICAR + b"\n"


class DocumentStorageMixin:
    """Each test class gets its own empty documents folder, removed afterwards."""

    _documents_dir: ClassVar[str]
    _documents_override: ClassVar[Any]

    @classmethod
    def setUpClass(cls) -> None:
        cls._documents_dir = tempfile.mkdtemp(prefix="openiop-documents-test-")
        storages = {
            **settings.STORAGES,
            "documents": {
                "BACKEND": "openiop.documents.storage.PrivateFileStorage",
                "OPTIONS": {"location": cls._documents_dir},
            },
        }
        cls._documents_override = override_settings(STORAGES=storages)
        cls._documents_override.enable()
        super().setUpClass()  # type: ignore[misc]

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()  # type: ignore[misc]
        cls._documents_override.disable()
        shutil.rmtree(cls._documents_dir, ignore_errors=True)

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        shutil.rmtree(self._documents_dir, ignore_errors=True)

    def stored_files(self) -> list[str]:
        storage = document_storage()
        names: list[str] = []
        if not storage.exists(""):
            return names
        for folder in storage.listdir("")[0]:
            names += [f"{folder}/{name}" for name in storage.listdir(folder)[1]]
        return names


def stored_document(participant: Any, content: bytes, *, by: Any, **fields: Any) -> Document:
    """A document row with `content` in storage, written directly (no checks): for files that
    an older version, a bug or another tool might have let in."""
    storage = document_storage()
    code = fields.pop("storage_key", None) or timezone.now().strftime("%H%M%S%f")
    name = storage.save(f"tt/{code}", SimpleUploadedFile("x", content))
    defaults = {
        "kind": Document.Kind.OTHER,
        "original_name": "file.bin",
        "size": len(content),
        "sha256": "0" * 64,
        "content_type": "application/pdf",
        "scan_status": Document.ScanStatus.CLEAN,
        "uploaded_at": timezone.now(),
    }
    return Document.objects.create(
        participant=participant,
        storage_name=name,
        uploaded_by=by,
        **{**defaults, **fields},
    )
