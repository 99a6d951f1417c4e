"""Safety plans: the editor, signing and versions, reviews, the alert's panel, the participant's
own page, and the board's query (docs/safety.md, "Safety plans")."""

import re
from datetime import UTC, date, datetime
from unittest import mock

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.safety import actions, queries
from openiop.safety.actions import plan as actions_plan
from openiop.safety.models import (
    Acuity,
    AlertEvent,
    SafetyAlert,
    SafetyPlan,
    SafetyPlanEntry,
    SafetyPlanReview,
)
from openiop.safety.tests.assessment_helpers import sign_brief_assessment
from openiop.testing import BaseTestCase

Step = SafetyPlanEntry.Step
NOW = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
SCRIPT = "<script>alert(1)</script>"


def editor_data(plan: SafetyPlan, op: str = "save", **changes: str) -> dict[str, str]:
    """What the editor posts for `plan` as saved, with `changes` on top."""
    content = actions_plan.PlanContent.of(plan)
    data: dict[str, str] = {
        "op": op,
        "reason_for_living": content.reason_for_living,
        "participant_participated": "on" if content.participant_participated else "",
        "m-count": str(len(content.means)),
    }
    for step, lines in content.lines.items():
        data[f"s{step}-count"] = str(len(lines))
        for i, line in enumerate(lines):
            data[f"s{step}-{i}-text"] = line.text
            data[f"s{step}-{i}-phone"] = line.phone
    data.update(changes)
    return data


def signed_plan(case, participant, *, by=None, lines=None) -> SafetyPlan:
    by = by or case.alvarez
    draft = actions_plan.start_draft(participant, acting_user=by)
    content = actions_plan.PlanContent.of(draft)
    content.lines[Step.WARNING_SIGNS] = [actions_plan.Line("Not sleeping")]
    content.lines[Step.COPING] = [actions_plan.Line(lines or "A walk round the block")]
    content.reason_for_living = "My sister's kids"
    return actions_plan.sign_plan(draft, content=content, acting_user=by)


