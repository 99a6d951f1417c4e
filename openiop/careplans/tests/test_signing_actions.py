"""Submitting and signing a plan: who signs, in what state, and when it takes effect."""

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine
from django.db import IntegrityError, transaction

from openiop.audit.models import AuditEvent
from openiop.careplans import actions
from openiop.careplans.models import Intervention, PlanSignature, TreatmentPlan
from openiop.careplans.signatures import SigningError, is_physician
from openiop.careplans.tests.plan_fixture import (
    add_signature,
    current_hash,
    make_episode,
    make_plan,
)
from openiop.participants.models import CareTeamMember
from openiop.testing import BaseTestCase, make_user

Role = PlanSignature.Role
Status = TreatmentPlan.Status
# Monday 2 March 2026, 12:00 in New York.
NOON = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


class SubmitTestCase(BaseTestCase):
    def test_it_locks_a_complete_draft_for_signatures(self):
        plan = make_plan(self.pat, author=self.alvarez)
        actions.submit_for_signatures(plan, acting_user=self.alvarez)
        plan.refresh_from_db()
        self.assertEqual(plan.status, Status.AWAITING_SIGNATURES)
        event = AuditEvent.objects.get(event_type="careplans.plan_submitted")
        self.assertEqual(event.details, {"plan": str(plan.code), "number": 1})
        self.assertEqual(event.participant, self.pat)

    def test_it_takes_the_level_of_care_from_the_episode(self):
        episode = make_episode(self.pat, by=self.ivy, level="iop")
        plan = make_plan(self.pat, author=self.alvarez, episode=episode, level_of_care="")
        actions.submit_for_signatures(plan, acting_user=self.alvarez)
        plan.refresh_from_db()
        self.assertEqual(plan.level_of_care, "iop")

    def test_it_refuses_a_plan_without_objectives_or_interventions(self):
        plan = TreatmentPlan.objects.create(participant=self.pat, created_by=self.alvarez)
        with self.assertRaises(SigningError) as caught:
            actions.submit_for_signatures(plan, acting_user=self.alvarez)
        self.assertEqual(
            caught.exception.messages,
            [
                "Add at least one problem with a goal and an objective.",
                "Add at least one intervention: what the participant will receive, how often "
                "and from whom.",
            ],
        )
        plan.refresh_from_db()
        self.assertEqual(plan.status, Status.DRAFT)

    def test_it_refuses_when_the_team_has_no_primary_clinician(self):
        plan = make_plan(self.quinn, author=self.chen)
        with self.assertRaisesMessage(SigningError, "Quinn M. has no primary clinician"):
            actions.submit_for_signatures(plan, acting_user=self.chen)

    def test_it_asks_for_a_physician_on_the_team_where_the_program_requires_one(self):
        self.program.requires_physician_certification = True
        self.program.save()
        plan = make_plan(self.pat, author=self.alvarez)
        with self.assertRaisesMessage(SigningError, "no physician"):
            actions.submit_for_signatures(plan, acting_user=self.alvarez)

    def test_only_a_draft_is_submitted(self):
        plan = make_plan(self.pat, author=self.alvarez, status=Status.AWAITING_SIGNATURES)
        with self.assertRaisesMessage(SigningError, "Only a draft"):
            actions.submit_for_signatures(plan, acting_user=self.alvarez)


