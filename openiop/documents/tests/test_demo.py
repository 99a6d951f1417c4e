from openiop.core import demo
from openiop.documents.demo import load_documents_demo
from openiop.documents.storage import document_storage
from openiop.documents.tests.helpers import DocumentStorageMixin
from openiop.testing import BaseTestCase


class DocumentsDemoTestCase(DocumentStorageMixin, BaseTestCase):
    def test_the_demo_puts_a_referral_letter_on_the_first_chart(self):
        program = demo.load(participants=2, weeks=2)
        document = load_documents_demo(program)
        assert document is not None
        self.assertEqual(document.content_type, "application/pdf")
        self.assertEqual(document.scan_status, "clean")
        self.assertEqual(document.participant.program, program)
        with document_storage().open(document.storage_name) as stored:
            self.assertTrue(stored.read().startswith(b"%PDF-1.4"))
