"""Crisis language in free text: the default list, a program's own phrases, text that tries to
hide a phrase, and the alert it raises (openiop.safety.crisis_language)."""

from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.safety import actions
from openiop.safety.crisis_language import DEFAULT_PHRASES, find, has_crisis_language, normalise
from openiop.safety.models import Acuity, SafetyAlert, SafetyPolicy
from openiop.testing import BaseTestCase


class FindTestCase(BaseTestCase):
    def test_it_finds_a_default_phrase_whatever_the_case(self):
        self.assertEqual(
            has_crisis_language("Honestly I want to DIE tonight", self.program), ["want to die"]
        )

    def test_ordinary_words_do_not_match(self):
        for text in (
            "The group was great, see you Thursday.",
            "I died laughing at the skit",
            "Self-care plan: walk, call my sister",
            "My cat is a killer of toys",
        ):
            with self.subTest(text=text):
                self.assertEqual(has_crisis_language(text, self.program), [])

    def test_hidden_characters_do_not_hide_a_phrase(self):
        for text in (
            "kill\u200bmyself",  # zero-width space
            "kill\u200d \u2060myself",  # joiners
            "\u202ekill myself\u202c",  # right-to-left override
            "ｋｉｌｌ ｍｙｓｅｌｆ",  # full-width
            "KILL\n\n   MYSELF",
            "self\u2011harm",  # non-breaking hyphen
            "I can\u2019t go on",  # curly apostrophe
        ):
            with self.subTest(text=repr(text)):
                self.assertTrue(has_crisis_language(text, self.program))

    def test_a_phrase_matches_whole_words_only(self):
        self.assertEqual(find("overdose", ["overdose"]), ["overdose"])
        self.assertEqual(find("I overdosed", ["overdose"]), [])
        self.assertEqual(
            find("I overdosed", [normalise(p) for p in DEFAULT_PHRASES]), ["overdosed"]
        )

    def test_spanish_phrases_are_in_the_defaults(self):
        self.assertEqual(
            has_crisis_language("A veces quiero morir", self.program), ["quiero morir"]
        )

    def test_a_programs_own_phrases_are_added(self):
        self.assertEqual(has_crisis_language("I want to unalive", self.program), [])
        SafetyPolicy.objects.create(program=self.program, crisis_phrases="unalive\n\nkms\n")
        self.program.refresh_from_db()
        self.assertEqual(has_crisis_language("I want to unalive", self.program), ["unalive"])
        self.assertEqual(has_crisis_language("honestly kms", self.program), ["kms"])

    def test_a_50_kb_text_is_searched_quickly_and_safely(self):
        text = ("fine " * 10_000) + "better off dead"
        self.assertEqual(has_crisis_language(text, self.program), ["better off dead"])


class AlertTestCase(BaseTestCase):
    def test_it_raises_a_high_alert_linking_to_the_words(self):
        alert = actions.raise_crisis_language_alert(
            self.pat, where="a message to the care team", link="/x/1/", acting_user=self.pat_user
        )
        self.assertEqual(alert.kind, SafetyAlert.Kind.CRISIS_LANGUAGE)
        self.assertEqual(alert.acuity, Acuity.HIGH)
        trigger = alert.triggers.get()
        self.assertIn("/x/1/", trigger.concern)
        event = AuditEvent.objects.get(event_type="safety.alert_raised")
        self.assertEqual(event.details["kind"], "crisis_language")
        # A second message joins the open alert rather than opening another.
        again = actions.raise_crisis_language_alert(
            self.pat, where="a post in the peer space", link="/y/", acting_user=self.pat_user
        )
        self.assertEqual(again.pk, alert.pk)
        self.assertEqual(SafetyAlert.objects.count(), 1)


class PolicyTestCase(BaseTestCase):
    def post(self, phrases: str):
        self.login(self.dana)
        return self.client.post(
            reverse("safety:rota_policy", args=[self.program.code]),
            {
                "policy-emergency_minutes": "5",
                "policy-high_minutes": "30",
                "policy-business_day_ends_at": "17:00",
                "policy-business_days": ["1", "2", "3", "4", "5"],
                "policy-crisis_phrases": phrases,
            },
        )

    def test_a_director_adds_phrases_in_the_safety_policy(self):
        self.assertEqual(self.post("  unalive \n\nno way out\n").status_code, 302)
        policy = SafetyPolicy.objects.get(program=self.program)
        self.assertEqual(policy.crisis_phrases, "unalive\nno way out")
        event = AuditEvent.objects.get(event_type="safety.policy_changed")
        self.assertIn("crisis_phrases", event.details["fields"])

    def test_a_phrase_too_short_to_mean_anything_is_refused_and_kept(self):
        response = self.post("unalive\nx")
        self.assertContains(response, "Too short to be a phrase", status_code=400)
        self.assertContains(response, "unalive", status_code=400)
        self.assertFalse(SafetyPolicy.objects.exists())
