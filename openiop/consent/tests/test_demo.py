from openiop.consent import queries
from openiop.consent.demo import load_consent_demo
from openiop.consent.models import ConsentText
from openiop.testing import BaseTestCase


class ConsentDemoTests(BaseTestCase):
    def test_it_gives_texts_and_signs_for_everyone_but_one(self):
        unsigned = load_consent_demo(self.program)
        self.assertEqual(unsigned, self.quinn)
        self.assertEqual(queries.missing_before_first_session(self.pat), [])
        self.assertEqual(len(queries.missing_before_first_session(self.quinn)), 4)
        self.assertTrue(ConsentText.objects.filter(program=self.program, kind="release").exists())
