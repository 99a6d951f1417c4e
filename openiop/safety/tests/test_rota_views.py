"""The director's rota page: forms, validation, audit and the coverage warnings."""

from datetime import UTC, datetime, time

import time_machine
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.safety.models import OnCallOverride, OnCallShift, SafetyPolicy
from openiop.testing import BaseTestCase

# Wednesday 18 March 2026, noon in New York.
NOW = datetime(2026, 3, 18, 16, tzinfo=UTC)


class RotaPageTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.enterContext(time_machine.travel(NOW, tick=False))
        self.login(self.dana)

    def url(self, name="safety:rota", *args):
        return reverse(name, args=[self.program.code, *args])

    def add_shift(self, **fields):
        data = {
            "shift-clinician": self.chen.pk,
            "shift-weekday": "1",
            "shift-starts_at": "09:00",
            "shift-ends_at": "17:00",
        }
        data.update({f"shift-{k}": v for k, v in fields.items()})
        return self.client.post(self.url("safety:rota_add_shift"), data)

    def test_the_page_opens_by_program_code_or_id_for_its_director(self):
        for ref in (self.program.code, self.program.pk):
            page = self.client.get(reverse("safety:rota", args=[ref]))
            self.assertContains(page, "On-call rota: Adult Mental Health IOP")
        self.assertContains(page, "Nobody is on call right now.")
        self.assertContains(page, "nobody is on call for 168 hours of this week")

    def test_a_shift_is_added_audited_and_shown_with_its_zone(self):
        response = self.add_shift()
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        shift = OnCallShift.objects.get()
        event = AuditEvent.objects.get(event_type="safety.rota_shift_added")
        self.assertEqual(event.details["shift"], shift.pk)
        page = self.client.get(self.url())
        self.assertContains(page, "9:00 AM EDT")
        self.assertContains(page, "5:00 PM EDT")
        self.assertContains(page, "stretch(es) of the next two weeks with nobody on call")

    def test_a_peer_specialist_is_refused_with_the_reason(self):
        response = self.add_shift(clinician=self.sam.pk)
        self.assertContains(
            response, "Peer specialists cannot be on the on-call rota", status_code=400
        )
        self.assertFalse(OnCallShift.objects.exists())

    def test_a_deactivated_clinician_is_refused_with_the_reason(self):
        self.chen.is_active = False
        self.chen.save(update_fields=["is_active"])
        response = self.add_shift()
        self.assertContains(response, "Only clinicians and program directors", status_code=400)

    def test_someone_outside_the_program_is_refused(self):
        response = self.add_shift(clinician=self.admin.pk)
        self.assertContains(response, "Choose someone who works in this program", status_code=400)

    def test_a_shift_ending_before_it_starts_needs_the_overnight_box(self):
        response = self.add_shift(starts_at="17:00", ends_at="09:00")
        self.assertContains(response, "Tick “Runs overnight”", status_code=400)
        self.assertContains(response, 'value="17:00"', status_code=400)
        response = self.add_shift(starts_at="17:00", ends_at="09:00", overnight="on")
        self.assertEqual(response.status_code, 302)
        page = self.client.get(self.url())
        self.assertContains(page, "9:00 AM EDT next day")

    def test_an_overlap_is_allowed_and_warned_about(self):
        self.add_shift()
        response = self.add_shift(clinician=self.alvarez.pk, starts_at="16:00", ends_at="18:00")
        self.assertEqual(OnCallShift.objects.count(), 2)
        page = self.client.get(response.url)
        self.assertContains(page, "Two or more people are on call at once")
        self.assertContains(page, "Overlaps:")

    def test_removing_a_shift_is_audited_and_other_programs_shifts_are_404(self):
        self.add_shift()
        shift = OnCallShift.objects.get()
        response = self.client.post(self.url("safety:rota_remove_shift", shift.pk))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(OnCallShift.objects.exists())
        self.assertTrue(AuditEvent.objects.filter(event_type="safety.rota_shift_removed").exists())
        self.assertEqual(
            self.client.post(self.url("safety:rota_remove_shift", 999999)).status_code, 404
        )

    def override(self, **fields):
        data = {
            "override-clinician": self.alvarez.pk,
            "override-starts_at": "2026-03-20T17:00",
            "override-ends_at": "2026-03-21T09:00",
            "override-reason": "Swap",
        }
        data.update({f"override-{k}": v for k, v in fields.items()})
        return self.client.post(self.url("safety:rota_add_override"), data)

    def test_an_override_is_added_in_the_programs_zone_and_audited(self):
        response = self.override()
        self.assertEqual(response.status_code, 302)
        override = OnCallOverride.objects.get()
        self.assertEqual(override.starts_at, datetime(2026, 3, 20, 21, tzinfo=UTC))
        self.assertTrue(AuditEvent.objects.filter(event_type="safety.rota_override_added").exists())
        page = self.client.get(self.url())
        self.assertContains(page, "Fri 20 Mar, 5:00 PM")
        self.client.post(self.url("safety:rota_remove_override", override.pk))
        self.assertFalse(OnCallOverride.objects.exists())

    def test_an_override_must_end_after_it_starts_and_not_be_over(self):
        response = self.override(ends_at="2026-03-20T16:00")
        self.assertContains(response, "must end after it starts", status_code=400)
        response = self.override(starts_at="2026-03-17T09:00", ends_at="2026-03-17T10:00")
        self.assertContains(response, "would already be over", status_code=400)

    def test_an_override_in_the_skipped_hour_is_refused_with_the_reason(self):
        with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
            self.login(self.dana)
            response = self.override(starts_at="2026-03-08T02:30", ends_at="2026-03-08T09:00")
        self.assertContains(response, "does not exist in America/New_York", status_code=400)

    def test_an_override_in_the_repeated_hour_covers_all_of_it(self):
        with time_machine.travel(datetime(2026, 10, 25, tzinfo=UTC), tick=False):
            self.login(self.dana)
            self.override(starts_at="2026-11-01T01:30", ends_at="2026-11-01T01:45")
        override = OnCallOverride.objects.get()
        # 1:30 AM EDT (05:30 UTC) to the second 1:45 AM, EST (06:45 UTC).
        self.assertEqual(override.starts_at, datetime(2026, 11, 1, 5, 30, tzinfo=UTC))
        self.assertEqual(override.ends_at, datetime(2026, 11, 1, 6, 45, tzinfo=UTC))

    def test_script_in_the_reason_is_inert(self):
        self.override(reason="<script>alert(1)</script>")
        page = self.client.get(self.url())
        self.assertNotContains(page, "<script>alert(1)</script>")
        self.assertContains(page, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def policy(self, **fields):
        data = {
            "policy-emergency_minutes": "10",
            "policy-high_minutes": "45",
            "policy-business_day_ends_at": "18:00",
            "policy-business_days": ["1", "2", "3", "4"],
            "policy-backup": str(self.alvarez.pk),
            "policy-rule_phq9_item9_low": "2",
        }
        data.update({f"policy-{k}": v for k, v in fields.items()})
        return self.client.post(self.url("safety:rota_policy"), data)

    def test_the_policy_is_saved_and_audited(self):
        self.assertEqual(self.policy().status_code, 302)
        policy = SafetyPolicy.objects.get(program=self.program)
        self.assertEqual(policy.emergency_minutes, 10)
        self.assertEqual(policy.business_day_ends_at, time(18))
        self.assertEqual(policy.business_days, [1, 2, 3, 4])
        self.assertEqual(policy.backup, self.alvarez)
        self.assertEqual(policy.acuity_rules, {"phq9_item9_low": 2})
        event = AuditEvent.objects.get(event_type="safety.policy_changed")
        self.assertIn("acuity_rules", event.details["fields"])

    def test_the_policy_backup_must_be_an_active_clinician_of_the_program(self):
        self.alvarez.is_active = False
        self.alvarez.save(update_fields=["is_active"])
        response = self.policy()
        self.assertContains(response, "The backup must be an active clinician", status_code=400)
        response = self.policy(backup=str(self.ivy.pk))
        self.assertContains(response, "The backup must be an active clinician", status_code=400)
        self.assertFalse(SafetyPolicy.objects.exists())

    def test_the_policy_refuses_bad_numbers_and_keeps_the_input(self):
        response = self.policy(emergency_minutes="0", high_minutes="abc")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'value="abc"', status_code=400)

    def test_other_staff_get_404(self):
        for user in (self.alvarez, self.chen, self.ivy, self.admin, self.sam):
            self.login(user)
            self.assertEqual(self.client.get(self.url()).status_code, 404, user.email)
            self.assertEqual(self.add_shift().status_code, 404)
        self.assertFalse(OnCallShift.objects.exists())


class DirectorHomeWarningTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.enterContext(time_machine.travel(NOW, tick=False))

    def cover_the_week(self, who):
        for weekday in range(1, 8):
            OnCallShift.objects.create(
                program=self.program,
                clinician=who,
                weekday=weekday,
                starts_at=time(9),
                ends_at=time(9),
            )

    def test_a_director_sees_a_warning_when_the_next_seven_days_have_a_gap(self):
        self.login(self.dana)
        page = self.client.get(reverse("home"))
        self.assertContains(page, "On-call gap:")
        self.assertContains(page, "168 hours of the next 7 days")
        self.assertContains(page, reverse("safety:rota", args=[self.program.code]))

    def test_a_covered_week_shows_only_the_link(self):
        self.cover_the_week(self.chen)
        self.login(self.dana)
        page = self.client.get(reverse("home"))
        self.assertNotContains(page, "On-call gap:")
        self.assertContains(page, "every hour of the next 7 days is covered")

    def test_a_deactivated_clinician_on_the_rota_brings_the_warning_back(self):
        self.cover_the_week(self.chen)
        self.chen.is_active = False
        self.chen.save(update_fields=["is_active"])
        self.login(self.dana)
        self.assertContains(self.client.get(reverse("home")), "On-call gap:")

    def test_clinicians_see_no_rota_warning(self):
        self.login(self.alvarez)
        page = self.client.get(reverse("home"))
        self.assertNotContains(page, "On-call")

    def test_the_check_asks_the_same_queries_however_big_the_rota(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.login(self.dana)
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("home"))
        self.cover_the_week(self.chen)
        self.cover_the_week(self.alvarez)
        with CaptureQueriesContext(connection) as many:
            self.client.get(reverse("home"))
        self.assertEqual(len(few), len(many))