@time_machine.travel(NOON, tick=False)
class SignTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.plan = make_plan(self.pat, author=self.alvarez)
        actions.submit_for_signatures(self.plan, acting_user=self.alvarez)

    def sign(self, role, user, **kwargs):
        kwargs.setdefault("signed_hash", current_hash(self.plan))
        kwargs.setdefault("typed_name", user.display_name)
        return actions.sign_plan(self.plan, role=role, acting_user=user, **kwargs)

    def test_the_participant_and_the_primary_clinician_put_the_plan_in_effect(self):
        first = self.sign(Role.PARTICIPANT, self.pat_user, typed_name="Patricia Lindqvist")
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.status, Status.AWAITING_SIGNATURES)
        self.assertEqual(first.attestation, "I took part in making this plan and I agree to it.")
        self.assertEqual(first.content_hash, current_hash(self.plan))

        self.sign(Role.PRIMARY_CLINICIAN, self.alvarez)
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.status, Status.ACTIVE)
        self.assertEqual(self.plan.effective_at, NOON)
        # 30 days after the day it took effect (the program's default cadence).
        self.assertEqual(self.plan.review_due_on, date(2026, 4, 1))
        signed = AuditEvent.objects.filter(event_type="careplans.plan_signed").order_by("seq")
        self.assertEqual(
            [e.details for e in signed],
            [
                {"plan": str(self.plan.code), "role": "participant", "number": 1},
                {"plan": str(self.plan.code), "role": "primary_clinician", "number": 1},
            ],
        )
        self.assertEqual([e.actor for e in signed], [self.pat_user, self.alvarez])
        activated = AuditEvent.objects.get(event_type="careplans.plan_activated")
        self.assertEqual(activated.details["replaces"], None)

    def test_the_new_version_supersedes_the_one_in_effect(self):
        TreatmentPlan.objects.filter(pk=self.plan.pk).update(status=Status.ACTIVE)
        old = self.plan
        new = make_plan(
            self.pat,
            author=self.alvarez,
            status=Status.AWAITING_SIGNATURES,
            lineage=old.lineage,
            number=2,
            previous=old,
            reason=TreatmentPlan.Reason.SCHEDULED_REVIEW,
        )
        self.plan = new
        self.sign(Role.PRIMARY_CLINICIAN, self.alvarez)
        old.refresh_from_db()
        self.assertEqual(old.status, Status.ACTIVE, "in effect until the new one is signed")
        self.sign(Role.PARTICIPANT, self.pat_user)
        old.refresh_from_db()
        new.refresh_from_db()
        self.assertEqual((old.status, new.status), (Status.SUPERSEDED, Status.ACTIVE))
        activated = AuditEvent.objects.get(event_type="careplans.plan_activated")
        self.assertEqual(activated.details["replaces"], str(old.code))

    def test_the_program_sets_the_review_cadence(self):
        self.program.plan_review_days = 14
        self.program.save()
        self.sign(Role.PARTICIPANT, self.pat_user)
        self.sign(Role.PRIMARY_CLINICIAN, self.alvarez)
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.review_due_on, date(2026, 3, 16))

    def test_it_refuses_a_second_signature_in_the_same_role(self):
        self.sign(Role.PARTICIPANT, self.pat_user)
        with self.assertRaisesMessage(SigningError, "already has the participant's signature"):
            self.sign(Role.PARTICIPANT, self.pat_user)
        self.assertEqual(self.plan.signatures.count(), 1)

    def test_it_refuses_to_sign_a_draft(self):
        draft = make_plan(self.quinn, author=self.chen)
        with self.assertRaisesMessage(SigningError, "still a draft"):
            actions.sign_plan(
                draft,
                role=Role.PARTICIPANT,
                typed_name="Quinn Marlowe",
                signed_hash=current_hash(draft),
                acting_user=self.quinn_user,
            )

    def test_it_refuses_to_sign_a_superseded_version(self):
        TreatmentPlan.objects.filter(pk=self.plan.pk).update(status=Status.SUPERSEDED)
        with self.assertRaisesMessage(SigningError, "can no longer be signed"):
            self.sign(Role.PARTICIPANT, self.pat_user)

    def test_it_refuses_someone_not_on_the_care_team(self):
        # Dana may edit every chart of her program, but does not sit on Pat's team.
        with self.assertRaisesMessage(SigningError, "Only a member of the participant's care"):
            self.sign(Role.PRIMARY_CLINICIAN, self.dana)
        self.assertFalse(self.plan.signatures.exists())

    def test_a_team_member_who_is_not_the_primary_clinician_cannot_sign_as_one(self):
        CareTeamMember.objects.create(
            participant=self.pat,
            clinician=self.chen,
            role=CareTeamMember.Role.PSYCHIATRIC_PRESCRIBER,
        )
        with self.assertRaisesMessage(
            SigningError, "Only the primary clinician (Rosa Alvarez, PsyD) can sign as primary"
        ):
            self.sign(Role.PRIMARY_CLINICIAN, self.chen)

    def test_a_read_only_team_member_cannot_sign(self):
        with self.assertRaisesMessage(SigningError, "read-only"):
            self.sign(Role.PRIMARY_CLINICIAN, self.sam)

    def test_only_the_participant_signs_as_the_participant(self):
        with self.assertRaisesMessage(SigningError, "Only the participant"):
            self.sign(Role.PARTICIPANT, self.alvarez)
        with self.assertRaisesMessage(SigningError, "Only the participant"):
            self.sign(Role.PARTICIPANT, self.quinn_user)

    def test_it_refuses_a_plan_that_changed_since_the_signer_read_it(self):
        with self.assertRaisesMessage(SigningError, "changed since you opened it"):
            self.sign(Role.PARTICIPANT, self.pat_user, signed_hash="0" * 64)

    def test_it_refuses_an_empty_typed_name(self):
        with self.assertRaisesMessage(SigningError, "Type your full name"):
            self.sign(Role.PARTICIPANT, self.pat_user, typed_name="   ")

    def test_the_typed_name_is_kept_as_typed(self):
        signature = self.sign(
            Role.PARTICIPANT, self.pat_user, typed_name="<b>Pat</b>  <script>x</script>"
        )
        self.assertEqual(signature.typed_name, "<b>Pat</b> <script>x</script>")

    def test_no_physician_is_asked_for_where_the_program_does_not_require_one(self):
        CareTeamMember.objects.create(
            participant=self.pat,
            clinician=self.chen,
            role=CareTeamMember.Role.PSYCHIATRIC_PRESCRIBER,
        )
        with self.assertRaisesMessage(SigningError, "does not ask for a physician"):
            self.sign(Role.PHYSICIAN, self.chen, certified_weekly_hours=Decimal("9"))

    def test_returning_to_draft_voids_the_signatures(self):
        self.sign(Role.PARTICIPANT, self.pat_user)
        actions.return_to_draft(self.plan, acting_user=self.alvarez)
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.status, Status.DRAFT)
        self.assertFalse(self.plan.signatures.exists())
        event = AuditEvent.objects.get(event_type="careplans.plan_returned_to_draft")
        self.assertEqual(event.details["removed"], 1)


