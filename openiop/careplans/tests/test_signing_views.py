"""The signing pages: staff sign on the plan's sign page, the participant on their own page."""

from datetime import UTC, datetime

import time_machine
from django.urls import reverse
from django.utils import translation

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.audit.reads import READ_EVENTS
from openiop.careplans import actions
from openiop.careplans.models import Intervention, PlanSignature, TreatmentPlan
from openiop.careplans.templatetags.careplans_signing import with_whom
from openiop.careplans.tests.plan_fixture import add_signature, current_hash, make_plan
from openiop.participants.models import CareTeamMember
from openiop.testing import BaseTestCase

Role = PlanSignature.Role
Status = TreatmentPlan.Status
NOON = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


@time_machine.travel(NOON, tick=True)
class StaffSigningTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.plan = make_plan(self.pat, author=self.alvarez)
        actions.submit_for_signatures(self.plan, acting_user=self.alvarez)
        self.url = reverse("careplans:sign", args=[self.plan.code])

    def sign_data(self, role="primary_clinician", **fields):
        data = {
            "role": role,
            f"{role}-typed_name": "Rosa Alvarez",
            f"{role}-attest": "on",
            f"{role}-signed_hash": current_hash(self.plan),
        }
        data.update({f"{role}-{k}": v for k, v in fields.items()})
        return data

    def test_the_primary_clinician_reads_the_plan_and_sees_her_form(self):
        self.login(self.alvarez)
        reads = AuditEvent.objects.filter(event_type__in=READ_EVENTS)
        before = reads.count()
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(reads.count() - before, 1)
        self.assertContains(response, "Sign as primary clinician")
        self.assertContains(response, "Lower depressive symptoms.")
        self.assertContains(response, "still to sign")
        self.assertNotContains(response, "Sign and certify as physician")

    def test_she_signs_and_sees_who_still_has_to(self):
        self.login(self.alvarez)
        response = self.client.post(self.url, self.sign_data(), follow=True)
        self.assertRedirects(response, self.url)
        self.assertContains(response, "You signed the plan as primary clinician.")
        self.assertContains(response, "Pat L.")
        self.assertEqual(self.plan.signatures.get().signed_by, self.alvarez)

    def test_an_unticked_attestation_keeps_what_was_typed(self):
        self.login(self.alvarez)
        data = self.sign_data()
        del data["primary_clinician-attest"]
        data["primary_clinician-typed_name"] = "Rosa M. Alvarez"
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Tick the statement to sign.", status_code=400)
        self.assertContains(response, 'value="Rosa M. Alvarez"', status_code=400)
        self.assertFalse(self.plan.signatures.exists())

    def test_signing_twice_is_refused_with_a_message(self):
        add_signature(self.plan, Role.PRIMARY_CLINICIAN, self.alvarez)
        self.login(self.alvarez)
        response = self.client.post(self.url, self.sign_data())
        # The form is gone once she has signed: the role is no longer hers to sign.
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "already has the primary clinician&#x27;s signature", status_code=400
        )
        self.assertEqual(self.plan.signatures.count(), 1)

    def test_a_director_off_the_team_cannot_sign(self):
        self.login(self.dana)
        response = self.client.get(self.url)
        self.assertNotContains(response, "Sign as primary clinician")
        response = self.client.post(self.url, self.sign_data())
        self.assertContains(
            response, "Only a member of the participant&#x27;s care team", status_code=400
        )
        self.assertFalse(self.plan.signatures.exists())

    def test_a_draft_cannot_be_signed(self):
        TreatmentPlan.objects.filter(pk=self.plan.pk).update(status=Status.DRAFT)
        self.login(self.alvarez)
        response = self.client.post(self.url, self.sign_data())
        self.assertContains(response, "still a draft", status_code=400)

    def test_html_in_the_typed_name_is_inert(self):
        self.login(self.alvarez)
        self.client.post(
            self.url, self.sign_data(typed_name='<script>alert("x")</script><b>Rosa</b>')
        )
        response = self.client.get(self.url)
        self.assertNotContains(response, "<script>alert")
        self.assertContains(response, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")

    def test_outsiders_get_404_readers_403_and_wrong_methods_405(self):
        self.login(self.chen)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, self.sign_data()).status_code, 404)
        self.login(self.sam)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(self.client.post(self.url, self.sign_data()).status_code, 403)
        self.login(self.pat_user)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.login(self.alvarez)
        self.assertEqual(self.client.put(self.url).status_code, 405)
        submit = reverse("careplans:submit", args=[self.plan.code])
        self.assertEqual(self.client.get(submit).status_code, 405)


