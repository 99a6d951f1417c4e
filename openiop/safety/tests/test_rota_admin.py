"""The rota in the Django admin and in `manage.py check_seats`."""

from datetime import UTC, datetime, time
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.safety.models import OnCallOverride, OnCallShift, SafetyPolicy
from openiop.testing import BaseTestCase


class RotaAdminTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.login(self.admin)

    def shift_data(self, who):
        return {
            "program": self.program.pk,
            "clinician": who.pk,
            "weekday": "1",
            "starts_at": "09:00",
            "ends_at": "17:00",
        }

    def test_the_admin_refuses_a_peer_specialist_on_the_rota_with_the_reason(self):
        url = reverse("admin:safety_oncallshift_add")
        response = self.client.post(url, self.shift_data(self.sam))
        self.assertContains(response, "Peer specialists cannot be on the on-call rota")
        self.assertFalse(OnCallShift.objects.exists())

    def test_the_admin_refuses_an_administrator_override(self):
        response = self.client.post(
            reverse("admin:safety_oncalloverride_add"),
            {
                "program": self.program.pk,
                "clinician": self.admin.pk,
                "starts_at_0": "2026-03-16",
                "starts_at_1": "09:00",
                "ends_at_0": "2026-03-16",
                "ends_at_1": "17:00",
            },
        )
        self.assertContains(response, "Only clinicians and program directors")
        self.assertFalse(OnCallOverride.objects.exists())

    def test_an_admin_shift_is_audited(self):
        response = self.client.post(
            reverse("admin:safety_oncallshift_add"), self.shift_data(self.chen)
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(event_type="safety.oncallshift_added").exists())

    def test_the_admin_refuses_a_backup_outside_the_program(self):
        response = self.client.post(
            reverse("admin:safety_safetypolicy_add"),
            {
                "program": self.program.pk,
                "acuity_rules": "{}",
                "emergency_minutes": "5",
                "high_minutes": "30",
                "business_day_ends_at": "17:00",
                "business_days": "[1, 2, 3, 4, 5]",
                "backup": self.admin.pk,
            },
        )
        self.assertContains(response, "The backup must be an active clinician or director")
        self.assertFalse(SafetyPolicy.objects.exists())


class CheckSeatsRotaTestCase(BaseTestCase):
    def test_check_seats_lists_rota_rows_whose_person_may_no_longer_hold_the_seat(self):
        shift = OnCallShift.objects.create(
            program=self.program,
            clinician=self.chen,
            weekday=1,
            starts_at=time(9),
            ends_at=time(17),
        )
        override = OnCallOverride.objects.create(
            program=self.program,
            clinician=self.sam,
            starts_at=datetime(2026, 3, 16, 13, tzinfo=UTC),
            ends_at=datetime(2026, 3, 16, 21, tzinfo=UTC),
        )
        self.chen.is_active = False
        self.chen.save(update_fields=["is_active"])
        out = StringIO()
        with self.assertRaisesMessage(CommandError, "seat(s)"):
            call_command("check_seats", stdout=out)
        report = out.getvalue()
        self.assertIn(f"on-call rota: program {self.program.code}, shift {shift.pk}", report)
        self.assertIn(f"override {override.pk}", report)
        self.assertIn(f"user {self.sam.code}", report)
        self.assertNotIn("Chen", report)
        self.assertNotIn("Rivera", report)
