"""What a file is, what it may be called, and whether the virus-scan hook sees it."""

import io
import re
import socket
import socketserver
import struct
import threading
from typing import ClassVar, cast

from django.test import SimpleTestCase, override_settings

from openiop.documents import scan, sniff
from openiop.documents.demo import minimal_pdf
from openiop.documents.inspect import DocumentRefused, inspect_upload
from openiop.documents.names import safe_filename
from openiop.documents.tests.helpers import HTML, JPEG, PDF, PNG, SVG, eicar_file, upload_file


class SniffTestCase(SimpleTestCase):
    def test_it_names_formats_by_their_first_bytes(self):
        self.assertIs(sniff.sniff(PDF), sniff.PDF)
        self.assertIs(sniff.sniff(PNG), sniff.PNG)
        self.assertIs(sniff.sniff(JPEG), sniff.JPEG)
        self.assertIs(sniff.sniff(b"GIF89a\x01\x00"), sniff.GIF)
        self.assertIs(sniff.sniff("Notes from the call, café at 3 pm.\n".encode()), sniff.TEXT)
        self.assertIs(sniff.sniff(b"PK\x03\x04word/document.xml"), sniff.ARCHIVE)
        self.assertIs(sniff.sniff(b"MZ\x90\x00\x03\x00\x00\x00"), sniff.UNKNOWN)

    def test_it_recognises_markup_wherever_it_starts(self):
        for markup in (
            HTML,
            SVG,
            b"\xef\xbb\xbf  <html>",
            b'<?xml version="1.0"?><svg/>',
            b"Dear colleague,\n\n<ScRiPt src=//evil.example></script>",
            b"<iframe srcdoc='x'>",
        ):
            with self.subTest(markup=markup[:20]):
                self.assertIs(sniff.sniff(markup), sniff.MARKUP)

    def test_text_is_utf8_without_controls(self):
        self.assertIs(sniff.sniff(b"abc\x00def"), sniff.UNKNOWN)
        self.assertIs(sniff.sniff(b"\xff\xfeh\x00i\x00"), sniff.UNKNOWN)
        # The head may cut a character in two.
        self.assertIs(sniff.sniff("résumé é".encode()[:-1]), sniff.TEXT)

    def test_only_pdf_png_and_jpeg_keep_their_type_on_download(self):
        self.assertEqual(sniff.served_type("application/pdf"), "application/pdf")
        self.assertEqual(sniff.served_type("image/jpeg"), "image/jpeg")
        for other in ("text/plain", "text/html", "image/svg+xml", ""):
            self.assertEqual(sniff.served_type(other), "application/octet-stream")

    def test_the_demo_pdf_has_a_correct_cross_reference_table(self):
        pdf = minimal_pdf(["Line (one)", "Back\\slash"])
        found = re.search(rb"startxref\n(\d+)", pdf)
        assert found is not None
        start = int(found.group(1))
        self.assertTrue(pdf[start:].startswith(b"xref\n0 6\n"))
        offsets = re.findall(rb"(\d{10}) 00000 n", pdf[start:])
        for number, offset in enumerate(offsets, start=1):
            self.assertTrue(pdf[int(offset) :].startswith(b"%d 0 obj" % number))
        self.assertTrue(pdf.endswith(b"%%EOF\n"))


class FilenameTestCase(SimpleTestCase):
    def test_it_keeps_ordinary_names(self):
        self.assertEqual(safe_filename("Referral letter 2026.pdf"), "Referral letter 2026.pdf")
        self.assertEqual(safe_filename("نامه\u200cارجاع.pdf"), "نامه\u200cارجاع.pdf")

    def test_it_drops_path_parts(self):
        self.assertEqual(safe_filename("../../x"), "x")
        self.assertEqual(safe_filename("..\\..\\windows\\system.ini"), "system.ini")
        self.assertEqual(safe_filename("/etc/passwd"), "passwd")
        self.assertEqual(safe_filename("C:\\Users\\pat\\letter.pdf"), "letter.pdf")
        self.assertEqual(safe_filename(".."), "document")
        self.assertEqual(safe_filename("../"), "document")
        self.assertEqual(safe_filename(".bashrc"), "bashrc")

    def test_it_strips_bidi_invisible_and_control_characters(self):
        self.assertEqual(safe_filename("invoice\u202efdp.exe"), "invoicefdp.exe")
        self.assertEqual(safe_filename("a\u2066b\u200bc\u200fd\ufeff.pdf"), "abcd.pdf")
        self.assertEqual(safe_filename("letter\x00.pdf.html"), "letter.pdf.html")
        self.assertEqual(safe_filename("split\r\nX-Evil: 1.pdf"), "splitX-Evil_ 1.pdf")
        self.assertEqual(safe_filename('say "hi";.txt'), "say _hi_;.txt")

    def test_it_guards_windows_device_names(self):
        self.assertEqual(safe_filename("CON"), "_CON")
        self.assertEqual(safe_filename("lpt1.txt"), "_lpt1.txt")

    def test_it_caps_long_names_and_keeps_the_extension(self):
        name = safe_filename("a" * 300 + ".pdf")
        self.assertEqual(len(name), 150)
        self.assertTrue(name.endswith("aaa.pdf"))
        self.assertEqual(len(safe_filename("b" * 300)), 150)