@time_machine.travel(NOW, tick=False)
class SafetyPlanEditorTestCase(BaseTestCase):
    def test_a_first_plan_starts_with_988_911_and_the_care_team_in_step_five(self):
        self.login(self.alvarez)
        response = self.client.post(reverse("safety:plan_start", args=[self.pat.code]))
        plan = SafetyPlan.objects.get(participant=self.pat)
        self.assertRedirects(response, plan.get_absolute_url())
        texts = list(plan.entries.filter(step=Step.PROFESSIONALS).values_list("text", flat=True))
        self.assertIn("call or text 988", texts[0])
        self.assertIn("988lifeline.org", texts[0])
        self.assertIn("911", texts[1])
        self.assertIn(self.program.name, texts[2])
        page = self.client.get(plan.get_absolute_url())
        self.assertContains(page, "Sign and put in use")

    def test_the_editor_adds_removes_and_reorders_lines_with_plain_forms(self):
        self.login(self.alvarez)
        plan = actions_plan.start_draft(self.pat, acting_user=self.alvarez)
        url = plan.get_absolute_url()
        response = self.client.post(url, editor_data(plan, "add:1"))
        self.assertRedirects(response, f"{url}#step-1", fetch_redirect_response=False)
        self.client.post(url, editor_data(plan, "add:1", **{"s1-0-text": "Staying in bed"}))
        self.client.post(url, editor_data(plan, "save", **{"s1-1-text": "Skipping meals"}))
        self.assertEqual(
            list(plan.entries.filter(step=1).values_list("text", flat=True)),
            ["Staying in bed", "Skipping meals"],
        )
        self.client.post(url, editor_data(plan, "up:1:1"))
        self.assertEqual(
            list(plan.entries.filter(step=1).values_list("text", flat=True)),
            ["Skipping meals", "Staying in bed"],
        )
        self.client.post(url, editor_data(plan, "remove:1:0"))
        self.assertEqual(
            list(plan.entries.filter(step=1).values_list("text", flat=True)), ["Staying in bed"]
        )
        self.client.post(url, editor_data(plan, "add-means"))
        self.client.post(
            url,
            editor_data(
                plan,
                "save",
                **{"m-count": "1", "m-0-means": "Pills", "m-0-action": "Sister keeps them"},
            ),
        )
        self.assertEqual(plan.means_actions.get().action, "Sister keeps them")

    def test_bad_input_comes_back_with_what_was_typed_and_nothing_saved(self):
        self.login(self.alvarez)
        plan = actions_plan.start_draft(self.pat, acting_user=self.alvarez)
        data = editor_data(
            plan,
            "save",
            **{
                "reason_for_living": "x" * 10_000,
                "s2-count": "1",
                "s2-0-text": "y" * 501,
                "s1-count": "1",
                "s1-0-text": SCRIPT,
                "s1-0-phone": "call me maybe",
            },
        )
        response = self.client.post(plan.get_absolute_url(), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "There is a problem", status_code=400)
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;", status_code=400)
        self.assertNotContains(response, SCRIPT, status_code=400)
        self.assertContains(response, "x" * 10_000, status_code=400)
        self.assertFalse(plan.entries.filter(step=1).exists())

    def test_ten_thousand_characters_and_script_are_kept_as_inert_text(self):
        self.login(self.alvarez)
        plan = actions_plan.start_draft(self.pat, acting_user=self.alvarez)
        data = editor_data(
            plan,
            "sign",
            **{
                "reason_for_living": SCRIPT + "x" * 9_975,
                "s1-count": "1",
                "s1-0-text": SCRIPT,
                "s2-count": "1",
                "s2-0-text": "z" * 500,
            },
        )
        response = self.client.post(plan.get_absolute_url(), data)
        self.assertEqual(response.status_code, 302)
        plan.refresh_from_db()
        self.assertEqual(plan.status, SafetyPlan.Status.ACTIVE)
        self.assertEqual(len(plan.reason_for_living), 10_000)
        page = self.client.get(plan.get_absolute_url())
        self.assertNotContains(page, SCRIPT)
        self.assertContains(page, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_signing_needs_warning_signs_coping_and_crisis_contacts(self):
        self.login(self.alvarez)
        plan = actions_plan.start_draft(self.pat, acting_user=self.alvarez)
        response = self.client.post(plan.get_absolute_url(), editor_data(plan, "sign"))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, Step.WARNING_SIGNS.label, status_code=400)
        plan.refresh_from_db()
        self.assertTrue(plan.is_draft)

    def test_signing_puts_the_version_in_use_and_supersedes_the_one_before(self):
        first = signed_plan(self, self.pat)
        self.assertEqual(first.status, SafetyPlan.Status.ACTIVE)
        self.assertEqual(len(first.content_hash), 64)
        second = actions_plan.start_draft(self.pat, acting_user=self.alvarez)
        self.assertEqual(second.version, 2)
        # A new version starts as a copy of the one in use.
        self.assertEqual(
            actions_plan.PlanContent.of(second).lines, actions_plan.PlanContent.of(first).lines
        )
        self.assertEqual(second.reason_for_living, "My sister's kids")
        # The plan in use stays in use until the new version is signed.
        self.assertEqual(queries.active_plan(self.pat), first)
        actions_plan.sign_plan(
            second, content=actions_plan.PlanContent.of(second), acting_user=self.alvarez
        )
        first.refresh_from_db()
        self.assertEqual(first.status, SafetyPlan.Status.SUPERSEDED)
        self.assertEqual(queries.active_plan(self.pat), second)
        event = AuditEvent.objects.filter(event_type="safety.plan_signed").latest("seq")
        self.assertEqual(event.details["replaces"], str(first.code))

    def test_a_signed_version_is_never_edited(self):
        plan = signed_plan(self, self.pat)
        self.login(self.alvarez)
        response = self.client.post(plan.get_absolute_url(), editor_data(plan, "add:1"))
        self.assertRedirects(response, plan.get_absolute_url())
        self.assertEqual(plan.entries.filter(step=1).count(), 1)

    def test_a_peer_specialist_reads_the_plan_but_cannot_change_or_sign_it(self):
        plan = actions_plan.start_draft(self.pat, acting_user=self.alvarez)
        self.login(self.sam)
        page = self.client.get(plan.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Sign and put in use")
        self.assertEqual(
            self.client.post(plan.get_absolute_url(), editor_data(plan, "sign")).status_code, 403
        )
        self.assertEqual(
            self.client.post(reverse("safety:plan_start", args=[self.pat.code])).status_code, 403
        )

    def test_pages_record_a_plan_read(self):
        plan = signed_plan(self, self.pat)
        self.login(self.sam)
        self.client.get(plan.get_absolute_url())
        event = AuditEvent.objects.filter(event_type="safety.plan_viewed").latest("seq")
        self.assertEqual(event.actor_id, self.sam.pk)


@time_machine.travel(NOW, tick=False)
class SafetyPlanFromAlertTestCase(BaseTestCase):
    def raise_high(self, participant):
        return actions.raise_alert(
            participant,
            kind=SafetyAlert.Kind.CRITICAL_ITEM,
            acting_user=participant.user,
            critical_items=[{"id": "9", "label": "Item 9"}],
            signal="response_submitted",
            rule="phq9_item9_high",
        )

    def test_the_on_call_clinician_writes_and_signs_a_plan_from_the_open_alert(self):
        alert = self.raise_high(self.pat)
        self.login(self.chen)
        plans = reverse("safety:participant_plans", args=[self.pat.code])
        self.assertEqual(self.client.get(plans).status_code, 404)
        self.assertEqual(self.client.get(plans, {"alert": alert.code}).status_code, 200)
        response = self.client.post(
            reverse("safety:plan_start", args=[self.pat.code]), {"alert": alert.code}
        )
        plan = SafetyPlan.objects.get(participant=self.pat)
        self.assertRedirects(
            response, f"{plan.get_absolute_url()}?alert={alert.code}", fetch_redirect_response=False
        )
        data = editor_data(
            plan,
            "sign",
            alert=str(alert.code),
            **{"s1-count": "1", "s1-0-text": "Pacing", "s2-count": "1", "s2-0-text": "Music"},
        )
        response = self.client.post(plan.get_absolute_url(), data)
        self.assertRedirects(response, alert.get_absolute_url(), fetch_redirect_response=False)
        plan.refresh_from_db()
        self.assertEqual(plan.status, SafetyPlan.Status.ACTIVE)
        self.assertEqual(plan.alert, alert)
        self.assertTrue(
            alert.events.filter(kind=AlertEvent.Kind.SAFETY_PLAN, detail__contains="signed")
        )
        # Once the alert is closed, the alert no longer opens the chart's plans.
        sign_brief_assessment(alert, acting_user=self.chen)
        actions.acknowledge_alert(
            alert, action="safety_plan", note="Plan written.", acting_user=self.chen
        )
        self.assertEqual(self.client.get(plans, {"alert": alert.code}).status_code, 404)

    def test_a_high_risk_contact_asks_for_a_review_of_the_plan_in_use(self):
        plan = signed_plan(self, self.pat)
        with time_machine.travel(datetime(2026, 12, 9, 15, 0, tzinfo=UTC), tick=False):
            alert = self.raise_high(self.pat)
            self.assertGreaterEqual(alert.acuity, Acuity.HIGH)
            self.login(self.alvarez)
            page = self.client.get(alert.get_absolute_url())
            self.assertContains(page, "This is a high-risk contact: review the safety plan")
            self.assertContains(page, "Reviewed at this contact")
            # The review form sits beside the acknowledgement form: each note keeps its label.
            ids = re.findall(r'\bid="([^"]+)"', page.content.decode())
            self.assertEqual([i for i in set(ids) if ids.count(i) > 1], [])
            response = self.client.post(
                reverse("safety:plan_review", args=[plan.code]),
                {
                    "alert": alert.code,
                    "reason": "high_risk_contact",
                    "outcome": "unchanged",
                    "note": SCRIPT,
                },
            )
            self.assertRedirects(response, alert.get_absolute_url(), fetch_redirect_response=False)
            review = SafetyPlanReview.objects.get(plan=plan)
            self.assertEqual(review.alert, alert)
            page = self.client.get(alert.get_absolute_url())
            self.assertNotContains(page, "This is a high-risk contact")
            self.assertTrue(alert.events.filter(kind=AlertEvent.Kind.SAFETY_PLAN).exists())

    def test_an_elevated_alert_does_not_ask_for_a_review(self):
        signed_plan(self, self.pat)
        alert = actions.raise_alert(
            self.pat,
            kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
            acting_user=self.alvarez,
            concern="Quiet today",
        )
        self.login(self.alvarez)
        page = self.client.get(alert.get_absolute_url())
        self.assertContains(page, "Open the safety plan")
        self.assertNotContains(page, "This is a high-risk contact")

    def test_a_revised_review_opens_a_new_draft_and_keeps_the_plan_in_use(self):
        plan = signed_plan(self, self.pat)
        self.login(self.alvarez)
        response = self.client.post(
            reverse("safety:plan_review", args=[plan.code]),
            {"reason": "routine", "outcome": "revised", "note": ""},
        )
        draft = SafetyPlan.objects.get(participant=self.pat, status="draft")
        self.assertRedirects(response, draft.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(queries.active_plan(self.pat), plan)

    def test_a_review_without_a_reason_comes_back_with_the_note(self):
        plan = signed_plan(self, self.pat)
        self.login(self.alvarez)
        response = self.client.post(
            reverse("safety:plan_review", args=[plan.code]),
            {"outcome": "unchanged", "note": "n" * 10_000},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "n" * 10_000, status_code=400)
        self.assertFalse(SafetyPlanReview.objects.exists())

    def test_a_change_of_level_of_care_makes_the_plan_due_for_review_today(self):
        plan = signed_plan(self, self.pat)
        self.assertTrue(
            actions_plan.prompt_review(
                self.pat, reason=SafetyPlanReview.Reason.LEVEL_OF_CARE, acting_user=self.ivy
            )
        )
        plan.refresh_from_db()
        self.assertEqual(plan.review_due_on, date(2026, 12, 8))
        self.assertFalse(
            actions_plan.prompt_review(
                self.quinn, reason=SafetyPlanReview.Reason.LEVEL_OF_CARE, acting_user=self.ivy
            )
        )

    def test_admission_through_intake_prompts_the_review(self):
        from openiop.careplans.tests.plan_fixtures import admit_through_intake

        plan = signed_plan(self, self.pat)
        admit_through_intake(self, self.pat, scores=False)
        plan.refresh_from_db()
        self.assertEqual(plan.review_due_on, date(2026, 12, 8))


@time_machine.travel(NOW, tick=False)
class MySafetyPlanTestCase(BaseTestCase):
    def test_every_portal_page_links_to_my_safety_plan_and_the_crisis_line(self):
        self.login(self.pat_user)
        for name in ("home", "scheduling:my_week", "careplans:my_plan", "assessments:mine"):
            page = self.client.get(reverse(name), follow=True)
            self.assertContains(page, reverse("safety:my_plan"), msg_prefix=name)
            self.assertContains(page, 'href="tel:988"', msg_prefix=name)

    def test_the_participant_reads_only_their_own_plan_in_use(self):
        plan = signed_plan(self, self.pat, lines="Breathing in fours")
        draft = actions_plan.start_draft(self.pat, acting_user=self.alvarez)
        draft.entries.create(step=Step.COPING, position=5, text="Draft-only idea")
        signed_plan(self, self.quinn, by=self.chen, lines="Quinn's own line")
        self.login(self.pat_user)
        page = self.client.get(reverse("safety:my_plan"))
        self.assertContains(page, "Breathing in fours")
        self.assertContains(page, f"Version {plan.version}")
        self.assertNotContains(page, "Draft-only idea")
        self.assertNotContains(page, "Quinn&#x27;s own line")
        # The staff pages stay closed to her.
        self.assertEqual(self.client.get(plan.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client.get(reverse("safety:participant_plans", args=[self.pat.code])).status_code,
            404,
        )

    def test_the_participant_acknowledges_reading_the_plan(self):
        plan = signed_plan(self, self.pat)
        self.login(self.pat_user)
        self.assertContains(self.client.get(reverse("safety:my_plan")), "I have read my plan")
        self.client.post(reverse("safety:my_plan_acknowledge"))
        plan.refresh_from_db()
        self.assertEqual(plan.participant_acknowledged_at, NOW)
        self.assertNotContains(self.client.get(reverse("safety:my_plan")), "I have read my plan")
        self.assertTrue(AuditEvent.objects.filter(event_type="safety.plan_acknowledged").exists())

    def test_the_plan_prints_as_a_pdf(self):
        signed_plan(self, self.pat)
        self.login(self.pat_user)
        with mock.patch(
            "openiop.safety.views.plan.render_pdf", return_value=b"%PDF-1.7"
        ) as render_pdf:
            response = self.client.get(reverse("safety:my_plan_pdf"))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Cache-Control"], "no-store")
        template, context = render_pdf.call_args.args
        self.assertEqual(template, "safety/plan_pdf.html")
        self.assertEqual(context["plan"].participant, self.pat)

    def test_the_pdf_template_lays_out_with_weasyprint(self):
        from openiop.lib.pdf import render_pdf

        plan = signed_plan(self, self.pat)
        plan.entries.create(step=Step.HELPERS, position=0, text=SCRIPT, phone="+15555550123")
        from openiop.safety.views.plan import _plan_context

        pdf = render_pdf(
            "safety/plan_pdf.html",
            {**_plan_context(plan), "participant": self.pat, "zone": "UTC", "printed_at": NOW},
        )
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_the_worker_is_served_inside_the_page_path(self):
        response = self.client.get(reverse("safety:my_plan_worker"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/javascript")
        self.assertTrue(reverse("safety:my_plan_worker").startswith(reverse("safety:my_plan")))
        self.assertIn(b"openiop-safety-plan-v1", response.content)

    def test_signed_out_pages_clear_the_offline_copy(self):
        page = self.client.get(reverse("account_login"))
        self.assertContains(page, "sw-safety-plan-clear.js")
        self.login(self.pat_user)
        self.assertNotContains(self.client.get(reverse("safety:my_plan")), "sw-safety-plan-clear")


@time_machine.travel(NOW, tick=False)
class WithoutCurrentPlanTestCase(BaseTestCase):
    def positive(self, participant):
        return actions.raise_alert(
            participant,
            kind=SafetyAlert.Kind.CRITICAL_ITEM,
            acting_user=participant.user,
            critical_items=[{"id": "9", "label": "Item 9"}],
            signal="response_submitted",
        )

    def test_a_positive_screen_after_the_plan_was_signed_needs_a_current_plan(self):
        self.assertEqual(list(queries.participants_without_current_plan(self.program)), [])
        self.positive(self.quinn)
        signed_plan(self, self.pat)
        with time_machine.travel(datetime(2026, 12, 10, 15, 0, tzinfo=UTC), tick=False):
            self.positive(self.pat)
        rows = list(queries.participants_without_current_plan(self.program))
        self.assertEqual([r.pk for r in rows], [self.pat.pk, self.quinn.pk])
        self.assertIsNone(rows[1].plan_signed_at)  # type: ignore[attr-defined]
        # Signing a new version after the screen takes Pat off the list.
        with time_machine.travel(datetime(2026, 12, 11, 15, 0, tzinfo=UTC), tick=False):
            signed_plan(self, self.pat)
        rows = list(queries.participants_without_current_plan(self.program))
        self.assertEqual([r.pk for r in rows], [self.quinn.pk])

    def test_the_query_count_does_not_grow_with_participants(self):
        for i in range(5):
            person = self.make_participant(f"p{i}@example.org", "P", f"Person{i}", "")
            self.positive(person)
        with CaptureQueriesContext(connection) as queries_made:
            rows = list(queries.participants_without_current_plan(self.program))
        self.assertEqual(len(rows), 5)
        self.assertEqual(len(queries_made), 1)


class PlanDemoTestCase(BaseTestCase):
    def test_the_demo_signs_a_plan_for_the_first_participants(self):
        from openiop.safety.demo import load_plan_demo

        plans = load_plan_demo(self.program)
        # Pat (Dr. Alvarez) and Quinn (Dr. Chen): both have a licensed clinician who may write.
        self.assertEqual(len(plans), 2)
        self.assertTrue(all(p.status == SafetyPlan.Status.ACTIVE for p in plans))
        self.assertEqual(SafetyPlanReview.objects.count(), 1)
        self.assertEqual(load_plan_demo(self.program), [])
