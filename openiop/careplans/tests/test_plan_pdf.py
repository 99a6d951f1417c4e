"""The plan as a PDF: for chart readers, and the participant's own copy once it is theirs.

The PDF's text is checked in the HTML WeasyPrint lays out: the machine has no pdftotext and no
PDF text extractor is installed, and WeasyPrint writes text as glyph ids in compressed streams,
so the PDF bytes cannot be searched for a name. The test spies on the view's call to
`render_pdf` and renders the same template with the same context.
"""

from datetime import UTC, datetime
from unittest import mock

import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.audit.reads import READ_EVENTS
from openiop.careplans.models import PlanProblem, PlanSignature, TreatmentPlan
from openiop.careplans.tests.plan_fixtures import NOW, make_plan
from openiop.lib.pdf import render_pdf
from openiop.testing import BaseTestCase

QUINN_CANARY = "Quinn-only canary phrase"
SCRIPT = '<script>alert("x")</script><img src="file:///etc/passwd">'


@time_machine.travel(NOW, tick=False)
class PlanPdfTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.plan = make_plan(self.pat, created_by=self.alvarez, status="active")
        quinns = make_plan(self.quinn, created_by=self.chen, status="active")
        PlanProblem.objects.filter(plan=quinns).update(in_own_words=QUINN_CANARY)
        self.html: list[str] = []

    def url(self, plan=None):
        return reverse("careplans:plan_pdf", args=[(plan or self.plan).code])

    def download(self, user, plan=None):
        def spy(template, context):
            self.html.append(render_to_string(template, context))
            return render_pdf(template, context)

        self.login(user)
        with mock.patch("openiop.careplans.views.plans.render_pdf", side_effect=spy):
            return self.client.get(self.url(plan))

    def test_a_chart_reader_downloads_the_plan(self):
        exports = AuditEvent.objects.filter(event_type__in=READ_EVENTS)
        before = exports.count()
        response = self.download(self.sam)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="treatment-plan-v1.pdf"'
        )
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertTrue(response.content.startswith(b"%PDF-"))
        self.assertEqual(exports.count(), before + 1)
        event = exports.latest("seq")
        self.assertEqual(event.event_type, "careplans.plan_exported")
        self.assertEqual((event.actor, event.participant), (self.sam, self.pat))

    def test_it_holds_everything_on_the_plan_and_its_signatures(self):
        PlanSignature.objects.create(
            plan=self.plan,
            role=PlanSignature.Role.PARTICIPANT,
            signed_by=self.pat_user,
            typed_name="Patricia Lindqvist",
            attestation="I took part in writing this plan and agree with it.",
            content_hash="ab" * 32,
            signed_at=datetime(2026, 12, 7, 22, 30, tzinfo=UTC),
        )
        self.download(self.alvarez)
        (html,) = self.html
        for text in (
            "Individualized treatment plan",
            "Patricia Lindqvist",
            "Own words 1",
            "Clinical statement 1",
            "Goal 1.1",
            "PHQ-9 ≤ 9 by 19 Jan 2027",
            "Weekly, 50 minutes each, for 8 weeks",
            "<strong>Participant</strong>: <bdi>Patricia Lindqvist</bdi>, signed Mon 7 Dec 2026, "
            "5:30 PM EST",
            "I took part in writing this plan and agree with it.",
            "ab" * 32,
        ):
            self.assertIn(text, html)
        self.assertNotIn("Notes that addressed it", html)
        # Links within the document only (objective numbers); nothing points outside it.
        self.assertNotRegex(html, r'href="(?!#objective-)')

    def test_it_holds_no_other_participants_data(self):
        self.download(self.dana)
        (html,) = self.html
        self.assertIn("Patricia Lindqvist", html)
        for text in ("Quinn", "Marlowe", QUINN_CANARY):
            self.assertNotIn(text, html)

    def test_typed_markup_is_inert_in_the_pdf(self):
        TreatmentPlan.objects.filter(pk=self.plan.pk).update(strengths=SCRIPT)
        PlanProblem.objects.filter(plan=self.plan).update(clinical_statement=SCRIPT)
        response = self.download(self.alvarez)
        self.assertEqual(response.status_code, 200)
        (html,) = self.html
        self.assertNotIn("<script>", html)
        self.assertNotIn('<img src="file', html)
        self.assertIn("&lt;script&gt;", html)

    def test_the_participant_gets_a_copy_once_the_plan_is_theirs_to_sign(self):
        self.assertEqual(self.download(self.pat_user).status_code, 200)
        TreatmentPlan.objects.filter(pk=self.plan.pk).update(status="awaiting_signatures")
        self.assertEqual(self.download(self.pat_user).status_code, 200)
        for status in ("draft", "superseded"):
            TreatmentPlan.objects.filter(pk=self.plan.pk).update(status=status)
            with self.subTest(status=status):
                reads = AuditEvent.objects.filter(event_type="careplans.plan_exported").count()
                self.assertEqual(self.download(self.pat_user).status_code, 404)
                self.assertEqual(
                    AuditEvent.objects.filter(event_type="careplans.plan_exported").count(), reads
                )

    def test_nobody_else_gets_it(self):
        for user in (self.quinn_user, self.chen, self.admin):
            with self.subTest(user=user.email):
                self.assertEqual(self.download(user).status_code, 404)
        self.login(self.alvarez)
        self.assertEqual(self.client.post(self.url()).status_code, 405)