@time_machine.travel(NOON, tick=False)
class PhysicianCertificationTestCase(BaseTestCase):
    """42 CFR 424.24(d): where the program bills Medicare IOP, a physician certifies the hours."""

    def setUp(self):
        super().setUp()
        self.program.requires_physician_certification = True
        self.program.save()
        CareTeamMember.objects.create(
            participant=self.pat,
            clinician=self.chen,
            role=CareTeamMember.Role.PSYCHIATRIC_PRESCRIBER,
        )
        self.plan = make_plan(self.pat, author=self.alvarez)
        actions.submit_for_signatures(self.plan, acting_user=self.alvarez)

    def sign(self, role, user, **kwargs):
        return actions.sign_plan(
            self.plan,
            role=role,
            typed_name=user.display_name,
            signed_hash=current_hash(self.plan),
            acting_user=user,
            **kwargs,
        )

    def test_the_plan_waits_for_the_physician(self):
        self.sign(Role.PARTICIPANT, self.pat_user)
        self.sign(Role.PRIMARY_CLINICIAN, self.alvarez)
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.status, Status.AWAITING_SIGNATURES)

        signature = self.sign(Role.PHYSICIAN, self.chen, certified_weekly_hours=Decimal("12.0"))
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.status, Status.ACTIVE)
        self.assertEqual(self.plan.certified_weekly_hours, Decimal("12.0"))
        self.assertIn("at least 12.0 hours a week", signature.attestation)

    def test_the_hours_must_reach_the_program_minimum(self):
        with self.assertRaisesMessage(SigningError, "at least 9.0 hours a week"):
            self.sign(Role.PHYSICIAN, self.chen, certified_weekly_hours=Decimal("6"))
        with self.assertRaisesMessage(SigningError, "Give the weekly hours"):
            self.sign(Role.PHYSICIAN, self.chen)
        self.assertFalse(self.plan.signatures.exists())

    def test_a_psychologist_cannot_certify(self):
        with self.assertRaisesMessage(SigningError, "Only a physician on the care team"):
            self.sign(Role.PHYSICIAN, self.alvarez, certified_weekly_hours=Decimal("9"))

    def test_one_person_may_sign_as_primary_clinician_and_physician(self):
        CareTeamMember.objects.filter(participant=self.pat, clinician=self.chen).update(
            role=CareTeamMember.Role.PRIMARY_CLINICIAN
        )
        self.sign(Role.PRIMARY_CLINICIAN, self.chen)
        self.sign(Role.PHYSICIAN, self.chen, certified_weekly_hours=Decimal("9"))
        self.assertEqual(self.plan.signatures.count(), 2)


class PhysicianTestCase(BaseTestCase):
    def test_psychiatrists_and_md_or_do_credentials_make_a_physician(self):
        cases = {
            ("psychiatrist", ""): True,
            ("", "MD"): True,
            ("", "M.D."): True,
            ("", "DO, MPH"): True,
            ("", "MD/PhD"): True,
            ("psychologist", "PsyD"): False,
            ("nurse", "PMHNP-BC"): False,
            ("", "Doctor"): False,
        }
        for index, ((discipline, credentials), expected) in enumerate(cases.items()):
            user = make_user(
                f"physician-{index}@example.org",
                "Test",
                "Person",
                "clinician",
                discipline=discipline,
                credentials=credentials,
            )
            with self.subTest(credentials=credentials):
                self.assertEqual(is_physician(user), expected)


class SignatureRowTestCase(BaseTestCase):
    def test_the_database_keeps_one_signature_per_role(self):
        plan = make_plan(self.pat, author=self.alvarez, status=Status.AWAITING_SIGNATURES)
        add_signature(plan, Role.PARTICIPANT, self.pat_user)
        with self.assertRaises(IntegrityError), transaction.atomic():
            add_signature(plan, Role.PARTICIPANT, self.pat_user)
        self.assertEqual(Intervention.objects.filter(plan=plan).count(), 2)
