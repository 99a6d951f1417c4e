"""Audit details hold ids, codes, counts and field names; record() refuses anything else."""

from django.test import SimpleTestCase

from openiop.audit.actions import record
from openiop.audit.details import UnsafeAuditDetail, check_details
from openiop.audit.models import AuditEvent
from openiop.testing import BaseTestCase


class CheckDetailsTestCase(SimpleTestCase):
    def test_it_accepts_ids_codes_counts_dates_and_field_names(self):
        check_details(
            {
                "session": "0b0c6a56-3f7e-4c2a-9d61-2f1f7c1e9a10",
                "reason": "not_licensed_in_state",
                "notified": 3,
                "automatic": True,
                "episode": None,
                "from": "2026-03-08T18:00:00-04:00",
                "rule_set": "openiop-default@1.0.0",
                "fields": ["phone", "emergency_contact_phone"],
            }
        )

    def test_it_refuses_a_key_that_is_not_on_the_allow_list(self):
        for key in (
            "critical_items",
            "items",
            "answers",
            "instrument",
            "narrative",
            "missing_items",
        ):
            with (
                self.subTest(key=key),
                self.assertRaisesMessage(UnsafeAuditDetail, f"audit detail {key!r}"),
            ):
                check_details({key: "suicidal-thoughts"})

    def test_it_refuses_free_text_emails_phones_and_nesting_whatever_the_key(self):
        for value in (
            "Gave away belongings",
            "pat@example.org",
            "+15555550199",
            {"id": "x"},
            ["ok", "not ok"],
            "x" * 81,
        ):
            with self.subTest(value=value), self.assertRaises(UnsafeAuditDetail):
                check_details({"reason": value})


class RecordRefusesUnsafeDetailsTestCase(BaseTestCase):
    def test_record_refuses_clinical_content_and_writes_nothing(self):
        with self.assertRaises(UnsafeAuditDetail):
            record(
                "assessment.submitted",
                acting_user=self.alvarez,
                participant=self.pat,
                details={"critical_items": ["suicidal-thoughts"]},
            )
        self.assertFalse(AuditEvent.objects.exists())
