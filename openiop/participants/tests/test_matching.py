"""The duplicate rules on plain values (openiop.participants.matching)."""

from datetime import date

from django.test import SimpleTestCase

from openiop.participants.matching import (
    EMAIL,
    NAME_AND_BIRTH_DATE,
    PHONE,
    Answer,
    Match,
    Person,
    name_key,
    rules_matched,
)

BORN = date(1990, 4, 2)
PAT = Person(
    given_name="Patricia",
    family_name="Lindqvist",
    preferred_name="Pat",
    date_of_birth=BORN,
    phone="+15555550100",
    email="pat@example.org",
)


def typed(**fields) -> Person:
    data = {"given_name": "Patricia", "family_name": "Lindqvist", "date_of_birth": BORN}
    data.update(fields)
    return Person.of(data)


class NameKeyTestCase(SimpleTestCase):
    def test_it_ignores_case_accents_and_surrounding_space(self):
        self.assertEqual(name_key("  ZOË  "), name_key("zoe"))
        self.assertEqual(name_key("José"), name_key("JOSE"))
        self.assertEqual(name_key("Łukasz"), name_key("Łukasz"))

    def test_it_ignores_hyphens_spaces_and_apostrophes(self):
        keys = {name_key(n) for n in ("Mary-Jane", "Mary Jane", "MaryJane", "mary\u2010jane")}
        self.assertEqual(len(keys), 1)
        self.assertEqual(name_key("O'Brien"), name_key("OBrien"))
        self.assertEqual(name_key("O\u2019Brien"), name_key("o brien"))

    def test_it_folds_full_width_letters(self):
        self.assertEqual(name_key("Ｐａｔ"), name_key("pat"))


class RulesTestCase(SimpleTestCase):
    def test_same_name_and_birth_date_match(self):
        self.assertEqual(rules_matched(typed(), PAT), (NAME_AND_BIRTH_DATE,))

    def test_accent_case_and_whitespace_variants_match(self):
        person = typed(given_name="  PATRÍCIA ", family_name="lindqvíst  ")
        self.assertEqual(rules_matched(person, PAT), (NAME_AND_BIRTH_DATE,))

    def test_hyphen_and_space_variants_of_a_family_name_match(self):
        existing = Person("Robin", "Demo-Referral", date(1994, 6, 1))
        person = typed(
            given_name="robin", family_name="Demo Referral", date_of_birth=date(1994, 6, 1)
        )
        self.assertEqual(rules_matched(person, existing), (NAME_AND_BIRTH_DATE,))

    def test_a_preferred_name_matches_a_given_name(self):
        self.assertEqual(rules_matched(typed(given_name="Pat"), PAT), (NAME_AND_BIRTH_DATE,))
        person = typed(given_name="Patty", preferred_name="Patricia")
        self.assertEqual(rules_matched(person, PAT), (NAME_AND_BIRTH_DATE,))

    def test_another_birth_date_or_name_does_not_match(self):
        self.assertEqual(rules_matched(typed(date_of_birth=date(1990, 4, 3)), PAT), ())
        self.assertEqual(rules_matched(typed(family_name="Lindqvista"), PAT), ())
        self.assertEqual(rules_matched(typed(given_name="Petra"), PAT), ())

    def test_the_same_phone_matches_however_it_was_typed(self):
        person = typed(given_name="Someone", family_name="Else", phone="(555) 555-0100")
        self.assertEqual(rules_matched(person, PAT), (PHONE,))

    def test_the_same_email_matches_whatever_its_case_or_width(self):
        person = typed(given_name="Someone", family_name="Else", email=" PAT@Example.ORG ")
        self.assertEqual(rules_matched(person, PAT), (EMAIL,))
        person = typed(given_name="Someone", family_name="Else", email="ｐａｔ@example.org")
        self.assertEqual(rules_matched(person, PAT), (EMAIL,))

    def test_every_rule_that_matched_is_named(self):
        person = typed(phone="+15555550100", email="pat@example.org")
        self.assertEqual(rules_matched(person, PAT), (NAME_AND_BIRTH_DATE, PHONE, EMAIL))

    def test_empty_details_never_match(self):
        blank = Person("", "", None)
        self.assertEqual(rules_matched(blank, Person("", "", None)), ())
        self.assertEqual(rules_matched(typed(given_name="X", family_name="Y"), PAT), ())


class AnswerTestCase(SimpleTestCase):
    def test_a_different_person_answer_covers_only_the_charts_shown(self):
        class Chart:
            def __init__(self, code):
                self.code = code

        shown = Match(Chart("a"), (PHONE,), visible=True)
        hidden = Match(Chart("b"), (PHONE,), visible=False)
        answer = Answer(decision="different_person", reason="other", compared=frozenset({"a"}))
        self.assertTrue(answer.covers([shown]))
        self.assertFalse(answer.covers([shown, hidden]))
        self.assertTrue(
            Answer("different_person", "other", compared=frozenset({"a"}), hidden=1).covers(
                [shown, hidden]
            )
        )
        self.assertFalse(answer.covers([Match(Chart("c"), (EMAIL,), visible=True)]))