class InspectTestCase(SimpleTestCase):
    def refused(self, name, content):
        with self.assertRaises(DocumentRefused) as caught:
            inspect_upload(upload_file(name, content))
        return caught.exception

    def test_it_accepts_the_four_formats_and_hashes_them(self):
        for name, content, content_type in (
            ("letter.pdf", PDF, "application/pdf"),
            ("id.PNG", PNG, "image/png"),
            ("form.jpeg", JPEG, "image/jpeg"),
            ("form.jpg", JPEG, "image/jpeg"),
            ("notes.txt", b"Call notes\n", "text/plain"),
        ):
            with self.subTest(name=name):
                inspection = inspect_upload(upload_file(name, content, "text/html"))
                self.assertEqual(inspection.format.content_type, content_type)
                self.assertEqual(inspection.size, len(content))
                self.assertEqual(len(inspection.sha256), 64)

    def test_a_file_whose_name_lies_about_markup_is_refused(self):
        error = self.refused("letter.pdf", HTML)
        self.assertEqual(error.reason, "markup")
        self.assertIn("ends in .pdf, but it is a web page or SVG image", error.message)
        error = self.refused("photo.png", SVG)
        self.assertEqual(error.reason, "markup")
        self.assertIn("ends in .png", error.message)
        self.assertEqual(self.refused("page.html", HTML).reason, "markup")
        self.assertEqual(self.refused("logo.svg", SVG).reason, "markup")

    def test_a_file_whose_name_lies_about_another_format_is_refused(self):
        error = self.refused("scan.pdf", PNG)
        self.assertEqual(error.reason, "mismatch")
        self.assertEqual(
            error.message,
            "The file's name ends in .pdf, but it is a PNG image, not a PDF. Choose the right "
            "file, or rename it to end in .png.",
        )
        self.assertEqual(self.refused("photo.bmp", JPEG).reason, "mismatch")

    def test_formats_outside_the_list_are_refused(self):
        self.assertEqual(self.refused("report.docx", b"PK\x03\x04rest").reason, "not_accepted")
        self.assertEqual(self.refused("bomb.zip", b"PK\x03\x04rest").reason, "not_accepted")
        self.assertEqual(self.refused("cat.gif", b"GIF89a....").reason, "not_accepted")
        self.assertEqual(self.refused("run.exe", b"MZ\x90\x00").reason, "not_accepted")
        self.assertEqual(self.refused("invoice\u202efdp.exe", b"MZ\x90\x00").reason, "not_accepted")
        self.assertEqual(self.refused("empty.pdf", b"").reason, "empty")

    def test_a_name_without_extension_is_named_for_its_format(self):
        self.assertEqual(inspect_upload(upload_file("scan", PDF)).name, "scan.pdf")

    @override_settings(DOCUMENTS_MAX_FILE_SIZE=1024)
    def test_a_file_over_the_limit_is_refused_before_it_is_read(self):
        error = self.refused("big.pdf", PDF + b"0" * 2048)
        self.assertEqual(error.reason, "too_large")
        self.assertEqual(error.message, "The file is 2 KB; a document may be at most 1 KB.")


class EicarScannerTestCase(SimpleTestCase):
    def test_it_finds_the_test_string_anywhere(self):
        self.assertEqual(scan.eicar(io.BytesIO(eicar_file())), "infected")
        padded = b"x" * (scan.CHUNK - 10) + scan.EICAR + b"y" * 100
        self.assertEqual(scan.eicar(io.BytesIO(padded)), "infected")
        self.assertEqual(scan.eicar(io.BytesIO(PDF)), "clean")


class _FakeClamd(socketserver.BaseRequestHandler):
    """Speaks clamd's INSTREAM: reads length-prefixed chunks, answers like clamd."""

    def handle(self):
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        assert command == b"zINSTREAM\0"
        data = b""
        while True:
            (length,) = struct.unpack("!L", self._exactly(4))
            if length == 0:
                break
            data += self._exactly(length)
        reply = b"stream: Eicar-Signature FOUND\0" if scan.EICAR in data else b"stream: OK\0"
        self.request.sendall(reply)

    def _exactly(self, n):
        data = b""
        while len(data) < n:
            data += self.request.recv(n - len(data))
        return data


class ClamdScannerTestCase(SimpleTestCase):
    server: ClassVar[socketserver.TCPServer]
    thread: ClassVar[threading.Thread]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = socketserver.TCPServer(("127.0.0.1", 0), _FakeClamd)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()

    def address(self):
        host, port = cast(tuple[str, int], self.server.server_address)
        return f"{host}:{port}"

    def test_it_streams_the_file_and_reads_the_verdict(self):
        with override_settings(DOCUMENTS_CLAMD_ADDRESS=self.address()):
            big_clean = io.BytesIO(PDF + b"0" * (3 * scan.CHUNK))
            self.assertEqual(scan.clamd(big_clean), "clean")
            self.assertEqual(scan.clamd(io.BytesIO(eicar_file())), "infected")

    def test_no_daemon_is_an_error_not_a_verdict(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        for address in (f"127.0.0.1:{port}", "unix:/nonexistent/clamd.ctl"):
            with (
                self.subTest(address=address),
                override_settings(DOCUMENTS_CLAMD_ADDRESS=address),
                self.assertRaises(scan.ScanError),
            ):
                scan.clamd(io.BytesIO(PDF))
