"""Uploading, listing, downloading and removing a chart's documents."""

from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.documents import actions
from openiop.documents.models import Document
from openiop.documents.storage import document_storage
from openiop.documents.tests.helpers import (
    HTML,
    PDF,
    PNG,
    SVG,
    DocumentStorageMixin,
    eicar_file,
    stored_document,
    upload_file,
)
from openiop.testing import BaseTestCase


class _Explodes:
    """A request body nobody may read."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


UNREADABLE_BODY: dict[str, Any] = {"wsgi.input": _Explodes()}


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content)


class DocumentsTestCase(DocumentStorageMixin, BaseTestCase):
    def upload(self, file, kind="referral_letter", title="", participant=None):
        participant = participant or self.pat
        return self.client.post(
            reverse("documents:upload", args=[participant.code]),
            {"kind": kind, "title": title, "file": file},
        )

    def events(self, event_type):
        return AuditEvent.objects.filter(event_type=event_type)

    # --- Upload --------------------------------------------------------------------------

    def test_a_team_writer_uploads_a_pdf(self):
        self.login(self.alvarez)
        response = self.upload(upload_file("../../Letter.pdf", PDF, "text/html"), title="Letter")
        self.assertRedirects(response, reverse("documents:list", args=[self.pat.code]))
        document = Document.objects.get()
        self.assertEqual(document.original_name, "Letter.pdf")
        self.assertEqual(document.content_type, "application/pdf")
        self.assertEqual(document.scan_status, "clean")
        self.assertEqual(document.size, len(PDF))
        self.assertEqual(document.uploaded_by, self.alvarez)
        # Stored under a name the server made up, nothing of the person's name in it.
        self.assertNotIn("Letter", document.storage_name)
        with document_storage().open(document.storage_name) as stored:
            self.assertEqual(stored.read(), PDF)
        event = self.events("documents.uploaded").get()
        self.assertEqual(event.participant, self.pat)
        self.assertEqual(
            event.details,
            {"kind": "referral_letter", "format": "pdf", "bytes": len(PDF), "status": "clean"},
        )
        self.assertNotIn("Letter", str(event.details))

    def test_the_director_and_intake_coordinator_upload_too(self):
        for person in (self.dana, self.ivy):
            self.login(person)
            self.assertEqual(self.upload(upload_file("id.png", PNG)).status_code, 302)
        self.assertEqual(Document.objects.count(), 2)

    def test_a_read_only_team_member_may_not_upload(self):
        self.login(self.sam)
        url = reverse("documents:upload", args=[self.pat.code])
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.upload(upload_file("id.png", PNG)).status_code, 403)
        self.assertFalse(Document.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_a_file_whose_extension_lies_is_refused_and_what_was_typed_stays(self):
        self.login(self.alvarez)
        response = self.upload(
            upload_file("letter.pdf", HTML), kind="outside_record", title="From Dr. X"
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response,
            "The file&#x27;s name ends in .pdf, but it is a web page or SVG image",
            status_code=400,
        )
        self.assertContains(response, "Choose the file again", status_code=400)
        self.assertContains(response, 'value="From Dr. X"', status_code=400)
        self.assertContains(response, '<option value="outside_record" selected>', status_code=400)
        response = self.upload(upload_file("photo.png", SVG, "image/png"))
        self.assertContains(response, "ends in .png, but it is a web page", status_code=400)
        response = self.upload(upload_file("scan.pdf", PNG))
        self.assertContains(response, "it is a PNG image, not a PDF", status_code=400)
        self.assertFalse(Document.objects.exists())
        self.assertEqual(self.stored_files(), [])
        refusals = self.events("documents.upload_refused")
        self.assertEqual(
            [e.details["reason"] for e in refusals.order_by("seq")],
            ["markup", "markup", "mismatch"],
        )
        self.assertTrue(all(e.outcome == "denied" for e in refusals))

    def test_the_eicar_test_file_is_refused_by_the_scanner_hook(self):
        self.login(self.alvarez)
        response = self.upload(upload_file("eicar.txt", eicar_file(), "text/plain"))
        self.assertContains(response, "The virus scanner found malware", status_code=400)
        self.assertFalse(Document.objects.exists())
        self.assertEqual(self.stored_files(), [])
        event = self.events("documents.upload_refused").get()
        self.assertEqual(event.details["reason"], "infected")

    @override_settings(
        DOCUMENTS_SCANNER="openiop.documents.scan.clamd",
        DOCUMENTS_CLAMD_ADDRESS="unix:/nonexistent",
    )
    def test_a_scanner_that_cannot_answer_refuses_the_upload(self):
        self.login(self.alvarez)
        response = self.upload(upload_file("letter.pdf", PDF))
        self.assertContains(response, "could not be checked for viruses", status_code=400)
        self.assertFalse(Document.objects.exists())

    @override_settings(DOCUMENTS_SCANNER="")
    def test_without_a_scanner_documents_are_marked_not_scanned(self):
        self.login(self.alvarez)
        self.upload(upload_file("letter.pdf", PDF))
        self.assertEqual(Document.objects.get().scan_status, "not_scanned")
        response = self.client.get(reverse("documents:list", args=[self.pat.code]))
        self.assertContains(response, "Not scanned for viruses")

    @override_settings(DOCUMENTS_MAX_FILE_SIZE=4 * 1024 * 1024)
    def test_a_large_upload_waits_on_disk_not_in_memory(self):
        self.login(self.alvarez)
        content = PDF + b"%" + b"0" * (3 * 1024 * 1024)
        self.assertGreater(len(content), settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
        seen = []
        real = actions.upload_document

        def spy(participant, *, upload, **kwargs):
            seen.append(type(upload))
            return real(participant, upload=upload, **kwargs)

        with mock.patch.object(actions, "upload_document", spy):
            self.assertEqual(self.upload(upload_file("big.pdf", content)).status_code, 302)
        self.assertEqual(seen, [TemporaryUploadedFile])
        self.assertEqual(Document.objects.get().size, len(content))

    @override_settings(DOCUMENTS_MAX_FILE_SIZE=1024)
    def test_a_file_over_the_limit_is_refused_with_the_limit(self):
        self.login(self.alvarez)
        response = self.upload(upload_file("big.pdf", PDF + b"0" * 2048))
        self.assertContains(response, "a document may be at most 1 KB", status_code=400)

    def test_a_200_mb_upload_is_refused_before_anything_reads_it(self):
        self.login(self.alvarez)
        url = reverse("documents:upload", args=[self.pat.code])
        response = self.client.generic(
            "POST",
            url,
            CONTENT_TYPE="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(200 * 1024 * 1024),
            **UNREADABLE_BODY,
        )
        self.assertEqual(response.status_code, 413)
        self.assertIn(
            b"The file is too large to upload. A document may be at most 20 MB", response.content
        )
        self.assertFalse(Document.objects.exists())

    def test_only_the_upload_page_takes_bodies_over_the_general_limit(self):
        self.login(self.alvarez)
        length = str(settings.OPENIOP_MAX_REQUEST_BODY + 1)
        for url in (
            reverse("participants:edit", args=[self.pat.code]),
            reverse("documents:remove", args=[Document.objects.none().model().code]),
            "/no/such/page/",
        ):
            with self.subTest(url=url):
                response = self.client.generic(
                    "POST", url, CONTENT_LENGTH=length, **UNREADABLE_BODY
                )
                self.assertEqual(response.status_code, 413)
                self.assertEqual(response.content, b"Request too large.")

    # --- List ----------------------------------------------------------------------------

    def test_the_list_records_one_read_and_shows_no_removed_download(self):
        kept = stored_document(self.pat, PDF, by=self.alvarez, title="Hospital letter")
        gone = stored_document(self.pat, PDF, by=self.alvarez, title="Wrong letter")
        actions.remove_document(gone, reason="wrong_chart", acting_user=self.alvarez)
        stored_document(self.quinn, PDF, by=self.chen, title="Quinn's letter")
        self.login(self.sam)
        response = self.client.get(reverse("documents:list", args=[self.pat.code]))
        self.assertContains(response, "Hospital letter")
        self.assertContains(response, reverse("documents:download", args=[kept.code]))
        self.assertNotContains(response, reverse("documents:download", args=[gone.code]))
        self.assertContains(response, "Uploaded to the wrong chart")
        self.assertNotContains(response, "Quinn")
        # Sam reads, so no upload button and no remove forms.
        self.assertNotContains(response, "Upload a document")
        self.assertNotContains(response, "Why remove")
        self.assertEqual(self.events("documents.list_viewed").count(), 1)

    def test_the_list_query_count_does_not_grow_with_documents(self):
        self.login(self.alvarez)
        url = reverse("documents:list", args=[self.pat.code])
        stored_document(self.pat, PDF, by=self.alvarez)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for _ in range(5):
            stored_document(self.pat, PDF, by=self.dana)
        with self.assertNumQueries(len(few.captured_queries)):
            self.client.get(url)

    def test_the_chart_links_to_documents_for_staff_only(self):
        url = reverse("participants:chart", args=[self.pat.code])
        documents = reverse("documents:list", args=[self.pat.code])
        self.login(self.alvarez)
        self.assertContains(self.client.get(url), documents)
        self.login(self.pat_user)
        self.assertNotContains(self.client.get(url), documents)

    # --- Download ------------------------------------------------------------------------

    def test_a_pdf_downloads_as_an_attachment_with_its_safe_type(self):
        document = stored_document(self.pat, PDF, by=self.alvarez, original_name="Letter.pdf")
        self.login(self.sam)
        response = self.client.get(reverse("documents:download", args=[document.code]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(body_of(response), PDF)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="Letter.pdf"')
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Content-Security-Policy"], "sandbox; default-src 'none'")
        self.assertEqual(response["Cache-Control"], "no-store")
        event = self.events("documents.document_downloaded").get()
        self.assertEqual(event.target_id, str(document.code))
        self.assertEqual(event.details, {"kind": "other", "bytes": len(PDF)})

    def test_html_and_svg_that_got_stored_anyway_download_as_octet_stream(self):
        self.login(self.alvarez)
        for content, name, content_type in (
            (HTML, "page.html", "text/html"),
            (SVG, "logo.svg", "image/svg+xml"),
            (HTML, "letter.pdf", "text/plain"),
        ):
            document = stored_document(
                self.pat, content, by=self.alvarez, original_name=name, content_type=content_type
            )
            with self.subTest(name=name, content_type=content_type):
                response = self.client.get(reverse("documents:download", args=[document.code]))
                self.assertEqual(response["Content-Type"], "application/octet-stream")
                self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertIn("sandbox", response["Content-Security-Policy"])
                self.assertEqual(body_of(response), content)

    def test_a_stored_name_with_bidi_or_path_characters_is_cleaned_on_download(self):
        self.login(self.alvarez)
        for name, expected in (
            ("invoice\u202efdp.exe", 'attachment; filename="invoicefdp.exe"'),
            ("../../x", 'attachment; filename="x"'),
            ('a"\r\nSet-Cookie: x.pdf', 'attachment; filename="a_Set-Cookie_ x.pdf"'),
            ("é" * 155 + ".pdf", None),
        ):
            document = stored_document(self.pat, PDF, by=self.alvarez, original_name=name)
            with self.subTest(name=name[:20]):
                response = self.client.get(reverse("documents:download", args=[document.code]))
                header = response["Content-Disposition"]
                if expected:
                    self.assertEqual(header, expected)
                else:
                    self.assertTrue(header.startswith("attachment; filename*=utf-8''"))
                    self.assertTrue(header.endswith(".pdf"))
                self.assertNotIn("\u202e", header)

    def test_outsiders_get_404_on_list_and_download(self):
        document = stored_document(self.pat, PDF, by=self.alvarez)
        for person in (self.chen, self.admin, self.quinn_user, self.pat_user):
            self.login(person)
            with self.subTest(person=person.email):
                self.assertEqual(
                    self.client.get(reverse("documents:list", args=[self.pat.code])).status_code,
                    404,
                )
                self.assertEqual(
                    self.client.get(
                        reverse("documents:download", args=[document.code])
                    ).status_code,
                    404,
                )
        self.assertFalse(self.events("documents.document_downloaded").exists())

    def test_a_removed_document_no_longer_downloads(self):
        document = stored_document(self.pat, PDF, by=self.alvarez)
        actions.remove_document(document, reason="duplicate", acting_user=self.alvarez)
        self.login(self.alvarez)
        response = self.client.get(reverse("documents:download", args=[document.code]))
        self.assertEqual(response.status_code, 404)

    # --- Remove --------------------------------------------------------------------------

    def test_removing_keeps_the_row_and_records_who_when_and_why(self):
        document = stored_document(self.pat, PDF, by=self.alvarez, title="Secret title")
        self.login(self.dana)
        response = self.client.post(
            reverse("documents:remove", args=[document.code]), {"reason": "wrong_chart"}
        )
        self.assertRedirects(response, reverse("documents:list", args=[self.pat.code]))
        document.refresh_from_db()
        self.assertEqual(document.removed_by, self.dana)
        self.assertIsNotNone(document.removed_at)
        self.assertEqual(document.removal_reason, "wrong_chart")
        # The file stays in storage: removal is not deletion.
        self.assertTrue(document_storage().exists(document.storage_name))
        event = self.events("documents.removed").get()
        self.assertEqual(event.details, {"kind": "other", "reason": "wrong_chart"})

    def test_removing_without_a_reason_changes_nothing(self):
        document = stored_document(self.pat, PDF, by=self.alvarez)
        self.login(self.alvarez)
        response = self.client.post(
            reverse("documents:remove", args=[document.code]), {"reason": ""}, follow=True
        )
        self.assertContains(response, "Choose why the document is being removed")
        document.refresh_from_db()
        self.assertFalse(document.is_removed)

    def test_a_reader_may_not_remove(self):
        document = stored_document(self.pat, PDF, by=self.alvarez)
        self.login(self.sam)
        response = self.client.post(
            reverse("documents:remove", args=[document.code]), {"reason": "duplicate"}
        )
        self.assertEqual(response.status_code, 403)
        document.refresh_from_db()
        self.assertFalse(document.is_removed)


class StorageLocationTestCase(BaseTestCase):
    def test_documents_live_outside_the_static_and_media_roots_and_have_no_url(self):
        location = Path(settings.STORAGES["documents"]["OPTIONS"]["location"]).resolve()
        public = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
        for setting in ("STATIC_ROOT", "MEDIA_ROOT"):
            if getattr(settings, setting, None):
                public.append(Path(getattr(settings, setting)).resolve())
        public.append((Path(settings.BASE_DIR) / "templates").resolve())
        for root in public:
            self.assertFalse(location.is_relative_to(root), f"{location} is inside {root}")
            self.assertFalse(root.is_relative_to(location))
        with self.assertRaises(NotImplementedError):
            document_storage().url("ab/cd")
