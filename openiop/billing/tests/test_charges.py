"""Per-diem charges: exactly one per qualifying day, held with the reason, and the 837/CSV."""

import csv
import io
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.billing import actions, claims
from openiop.billing.models import Charge, ClaimBatch, Coverage, Payer
from openiop.billing.tests import base
from openiop.billing.tests.x12check import validate
from openiop.careplans.models import Diagnosis
from openiop.consent.models import Consent, ConsentKind
from openiop.consent.tests.helpers import release, sign
from openiop.notes.models import Note
from openiop.testing import BaseTestCase

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)


class ChargesTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        base.profile(self.program)
        self.plan = base.payer(self.program)
        self.coverage = base.coverage(self.pat, self.plan)
        self.auth = base.authorization(self.coverage, self.dana, units=20)
        base.diagnosis(self.pat, self.alvarez)

    def generate(self) -> actions.Generated:
        return actions.generate_charges(
            program=self.program, first=FIRST, last=LAST, acting_user=self.dana
        )

    def charges(self) -> dict[date, Charge]:
        return {c.service_date: c for c in Charge.objects.filter(participant=self.pat)}

    def test_a_charge_exactly_for_each_day_that_meets_the_daily_minimum(self):
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})  # 3 h: qualifies
        base.program_day(self, date(2026, 11, 3), {self.pat: 179})  # a minute short
        base.program_day(self, date(2026, 11, 4), {self.pat: 0})  # absent
        # Two sessions on one day add up: 2 h + 1 h.
        base.program_day(self, date(2026, 11, 5), {self.pat: 120}, hours=2)
        base.program_day(self, date(2026, 11, 5), {self.pat: 60}, hours=1, at=17)
        result = self.generate()
        self.assertEqual(sorted(self.charges()), [date(2026, 11, 2), date(2026, 11, 5)])
        self.assertEqual((result.created, result.ready, result.held), (2, 2, 0))
        charge = self.charges()[date(2026, 11, 2)]
        self.assertEqual(charge.status, Charge.Status.READY)
        self.assertEqual((charge.revenue_code, charge.hcpcs), ("0905", "S9480"))
        self.assertEqual(charge.authorization, self.auth)
        self.assertEqual(charge.minutes, 180)
        event = AuditEvent.objects.filter(event_type="billing.charges_generated").get()
        self.assertEqual(event.details["created"], 2)

    def test_a_track_with_a_higher_minimum_holds_to_it(self):
        # Program 3 h a day; this track asks 4 h, so 3 h would qualify only under the program's.
        four_hours = base.group(
            self, track="Four-hour track", name="Morning IOP", daily_minimum_hours=Decimal("4")
        )
        base.program_day(self, date(2026, 11, 2), {self.pat: 180}, in_group=four_hours)
        base.program_day(self, date(2026, 11, 3), {self.pat: 240}, hours=4, in_group=four_hours)
        self.generate()
        self.assertEqual(sorted(self.charges()), [date(2026, 11, 3)])

    def test_a_track_without_a_minimum_falls_back_to_the_programs(self):
        self.program.daily_minimum_hours = Decimal("2.5")
        self.program.save()
        base.program_day(self, date(2026, 11, 2), {self.pat: 150})  # Billing track: no minimum
        base.program_day(self, date(2026, 11, 3), {self.pat: 149})
        self.generate()
        self.assertEqual(sorted(self.charges()), [date(2026, 11, 2)])

    def test_a_track_with_a_lower_minimum_counts_its_shorter_days(self):
        two_hours = base.group(
            self, track="Two-hour track", name="Teen IOP", daily_minimum_hours=Decimal("2")
        )
        base.program_day(self, date(2026, 11, 2), {self.pat: 120}, hours=2, in_group=two_hours)
        self.generate()
        self.assertEqual(sorted(self.charges()), [date(2026, 11, 2)])

    def test_a_day_in_two_tracks_is_held_to_the_higher_minimum(self):
        two_hours = base.group(
            self, track="Two-hour track", name="Teen IOP", daily_minimum_hours=Decimal("2")
        )
        four_hours = base.group(
            self, track="Four-hour track", name="Morning IOP", daily_minimum_hours=Decimal("4")
        )
        # 2 h + 1 h: enough for the two-hour track alone, not for the four-hour one.
        base.program_day(self, date(2026, 11, 2), {self.pat: 120}, hours=2, in_group=two_hours)
        base.program_day(
            self, date(2026, 11, 2), {self.pat: 60}, hours=1, at=17, in_group=four_hours
        )
        # 2 h + 2 h: the minutes of both tracks add up to the higher minimum.
        base.program_day(self, date(2026, 11, 3), {self.pat: 120}, hours=2, in_group=two_hours)
        base.program_day(
            self, date(2026, 11, 3), {self.pat: 120}, hours=2, at=17, in_group=four_hours
        )
        self.generate()
        self.assertEqual(sorted(self.charges()), [date(2026, 11, 3)])
        self.assertEqual(self.charges()[date(2026, 11, 3)].minutes, 240)

    def test_a_day_of_appointments_only_is_held_to_the_strictest_minimum(self):
        base.group(
            self, track="Four-hour track", name="Morning IOP", daily_minimum_hours=Decimal("4")
        )
        base.appointment(self, date(2026, 11, 2), self.pat, 180)  # the program's 3 h, not 4 h
        base.appointment(self, date(2026, 11, 3), self.pat, 240)
        # An appointment adds to a group day, which keeps its own track's minimum (3 h).
        base.program_day(self, date(2026, 11, 4), {self.pat: 120}, hours=2)
        base.appointment(self, date(2026, 11, 4), self.pat, 60)
        self.generate()
        self.assertEqual(sorted(self.charges()), [date(2026, 11, 3), date(2026, 11, 4)])

    def test_a_substance_use_program_bills_its_own_code_pair(self):
        self.program.part2_program = True
        self.program.save()
        sign(self.pat, ConsentKind.PART2_TPO)
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        self.generate()
        charge = self.charges()[date(2026, 11, 2)]
        self.assertEqual((charge.revenue_code, charge.hcpcs), ("0906", "H0015"))
        self.assertEqual(charge.status, Charge.Status.READY)

    # --- 42 CFR Part 2: a claim is a disclosure for payment (CLINICAL.md §6.5) --------------

    def test_a_part2_programs_day_is_held_until_a_part2_consent_for_payment(self):
        self.program.part2_program = True
        self.program.save()
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        result = self.generate()
        charge = self.charges()[date(2026, 11, 2)]
        self.assertEqual(charge.status, Charge.Status.HELD)
        self.assertEqual(charge.hold_reason, Charge.HoldReason.NO_PART2_CONSENT)
        self.assertEqual(charge.get_hold_reason_display(), "No Part 2 consent for payment")
        self.assertEqual((result.ready, result.held), (0, 1))
        with self.assertRaises(actions.BillingError):
            self.export()
        sign(self.pat, ConsentKind.PART2_TPO)
        self.generate()
        self.assertEqual(self.charges()[date(2026, 11, 2)].status, Charge.Status.READY)

    def test_an_sud_diagnosis_holds_the_day_in_any_program(self):
        # A mental health program; the claim would list the alcohol use disorder.
        base.diagnosis(self.pat, self.alvarez, "F10.20", rank=Diagnosis.Rank.SECONDARY)
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        self.generate()
        charge = self.charges()[date(2026, 11, 2)]
        self.assertEqual(charge.hold_reason, Charge.HoldReason.NO_PART2_CONSENT)
        # A release to a named clinic, even one that includes Part 2 records, is not it.
        release(self.pat, includes_part2=True)
        self.generate()
        self.assertEqual(self.charges()[date(2026, 11, 2)].status, Charge.Status.HELD)

    def test_a_mental_health_day_needs_no_part2_consent(self):
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        self.generate()
        self.assertEqual(self.charges()[date(2026, 11, 2)].status, Charge.Status.READY)

    def test_a_consent_revoked_after_the_charges_were_made_refuses_the_export(self):
        self.program.part2_program = True
        self.program.save()
        consent = sign(self.pat, ConsentKind.PART2_TPO)
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        self.generate()
        self.assertEqual(self.charges()[date(2026, 11, 2)].status, Charge.Status.READY)
        Consent.objects.filter(pk=consent.pk).update(
            status=Consent.Status.REVOKED, revoked_at=timezone.now()
        )
        with self.assertRaises(actions.BillingError) as caught:
            self.export()
        message = str(caught.exception)
        self.assertIn("no Part 2 consent for payment is in force for Patricia Lindqvist", message)
        self.assertIn("Nothing was exported", message)
        self.assertFalse(ClaimBatch.objects.exists())
        self.generate()
        charge = self.charges()[date(2026, 11, 2)]
        self.assertEqual(charge.hold_reason, Charge.HoldReason.NO_PART2_CONSENT)

    def test_a_cancelled_session_counts_nowhere(self):
        session = base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        session.status = session.Status.CANCELLED
        session.cancelled_at = session.starts_at
        session.save()
        self.generate()
        self.assertEqual(self.charges(), {})

    def test_held_without_a_signed_note(self):
        base.program_day(self, date(2026, 11, 2), {self.pat: 180}, signed=False)
        self.generate()
        charge = self.charges()[date(2026, 11, 2)]
        self.assertEqual(charge.status, Charge.Status.HELD)
        self.assertEqual(charge.hold_reason, Charge.HoldReason.UNSIGNED_NOTE)

    def test_held_without_a_covering_authorization(self):
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        self.auth.starts_on = date(2026, 11, 3)
        self.auth.save()
        self.generate()
        self.assertEqual(
            self.charges()[date(2026, 11, 2)].hold_reason, Charge.HoldReason.NO_AUTHORIZATION
        )

    def test_held_without_coverage(self):
        base.program_day(self, date(2026, 11, 2), {self.quinn: 180})
        self.generate()
        charge = Charge.objects.get(participant=self.quinn)
        self.assertEqual(charge.hold_reason, Charge.HoldReason.NO_COVERAGE)

    def test_a_coverage_that_follows_an_ended_one_bills_its_own_days(self):
        self.coverage.ends_on = date(2026, 11, 3)
        self.coverage.save()
        later = base.coverage(self.pat, self.plan, member_id="NEW-1", starts=date(2026, 11, 4))
        base.authorization(later, self.dana, starts=date(2026, 11, 4), reference="AUTH-2")
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        base.program_day(self, date(2026, 11, 5), {self.pat: 180})
        self.generate()
        charges = self.charges()
        self.assertEqual(charges[date(2026, 11, 2)].coverage, self.coverage)
        self.assertEqual(charges[date(2026, 11, 5)].coverage, later)
        self.assertEqual(charges[date(2026, 11, 5)].status, Charge.Status.READY)

    def test_the_database_keeps_one_open_coverage_per_priority(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            base.coverage(self.pat, self.plan, member_id="SECOND")

    def test_days_past_the_units_approved_are_held(self):
        self.auth.units_approved = 2
        self.auth.save()
        for day in base.NOVEMBER[:3]:
            base.program_day(self, day, {self.pat: 180})
        self.generate()
        statuses = [(c.status, c.hold_reason) for _, c in sorted(self.charges().items())]
        self.assertEqual(
            statuses,
            [("ready", ""), ("ready", ""), ("held", Charge.HoldReason.UNITS_EXHAUSTED)],
        )

    def test_a_note_signed_later_releases_the_hold_and_corrected_attendance_removes_it(self):
        session = base.program_day(self, date(2026, 11, 2), {self.pat: 180}, signed=False)
        self.generate()
        self.assertEqual(self.charges()[date(2026, 11, 2)].status, Charge.Status.HELD)
        Note.objects.create(
            participant=self.pat,
            author=self.alvarez,
            kind=Note.Kind.GROUP,
            session=session,
            status=Note.Status.SIGNED,
            signed_by=self.alvarez,
            signed_at=session.ends_at,
            content_hash="0" * 64,
        )
        result = self.generate()
        self.assertEqual(result.changed, 1)
        self.assertEqual(self.charges()[date(2026, 11, 2)].status, Charge.Status.READY)
        session.bookings.update(minutes_attended=60, attendance="left_early")
        result = self.generate()
        self.assertEqual(result.removed, 1)
        self.assertEqual(self.charges(), {})

    def test_generating_runs_a_fixed_number_of_queries(self):
        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                self.generate()
            return len(ctx.captured_queries)

        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        small = count()
        quinn_cov = base.coverage(self.quinn, self.plan, member_id="Q1")
        base.authorization(quinn_cov, self.dana, reference="AUTH-Q")
        for day in base.NOVEMBER[1:]:
            base.program_day(self, day, {self.pat: 180, self.quinn: 180})
        Charge.objects.all().delete()
        self.assertEqual(count(), small)

    # --- 837 -----------------------------------------------------------------------------

    def export(self, payer: Payer | None = None) -> tuple[ClaimBatch, str]:
        payer = payer or self.plan.payer
        batch = claims.export_batch(
            program=self.program, payer=payer, first=FIRST, last=LAST, acting_user=self.dana
        )
        return batch, claims.batch_text(batch, acting_user=self.dana)

    def test_the_837i_batch_passes_pyx12_validation(self):
        quinn_cov = base.coverage(self.quinn, self.plan, member_id="Q-77")
        quinn_cov.relationship = Coverage.Relationship.CHILD
        quinn_cov.subscriber_given_name = "Morgan"
        quinn_cov.subscriber_family_name = "Marlowe"
        quinn_cov.save()
        base.authorization(quinn_cov, self.dana, reference="AUTH-Q")
        base.diagnosis(self.quinn, self.chen, "F41.1")
        for day in base.NOVEMBER:
            base.program_day(self, day, {self.pat: 180, self.quinn: 180})
        self.generate()
        batch, text = self.export()
        ok, ack = validate(text)
        self.assertTrue(ok, ack + text)
        self.assertIn("IK5*A", ack)
        self.assertIn("ST*837*0001*005010X223A2~", text)
        self.assertIn("HI*BG:92~", text)  # condition code 92, intensive outpatient
        self.assertEqual(text.count("SV2*0905*HC:S9480*150*UN*1~"), 12)
        self.assertIn("REF*G1*AUTH-1~", text)
        self.assertIn("PAT*19~", text)
        self.assertEqual(Charge.objects.filter(batch=batch, status="exported").count(), 12)
        # The same bytes when downloaded again; nothing left to export.
        self.assertEqual(claims.batch_text(batch, acting_user=self.dana), text)
        with self.assertRaises(actions.BillingError):
            self.export()

    def test_pyx12_rejects_a_broken_batch(self):
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        self.generate()
        _, text = self.export()
        broken = "\n".join(line for line in text.splitlines() if not line.startswith("CLM*"))
        self.assertFalse(validate(broken)[0])

    def test_the_837p_batch_passes_pyx12_validation(self):
        payer = self.plan.payer
        payer.claim_format = Payer.ClaimFormat.PROFESSIONAL
        payer.save()
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        self.generate()
        _, text = self.export()
        ok, ack = validate(text)
        self.assertTrue(ok, ack + text)
        self.assertIn("005010X222A1", text)
        self.assertIn("SV1*HC:S9480*150*UN*1***1~", text)

    def test_accented_names_are_folded_to_the_x12_character_set(self):
        self.pat.given_name, self.pat.family_name = "José", "Núñez-O'Brien"
        self.pat.save()
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        self.generate()
        _, text = self.export()
        self.assertIn("NM1*IL*1*NUNEZ-O'BRIEN*JOSE****MI*ABC123~", text)
        ok, ack = validate(text)
        self.assertTrue(ok, ack + text)

    def test_a_name_with_a_delimiter_is_refused_with_a_clear_message(self):
        self.pat.family_name = "Lind*qvist"
        self.pat.save()
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        self.generate()
        with self.assertRaises(actions.BillingError) as caught:
            self.export()
        message = str(caught.exception)
        self.assertIn("subscriber family name contains an X12 delimiter", message)
        self.assertIn("Nothing was exported", message)
        # Nothing changed: the charge is still ready and no batch was kept.
        self.assertEqual(self.charges()[date(2026, 11, 2)].status, Charge.Status.READY)
        self.assertFalse(ClaimBatch.objects.exists())

    def test_a_name_in_another_script_is_refused(self):
        self.pat.given_name = "Παναγιώτα"
        self.pat.save()
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        self.generate()
        with self.assertRaises(actions.BillingError) as caught:
            self.export()
        self.assertIn("characters X12 cannot carry", str(caught.exception))

    def test_a_claim_needs_a_diagnosis(self):
        self.pat.diagnoses.all().delete()
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        self.generate()
        with self.assertRaises(actions.BillingError) as caught:
            self.export()
        self.assertIn("no active diagnosis", str(caught.exception))

    def test_the_csv_is_safe_from_formula_injection(self):
        self.pat.family_name = "=HYPERLINK(1)"
        self.pat.save()
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        self.generate()
        rows = list(csv.reader(io.StringIO(claims.charges_csv(list(Charge.objects.all())))))
        self.assertEqual(rows[0][0], "Service date")
        self.assertTrue(rows[1][1].startswith("'=HYPERLINK"))
        self.assertEqual(rows[1][5:7], ["0905", "S9480"])
