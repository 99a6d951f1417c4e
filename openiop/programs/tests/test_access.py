from openiop.programs import access
from openiop.programs.eligibility import Seat, may_hold
from openiop.programs.models import Program, ProgramMembership
from openiop.testing import BaseTestCase


class ProgramRoleTestCase(BaseTestCase):
    def test_eligible_holders_reads_the_same_rule_as_may_hold(self):
        strict = Program.objects.create(name="Strict IOP", peer_specialists_allowed=False)
        people = [self.dana, self.alvarez, self.sam, self.chen, self.ivy, self.admin]
        people.append(self.pat_user)
        for program in (self.program, strict):
            for person in people:
                ProgramMembership.objects.get_or_create(
                    program=program, user=person, role=ProgramMembership.Role.ON_CALL
                )
        for seat in Seat:
            for program in (self.program, strict):
                holders = set(
                    ProgramMembership.objects.filter(
                        access.eligible_holders(seat, "user", "program"),
                        program=program,
                        role=ProgramMembership.Role.ON_CALL,
                    ).values_list("user_id", flat=True)
                )
                expected = {p.pk for p in people if may_hold(p, seat, program)}
                with self.subTest(seat=seat, program=program.name):
                    self.assertEqual(holders, expected)
                    for person in people:
                        self.assertEqual(
                            access.holds_seat(person, seat, program.pk),
                            may_hold(person, seat, program),
                        )

    def test_a_director_membership_counts_for_program_directors_only(self):
        ProgramMembership.objects.create(
            program=self.program, user=self.admin, role=ProgramMembership.Role.DIRECTOR
        )
        self.assertTrue(access.is_director(self.dana, self.program.pk))
        self.assertFalse(access.is_director(self.admin, self.program.pk))
        self.assertFalse(access.is_director(self.dana, None))

    def test_on_call_counts_only_for_who_may_be_on_call(self):
        ProgramMembership.objects.create(
            program=self.program, user=self.sam, role=ProgramMembership.Role.ON_CALL
        )
        self.assertTrue(access.is_on_call(self.chen, self.program.pk))
        self.assertFalse(access.is_on_call(self.sam, self.program.pk))