@time_machine.travel(NOON, tick=True)
class PhysicianSigningViewTestCase(BaseTestCase):
    def test_the_physician_certifies_the_hours_on_the_sign_page(self):
        self.program.requires_physician_certification = True
        self.program.save()
        CareTeamMember.objects.create(
            participant=self.pat,
            clinician=self.chen,
            role=CareTeamMember.Role.PSYCHIATRIC_PRESCRIBER,
        )
        plan = make_plan(self.pat, author=self.alvarez)
        actions.submit_for_signatures(plan, acting_user=self.alvarez)
        url = reverse("careplans:sign", args=[plan.code])
        self.login(self.chen)
        response = self.client.get(url)
        self.assertContains(response, "Sign and certify as physician")
        self.assertContains(response, "At least 9.0, the program&#x27;s weekly minimum.")
        self.assertNotContains(response, "Sign as primary clinician")
        data = {
            "role": "physician",
            "physician-typed_name": "Wei Chen",
            "physician-attest": "on",
            "physician-signed_hash": current_hash(plan),
            "physician-certified_weekly_hours": "7.5",
        }
        response = self.client.post(url, data)
        self.assertContains(response, "Certify at least 9.0 hours a week", status_code=400)
        self.assertContains(response, 'value="7.5"', status_code=400)
        data["physician-certified_weekly_hours"] = "12"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        plan.refresh_from_db()
        self.assertEqual(str(plan.certified_weekly_hours), "12.0")


class SubmitAndReviewViewsTestCase(BaseTestCase):
    def test_submitting_locks_the_draft(self):
        plan = make_plan(self.pat, author=self.alvarez)
        self.login(self.alvarez)
        response = self.client.post(reverse("careplans:submit", args=[plan.code]), follow=True)
        self.assertContains(response, "waiting for its signatures")
        plan.refresh_from_db()
        self.assertEqual(plan.status, Status.AWAITING_SIGNATURES)

    def test_a_refusal_says_what_is_missing(self):
        plan = make_plan(self.quinn, author=self.chen)
        self.login(self.chen)
        response = self.client.post(reverse("careplans:submit", args=[plan.code]), follow=True)
        self.assertContains(response, "Quinn M. has no primary clinician on the care team")
        plan.refresh_from_db()
        self.assertEqual(plan.status, Status.DRAFT)

    def test_returning_to_draft(self):
        plan = make_plan(self.pat, author=self.alvarez, status=Status.AWAITING_SIGNATURES)
        self.login(self.alvarez)
        response = self.client.post(
            reverse("careplans:return_to_draft", args=[plan.code]), follow=True
        )
        self.assertContains(response, "The plan is a draft again.")

    def test_a_review_opens_the_new_draft_and_the_diff_shows_no_change(self):
        plan = make_plan(self.pat, author=self.alvarez, status=Status.ACTIVE)
        self.login(self.alvarez)
        response = self.client.get(reverse("careplans:sign", args=[plan.code]))
        self.assertContains(response, "Start the review")
        response = self.client.post(
            reverse("careplans:start_review", args=[plan.code]),
            {"reason": "clinical_change"},
            follow=True,
        )
        new = TreatmentPlan.objects.get(previous=plan)
        self.assertRedirects(response, reverse("careplans:sign", args=[new.code]))
        self.assertContains(response, "Version 2 is a draft. Version 1 stays in effect")
        self.assertContains(response, "Submit for signatures")

        reads = AuditEvent.objects.filter(event_type="careplans.plan_diff_viewed")
        response = self.client.get(reverse("careplans:plan_diff", args=[new.code]))
        self.assertContains(response, "What changed from version 1 to version 2")
        self.assertContains(response, "Nothing changed")
        self.assertEqual(reads.count(), 1)
        self.assertEqual(
            AuditEvent.objects.filter(event_type__in=READ_EVENTS).order_by("-seq")[0].event_type,
            "careplans.plan_diff_viewed",
        )

    def test_the_diff_shows_before_and_after(self):
        plan = make_plan(self.pat, author=self.alvarez, status=Status.ACTIVE)
        new = actions.start_review(plan, reason="scheduled_review", acting_user=self.alvarez)
        TreatmentPlan.objects.filter(pk=new.pk).update(strengths="<i>Brave</i>")
        self.login(self.sam)
        response = self.client.get(reverse("careplans:plan_diff", args=[new.code]))
        self.assertContains(response, "<del>Curious, keeps a journal, a supportive sister.</del>")
        self.assertContains(response, "<ins>&lt;i&gt;Brave&lt;/i&gt;</ins>")
        # Against an explicit version of the same plan, or nothing else.
        url = reverse("careplans:plan_diff", args=[plan.code])
        response = self.client.get(url, {"against": str(new.code)})
        self.assertContains(response, "What changed from version 1 to version 2")
        other = make_plan(self.quinn, author=self.chen)
        self.assertEqual(self.client.get(url, {"against": str(other.code)}).status_code, 404)
        self.assertEqual(self.client.get(url, {"against": "nonsense"}).status_code, 404)

    def test_the_first_version_has_nothing_to_compare(self):
        plan = make_plan(self.pat, author=self.alvarez, status=Status.ACTIVE)
        self.login(self.alvarez)
        response = self.client.get(reverse("careplans:plan_diff", args=[plan.code]))
        self.assertContains(response, "no earlier version to compare it with")


