"""Documents in an S3-compatible store: upload, download, backup, through django-storages.

The store is moto's S3 server, a real HTTP S3 API on loopback (boto3 talks to it over the
wire, signatures and all), standing in for AWS S3, MinIO or Ceph: the same settings an
install would write in DOCUMENTS_STORAGE_BACKEND / DOCUMENTS_STORAGE_OPTIONS.
"""

import tempfile
from pathlib import Path
from typing import Any, ClassVar

import boto3
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from moto.server import ThreadedMotoServer

from openiop.backups.snapshot import backup_documents
from openiop.documents.models import Document
from openiop.documents.storage import document_storage
from openiop.documents.tests.helpers import PDF, upload_file
from openiop.testing import BaseTestCase

BUCKET = "openiop-documents-test"
CREDENTIALS = {"access_key": "test-access-key", "secret_key": "test-secret-key"}


class S3DocumentsTests(BaseTestCase):
    server: ClassVar[ThreadedMotoServer]
    endpoint: ClassVar[str]
    s3: ClassVar[Any]
    _override: ClassVar[Any]

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        cls.server.start()
        host, port = cls.server.get_host_and_port()
        cls.endpoint = f"http://{host}:{port}"
        cls.s3 = boto3.client(
            "s3",
            endpoint_url=cls.endpoint,
            region_name="us-east-1",
            aws_access_key_id=CREDENTIALS["access_key"],
            aws_secret_access_key=CREDENTIALS["secret_key"],
        )
        cls.s3.create_bucket(Bucket=BUCKET)
        # What docs/documents.md tells an install to set, plus encryption at rest.
        options = {
            "bucket_name": BUCKET,
            "endpoint_url": cls.endpoint,
            "region_name": "us-east-1",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
            **CREDENTIALS,
        }
        storages = {
            **settings.STORAGES,
            "documents": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        }
        cls._override = override_settings(STORAGES=storages)
        cls._override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        cls._override.disable()
        cls.server.stop()

    def upload(self) -> Document:
        self.login(self.alvarez)
        response = self.client.post(
            reverse("documents:upload", args=[self.pat.code]),
            {"kind": "referral_letter", "title": "Letter", "file": upload_file("Letter.pdf", PDF)},
        )
        self.assertRedirects(response, reverse("documents:list", args=[self.pat.code]))
        return Document.objects.get()

    def test_an_upload_lands_in_the_bucket_private_and_encrypted(self):
        document = self.upload()
        stored = self.s3.get_object(Bucket=BUCKET, Key=document.storage_name)
        self.assertEqual(stored["Body"].read(), PDF)
        self.assertEqual(stored["ServerSideEncryption"], "AES256")
        grants = self.s3.get_object_acl(Bucket=BUCKET, Key=document.storage_name)["Grants"]
        self.assertEqual([grant["Permission"] for grant in grants], ["FULL_CONTROL"])
        self.assertNotIn("Letter", document.storage_name)

    def test_the_download_streams_from_the_bucket_through_the_gate(self):
        document = self.upload()
        response: Any = self.client.get(reverse("documents:download", args=[document.code]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), PDF)
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="Letter.pdf"')
        # An outsider gets the same 404 as for a document that does not exist.
        self.login(self.chen)  # a clinician at another program
        response = self.client.get(reverse("documents:download", args=[document.code]))
        self.assertEqual(response.status_code, 404)

    def test_a_second_file_never_overwrites_the_first(self):
        first = document_storage().save("ab/same-name", upload_file("a.pdf", PDF))
        second = document_storage().save("ab/same-name", upload_file("b.pdf", PDF + b"%"))
        self.assertNotEqual(first, second)
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key=first)["Body"].read(), PDF)

    def test_a_backup_copies_the_files_out_of_the_bucket(self):
        document = self.upload()
        with tempfile.TemporaryDirectory() as folder:
            counts = backup_documents(Path(folder))
            copied = Path(folder) / "documents" / document.storage_name
            self.assertEqual(copied.read_bytes(), PDF)
        self.assertEqual(counts, {"files": 1, "bytes": len(PDF)})
