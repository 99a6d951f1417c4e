from django.test import SimpleTestCase

from openiop.notes.group_checks import (
    Kind,
    Member,
    Part,
    blocking,
    check_group_note,
    names_found,
    normalise,
)

PAT = Member(1, "Pat L.", "Patricia", "Lindqvist", "Pat")
QUINN = Member(2, "Quinn M.", "Quinn", "Marlowe")
JOSE = Member(3, "José O.", "José", "O'Brien")
ROSTER = [PAT, QUINN, JOSE]


def part(key: int, text: str = "", attendance: str = "present", **fields: object) -> Part:
    fields.setdefault("minutes", 180)
    fields.setdefault("objectives", frozenset({key * 10}))
    fields.setdefault("plan_objectives", frozenset({key * 10, key * 10 + 1}))
    return Part(key, attendance, individual_text=text, **fields)  # type: ignore[arg-type]


def ready() -> list[Part]:
    return [
        part(1, "Practised TIPP with cold water."),
        part(2, "Arrived late, described poor sleep."),
        part(3, "Named two emotions in the check-in."),
    ]


def kinds(flags: list) -> list[str]:
    return [flag.kind for flag in flags]


class NameFindingTestCase(SimpleTestCase):
    def test_it_finds_each_name_case_insensitively(self):
        self.assertEqual(names_found("PATRICIA shared first", PAT), ["Patricia"])
        self.assertEqual(names_found("then pat spoke", PAT), ["Pat"])
        self.assertEqual(names_found("Ms lindqvist agreed", PAT), ["Lindqvist"])

    def test_it_reports_a_full_name_across_line_breaks(self):
        found = names_found("Thanks to Quinn\n  Marlowe for leading.", QUINN)
        self.assertEqual(found[0], "Quinn Marlowe")

    def test_it_finds_the_preferred_name_with_the_family_name(self):
        self.assertIn("Pat Lindqvist", names_found("pat lindqvist modelled it", PAT))

    def test_it_matches_whole_words_only(self):
        self.assertEqual(names_found("Patrick and the patio; Quinnton", PAT), [])
        self.assertEqual(names_found("Quinnton", QUINN), [])

    def test_a_possessive_still_names_someone(self):
        self.assertEqual(names_found("quinn's homework", QUINN), ["Quinn"])

    def test_accents_and_apostrophes_do_not_hide_a_name(self):
        self.assertIn("José", names_found("jose said", JOSE))
        self.assertIn("O'Brien", names_found("Mr O\u2019Brien said", JOSE))

    def test_an_initial_is_not_searched_for(self):
        initial = Member(4, "A B.", "A", "Bo")
        self.assertEqual(names_found("a cat and a dog", initial), [])

    def test_empty_text_names_no_one(self):
        self.assertEqual(names_found("", PAT), [])


class SharedPartTestCase(SimpleTestCase):
    def test_a_ready_note_has_no_flags(self):
        shared = {"The shared narrative": "The group practised paced breathing."}
        self.assertEqual(check_group_note(shared, ROSTER, ready()), [])

    def test_it_flags_any_member_named_in_the_shared_part(self):
        shared = {"The shared narrative": "Quinn and patricia led the role play."}
        flags = check_group_note(shared, ROSTER, ready())
        self.assertEqual(kinds(flags), [Kind.SHARED_NAMES_MEMBER])
        self.assertEqual(set(flags[0].others), {1, 2})
        self.assertFalse(flags[0].confirmable)
        self.assertIn("The shared narrative names a group member", flags[0].message)

    def test_an_absent_member_named_in_the_shared_part_is_flagged_too(self):
        parts = [*ready()[:2], part(3, attendance="absent", absence_reason="Sick")]
        flags = check_group_note({"The topic": "Why José missed group"}, ROSTER, parts)
        self.assertEqual(kinds(flags), [Kind.SHARED_NAMES_MEMBER])

    def test_each_shared_field_is_checked(self):
        shared = {"The topic": "Marlowe's chain analysis", "The interventions": "Lindqvist"}
        flags = check_group_note(shared, ROSTER, ready())
        self.assertEqual([f.where for f in flags], ["The topic", "The interventions"])