@time_machine.travel(NOON, tick=True)
class ParticipantSigningTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.plan = make_plan(self.pat, author=self.alvarez)
        actions.submit_for_signatures(self.plan, acting_user=self.alvarez)
        self.url = reverse("careplans:my_plan")
        self.sign_url = reverse("careplans:my_plan_sign", args=[self.plan.code])

    def data(self, **fields):
        return {
            "agree": "on",
            "typed_name": "Patricia Lindqvist",
            "signed_hash": current_hash(self.plan),
            **fields,
        }

    def test_home_says_the_plan_is_ready_to_sign(self):
        self.login(self.pat_user)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "Your treatment plan is ready to sign")
        self.login(self.quinn_user)
        response = self.client.get(reverse("home"))
        # Today links every participant to "Your treatment plan"; only Pat has one to sign.
        self.assertNotContains(response, "ready to sign")

    def test_the_page_is_in_plain_words_and_records_no_read(self):
        self.login(self.pat_user)
        reads = AuditEvent.objects.filter(event_type__in=READ_EVENTS)
        before = reads.count()
        response = self.client.get(self.url)
        self.assertEqual(reads.count(), before)
        self.assertContains(response, "I can&#x27;t get out of bed")
        self.assertContains(response, "By Thursday 30 April 2026")
        self.assertContains(response, "Aim: a PHQ-9 score of 9 or lower.")
        self.assertContains(response, "Once a week, 50 minutes each time, for 8 weeks.")
        self.assertContains(response, "With Rosa Alvarez, PsyD.")
        self.assertContains(response, "Three times a week, 3 hours each time.")
        self.assertContains(response, "I took part in making this plan and I agree to it")

    def test_the_plans_phrases_read_in_spanish(self):
        self.pat_user.language = "es"
        self.pat_user.save()
        self.login(self.pat_user)
        response = self.client.get(self.url)
        self.assertContains(response, "Objetivo: una puntuación de PHQ-9 de 9 o menos.")
        self.assertContains(
            response, "Una vez a la semana, 50 minutos cada vez, durante 8 semanas."
        )
        self.assertContains(response, "Con Rosa Alvarez, PsyD.")
        self.assertContains(response, "Tres veces a la semana, 3 horas cada vez.")

    def test_a_discipline_is_named_in_one_whole_phrase(self):
        nurse = Intervention(responsible_discipline=User.Discipline.NURSE)
        with translation.override("es"):
            self.assertEqual(
                with_whom(nurse), "con un profesional de enfermería de su equipo de atención"
            )
        self.assertEqual(with_whom(nurse), "with a nurse from your care team")
        self.assertEqual(with_whom(Intervention()), "with your care team")

    def test_she_signs_and_gets_a_confirmation(self):
        self.login(self.pat_user)
        response = self.client.post(self.sign_url, self.data(), follow=True)
        self.assertRedirects(response, self.url)
        self.assertContains(response, "Thank you. You signed your treatment plan.")
        self.assertContains(response, "You signed this plan")
        self.assertContains(response, "Your care team still has to sign it.")
        self.assertNotContains(response, "Sign your plan")
        signature = self.plan.signatures.get()
        self.assertEqual((signature.role, signature.signed_by), (Role.PARTICIPANT, self.pat_user))
        response = self.client.get(reverse("home"))
        self.assertNotContains(response, "ready to sign")
        self.assertContains(response, "See your treatment plan")

    def test_nothing_typed_is_lost_when_the_box_is_not_ticked(self):
        self.login(self.pat_user)
        data = self.data(typed_name="Pat <b>L</b>")
        del data["agree"]
        response = self.client.post(self.sign_url, data)
        self.assertContains(
            response, "Tick the box to say you agree with the plan.", status_code=400
        )
        self.assertContains(response, 'value="Pat &lt;b&gt;L&lt;/b&gt;"', status_code=400)

    def test_signing_twice_says_so_and_keeps_one_signature(self):
        self.login(self.pat_user)
        self.client.post(self.sign_url, self.data())
        response = self.client.post(self.sign_url, self.data())
        self.assertContains(
            response, "already has the participant&#x27;s signature", status_code=400
        )
        self.assertEqual(self.plan.signatures.count(), 1)

    def test_someone_elses_plan_is_404(self):
        self.login(self.quinn_user)
        self.assertEqual(self.client.post(self.sign_url, self.data()).status_code, 404)
        self.assertFalse(self.plan.signatures.exists())

    def test_staff_have_no_my_plan_page(self):
        self.login(self.alvarez)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.sign_url, self.data()).status_code, 404)

    def test_a_participant_without_a_plan_is_told_so(self):
        self.login(self.quinn_user)
        response = self.client.get(self.url)
        self.assertContains(response, "Your care team has not finished your plan yet.")

    def test_the_typed_name_shows_inert_to_the_care_team(self):
        self.login(self.pat_user)
        self.client.post(self.sign_url, self.data(typed_name="<img src=x onerror=alert(1)>"))
        self.login(self.alvarez)
        response = self.client.get(reverse("careplans:sign", args=[self.plan.code]))
        self.assertNotContains(response, "<img src=x")
        self.assertContains(response, "&lt;img src=x onerror=alert(1)&gt;")
