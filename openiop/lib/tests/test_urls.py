import uuid

from django.test import SimpleTestCase
from django.urls import reverse

from openiop.lib.urls import code_url


class CodeUrlTests(SimpleTestCase):
    def test_it_builds_what_reverse_builds(self):
        session_url = code_url("scheduling:session")
        for code in (uuid.uuid4(), uuid.uuid4()):
            self.assertEqual(session_url(code), reverse("scheduling:session", args=[code]))