class IndividualPartTestCase(SimpleTestCase):
    def test_an_attendee_may_be_named_in_their_own_part(self):
        parts = [part(1, "Pat practised TIPP."), *ready()[1:]]
        self.assertEqual(check_group_note({}, ROSTER, parts), [])

    def test_it_flags_another_member_named_in_an_individual_part(self):
        parts = [part(1, "Pat supported quinn during the exercise."), *ready()[1:]]
        flags = check_group_note({}, ROSTER, parts)
        self.assertEqual(kinds(flags), [Kind.INDIVIDUAL_NAMES_OTHER])
        self.assertEqual(flags[0].attendee, 1)
        self.assertEqual(flags[0].others, (2,))
        self.assertEqual(flags[0].found, ("Quinn",))

    def test_it_flags_identical_parts_after_case_and_whitespace(self):
        parts = [
            part(1, "Participated  actively."),
            part(2, "participated actively.\n"),
            part(3, "Named two emotions."),
        ]
        flags = check_group_note({}, ROSTER, parts)
        self.assertEqual(kinds(flags), [Kind.IDENTICAL])
        self.assertEqual(flags[0].others, (1, 2))
        self.assertIn("Pat L. and Quinn M.", flags[0].message)
        self.assertIn("payers deny cloned notes", flags[0].message)

    def test_parts_that_differ_in_words_are_not_cloned(self):
        parts = [part(1, "Participated actively."), part(2, "Participated quietly."), ready()[2]]
        self.assertEqual(check_group_note({}, ROSTER, parts), [])

    def test_it_flags_a_part_citing_no_objective_of_its_own_plan(self):
        # Quinn's part cites an objective of Pat's plan.
        parts = [ready()[0], part(2, "Slept better.", objectives=frozenset({10})), ready()[2]]
        flags = check_group_note({}, ROSTER, parts)
        self.assertEqual(kinds(flags), [Kind.NO_OBJECTIVE])
        self.assertTrue(flags[0].confirmable)
        self.assertIn("cites no objective of their own plan", flags[0].message)

    def test_it_says_when_an_attendee_has_no_plan_yet(self):
        parts = [
            *ready()[:2],
            part(3, "New this week.", objectives=frozenset(), plan_objectives=frozenset()),
        ]
        flags = check_group_note({}, ROSTER, parts)
        self.assertIn("no plan objectives yet", flags[0].message)

    def test_it_asks_for_an_individual_part_from_each_attendee(self):
        parts = [part(1, "  "), *ready()[1:]]
        self.assertEqual(kinds(check_group_note({}, ROSTER, parts)), [Kind.NO_INDIVIDUAL_PART])

    def test_an_absentee_needs_a_reason_and_no_individual_part(self):
        parts = [*ready()[:2], part(3, "Named someone: Quinn", attendance="excused")]
        flags = check_group_note({}, ROSTER, parts)
        self.assertEqual(kinds(flags), [Kind.REASON_MISSING])

    def test_it_asks_for_attendance_and_minutes(self):
        parts = [part(1, "Practised.", minutes=None), ready()[1]]
        flags = check_group_note({}, ROSTER, parts)
        self.assertEqual(kinds(flags), [Kind.MINUTES_MISSING, Kind.ATTENDANCE_MISSING])
        self.assertEqual(flags[1].attendee, 3)


class BlockingTestCase(SimpleTestCase):
    def test_only_a_missing_objective_may_be_confirmed(self):
        parts = [
            part(1, "Same text."),
            part(2, "Same text.", objectives=frozenset()),
            part(3, "Other text."),
        ]
        flags = check_group_note({}, ROSTER, parts)
        self.assertEqual(len(blocking(flags)), 2)
        self.assertEqual(kinds(blocking(flags, confirmed=True)), [Kind.IDENTICAL])

    def test_normalise_ignores_case_and_spacing(self):
        self.assertEqual(normalise(" A\tb \n C "), "a b c")
