from openiop.accounts.models import User
from openiop.participants.models import Participant
from openiop.programs.eligibility import Seat, is_clinical_staff, may_hold, seat_programs
from openiop.programs.models import Program
from openiop.testing import BaseTestCase


class EligibilityTestCase(BaseTestCase):
    def test_only_clinical_staff_hold_seats(self):
        for user in (self.admin, self.ivy, self.pat_user):
            with self.subTest(user=user.email):
                self.assertFalse(is_clinical_staff(user))
                for seat in Seat:
                    self.assertFalse(may_hold(user, seat, self.program))
        for user in (self.dana, self.alvarez, self.chen):
            with self.subTest(user=user.email):
                self.assertTrue(all(may_hold(user, seat, self.program) for seat in Seat))

    def test_it_seats_peer_specialists_where_the_program_allows(self):
        self.assertTrue(may_hold(self.sam, Seat.CARE_TEAM, self.program))
        self.assertTrue(may_hold(self.sam, Seat.FACILITATOR, self.program))
        self.assertFalse(may_hold(self.sam, Seat.ON_CALL, self.program))
        strict = Program.objects.create(name="Strict IOP", peer_specialists_allowed=False)
        self.assertFalse(may_hold(self.sam, Seat.CARE_TEAM, strict))
        self.quinn.program = strict
        self.quinn.save(update_fields=["program"])
        self.assertEqual(
            list(Participant.objects.filter(seat_programs(self.sam, Seat.CARE_TEAM, "program"))),
            [self.pat],
        )
        self.assertFalse(
            Participant.objects.filter(
                seat_programs(self.admin, Seat.CARE_TEAM, "program")
            ).exists()
        )

    def test_an_inactive_clinician_holds_no_seat(self):
        self.alvarez.is_active = False
        self.assertFalse(may_hold(self.alvarez, Seat.CARE_TEAM, self.program))

    def test_clinical_staff_need_a_discipline(self):
        self.assertFalse(is_clinical_staff(User(role=User.Role.CLINICIAN, discipline="")))
