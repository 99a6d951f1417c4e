"""Licensure at seating: telehealth follows the patient, so a place in a group needs a
facilitator licensed where the participant lives (programs.licensure, the video door's rule).

Evening DBT A is led by Dr. Alvarez (NY, NJ); Evening DBT B by Dr. Chen (NY only). Nia lives
in New Jersey. It is Monday 2 March 2026.
"""

import json
from datetime import UTC, date, datetime, time

import time_machine
from django.urls import reverse

from openiop.accounts.models import StateLicense
from openiop.audit.models import AuditEvent
from openiop.participants.models import Participant
from openiop.programs.models import GroupFacilitator
from openiop.scheduling import actions, queries
from openiop.scheduling.errors import LicensureError
from openiop.scheduling.models import Enrollment
from openiop.scheduling.tests.base import SchedulingTestCase

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
MONDAY = date(2026, 3, 2)
REASON = "Moving to New York next week; Dr. Chen is applying for a New Jersey licence."


@time_machine.travel(NOW, tick=False)
class LicensureAtSeatingTestCase(SchedulingTestCase):
    def setUp(self):
        super().setUp()
        self.nia = self.make_participant("nia@example.org", "Nia", "Okoye", "")
        Participant.objects.filter(pk=self.nia.pk).update(home_state="NJ")
        self.nia.refresh_from_db()

    def test_a_placement_no_facilitator_is_licensed_for_is_refused_with_groups_that_fit(self):
        with self.assertRaises(LicensureError) as refused:
            actions.admit(self.nia, self.group_b, starts_on=MONDAY, acting_user=self.ivy)
        self.assertIn(
            "None of Evening DBT B's facilitators is licensed in New Jersey", str(refused.exception)
        )
        self.assertEqual(refused.exception.alternatives, [self.group])
        self.assertFalse(Enrollment.objects.filter(participant=self.nia).exists())

    def test_waitlisting_is_refused_too(self):
        for i in range(3):
            person = self.make_participant(f"b{i}@example.org", f"B{i}", "Test", "")
            actions.admit(person, self.group_b, starts_on=MONDAY, acting_user=self.ivy)
        with self.assertRaises(LicensureError):
            actions.admit(self.nia, self.group_b, starts_on=MONDAY, acting_user=self.ivy)
        self.assertFalse(Enrollment.objects.filter(participant=self.nia).exists())

    def test_a_full_group_is_not_suggested(self):
        for i in range(3):
            person = self.make_participant(f"a{i}@example.org", f"A{i}", "Test", "")
            actions.admit(person, self.group, starts_on=MONDAY, acting_user=self.ivy)
        with self.assertRaises(LicensureError) as refused:
            actions.admit(self.nia, self.group_b, starts_on=MONDAY, acting_user=self.ivy)
        self.assertEqual(refused.exception.alternatives, [])

    def test_a_licence_that_lapses_before_the_start_does_not_count(self):
        StateLicense.objects.filter(user=self.alvarez, state="NJ").update(
            expires_on=date(2026, 3, 1)
        )
        with self.assertRaises(LicensureError):
            actions.admit(self.nia, self.group, starts_on=MONDAY, acting_user=self.ivy)

    def test_a_fitting_group_seats_without_question(self):
        enrollment = actions.admit(self.nia, self.group, starts_on=MONDAY, acting_user=self.ivy)
        self.assertEqual(enrollment.status, Enrollment.Status.SEATED)
        self.assertEqual(enrollment.licensure_override_reason, "")

    def test_a_directors_override_seats_and_is_audited_without_the_reason(self):
        enrollment = actions.admit(
            self.nia,
            self.group_b,
            starts_on=MONDAY,
            licensure_override=REASON,
            acting_user=self.dana,
        )
        self.assertEqual(enrollment.status, Enrollment.Status.SEATED)
        self.assertEqual(enrollment.licensure_override_reason, REASON)
        self.assertEqual(enrollment.licensure_override_by, self.dana)
        event = AuditEvent.objects.get(event_type="scheduling.licensure_overridden")
        self.assertEqual(event.participant, self.nia)
        self.assertEqual(event.details, {"group": str(self.group_b.code)})
        self.assertNotIn("Moving", json.dumps(event.details))

    def test_only_a_director_may_override(self):
        with self.assertRaisesMessage(
            LicensureError, "Only a director of the program can override licensure."
        ):
            actions.admit(
                self.nia,
                self.group_b,
                starts_on=MONDAY,
                licensure_override=REASON,
                acting_user=self.ivy,
            )
        self.assertFalse(Enrollment.objects.filter(participant=self.nia).exists())

    def test_the_roster_lists_conflicts_after_a_facilitator_change(self):
        actions.admit(self.nia, self.group, starts_on=MONDAY, acting_user=self.ivy)
        self.assertEqual(queries.licensure_conflicts(self.group, MONDAY), [])
        GroupFacilitator.objects.filter(group=self.group, clinician=self.alvarez).delete()
        GroupFacilitator.objects.create(
            group=self.group, clinician=self.chen, role=GroupFacilitator.Role.LEAD
        )
        conflicts = queries.licensure_conflicts(self.group, MONDAY)
        self.assertEqual([c.enrollment.participant for c in conflicts], [self.nia])

        self.login(self.dana)
        response = self.client.get(reverse("scheduling:roster", args=[self.group.code]))
        self.assertContains(response, "Licensure conflicts")
        self.assertContains(response, "lives in New Jersey (seated)")

    def test_a_freed_seat_passes_over_someone_no_facilitator_is_licensed_for(self):
        seated = [
            actions.admit(
                self.make_participant(f"s{i}@example.org", f"S{i}", "Test", ""),
                self.group,
                starts_on=MONDAY,
                acting_user=self.ivy,
            )
            for i in range(3)
        ]
        nia = actions.admit(self.nia, self.group, starts_on=MONDAY, acting_user=self.ivy)
        quinn = actions.admit(self.quinn, self.group, starts_on=MONDAY, acting_user=self.ivy)
        self.assertEqual([nia.status, quinn.status], ["waitlisted", "waitlisted"])
        # Dr. Chen (New York only) takes over the group while Nia (New Jersey) waits.
        GroupFacilitator.objects.filter(group=self.group, clinician=self.alvarez).delete()
        GroupFacilitator.objects.create(
            group=self.group, clinician=self.chen, role=GroupFacilitator.Role.LEAD
        )
        actions.end_enrollment(seated[0], acting_user=self.dana)
        nia.refresh_from_db()
        quinn.refresh_from_db()
        self.assertEqual(nia.status, Enrollment.Status.WAITLISTED)
        self.assertEqual(quinn.status, Enrollment.Status.SEATED)
        self.assertEqual(
            [c.enrollment for c in queries.licensure_conflicts(self.group, MONDAY)], [nia]
        )

    def test_a_waiting_place_with_an_override_is_still_placed(self):
        for i in range(3):
            actions.admit(
                self.make_participant(f"s{i}@example.org", f"S{i}", "Test", ""),
                self.group_b,
                starts_on=MONDAY,
                acting_user=self.ivy,
            )
        nia = actions.admit(
            self.nia,
            self.group_b,
            starts_on=MONDAY,
            licensure_override=REASON,
            acting_user=self.dana,
        )
        self.assertEqual(nia.status, Enrollment.Status.WAITLISTED)
        actions.set_capacity(self.group_b, capacity=4, acting_user=self.dana)
        nia.refresh_from_db()
        self.assertEqual(nia.status, Enrollment.Status.SEATED)

    def test_make_ups_are_offered_and_booked_only_where_a_facilitator_is_licensed(self):
        # Nia is seated in A (Dr. Alvarez, NJ). B (Dr. Chen, NY only) meets on Friday morning.
        actions.admit(self.nia, self.group, starts_on=MONDAY, acting_user=self.ivy)
        friday = actions.add_extra_session(
            self.group_b,
            day=date(2026, 3, 6),
            starts_at=time(10),
            ends_at=time(13),
            acting_user=self.dana,
        )
        self.assertNotIn(friday, queries.makeup_offers(self.nia, MONDAY))
        with self.assertRaisesMessage(LicensureError, "licensed in New Jersey"):
            actions.book_makeup(self.nia, friday, acting_user=self.dana)
        StateLicense.objects.create(user=self.chen, state="NJ")
        self.assertIn(friday, queries.makeup_offers(self.nia, MONDAY))
        actions.book_makeup(self.nia, friday, acting_user=self.dana)

    def test_the_admit_page_refuses_and_links_the_groups_that_fit(self):
        self.login(self.ivy)
        url = reverse("scheduling:admit", args=[self.group_b.code])
        response = self.client.post(
            url, {"participant": self.nia.pk, "starts_on": "2026-03-02", "priority": 0}
        )
        self.assertContains(response, "is licensed in New Jersey", status_code=400)
        self.assertContains(response, "Groups that fit", status_code=400)
        fit = reverse("scheduling:admit", args=[self.group.code])
        self.assertContains(
            response,
            f"{fit}?participant={self.nia.code}&amp;starts_on=2026-03-02",
            status_code=400,
        )
        self.assertNotContains(response, "Licensure override", status_code=400)

        response = self.client.get(f"{fit}?participant={self.nia.code}&starts_on=2026-03-02")
        self.assertContains(response, f'<option value="{self.nia.pk}" selected>')

    def test_a_director_overrides_on_the_admit_page(self):
        self.login(self.dana)
        url = reverse("scheduling:admit", args=[self.group_b.code])
        response = self.client.post(
            url,
            {
                "participant": self.nia.pk,
                "starts_on": "2026-03-02",
                "priority": 0,
                "licensure_override": REASON,
            },
        )
        self.assertRedirects(response, reverse("scheduling:roster", args=[self.group_b.code]))
        response = self.client.get(reverse("scheduling:roster", args=[self.group_b.code]))
        self.assertContains(response, "a director's override is on file")
