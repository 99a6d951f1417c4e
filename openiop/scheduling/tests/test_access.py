from datetime import UTC, date, datetime

import time_machine

from openiop.participants.access import Access, participant_access, visible_participants
from openiop.scheduling import actions
from openiop.scheduling.tests.base import SchedulingTestCase


@time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False)
class FacilitatorAccessTestCase(SchedulingTestCase):
    def test_a_facilitator_reads_the_charts_of_their_groups_members(self):
        self.assertEqual(participant_access(self.chen, self.pat), Access.NONE)
        enrollment = actions.admit(
            self.pat, self.group_b, starts_on=date(2026, 3, 2), acting_user=self.dana
        )
        self.assertEqual(participant_access(self.chen, self.pat), Access.READ)
        self.assertIn(self.pat, visible_participants(self.chen))

        actions.end_enrollment(enrollment, acting_user=self.dana)
        self.assertEqual(participant_access(self.chen, self.pat), Access.NONE)
        self.assertNotIn(self.pat, visible_participants(self.chen))

    def test_a_waitlisted_participant_stays_hidden_from_facilitators(self):
        self.group_b.capacity = 1
        self.group_b.save()
        actions.admit(self.quinn, self.group_b, starts_on=date(2026, 3, 2), acting_user=self.dana)
        actions.admit(self.pat, self.group_b, starts_on=date(2026, 3, 2), acting_user=self.dana)
        self.assertEqual(participant_access(self.chen, self.pat), Access.NONE)

    def test_facilitating_never_grants_write(self):
        actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        # Sam is on Pat's team read-only and co-facilitates Pat's group: still read-only.
        self.assertEqual(participant_access(self.sam, self.pat), Access.READ)
