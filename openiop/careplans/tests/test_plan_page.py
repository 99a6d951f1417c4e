"""The clinician's plan page: everything on the plan, the notes per objective, few queries."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.careplans import hooks
from openiop.careplans.models import Objective, PlanSignature, TreatmentPlan
from openiop.careplans.tests.plan_fixtures import NOW, chart_diagnosis, make_plan
from openiop.testing import BaseTestCase


@dataclass
class StandInNote:
    code: str
    kind: str
    started_at: datetime
    author: Any
    status: str = "signed"

    def get_kind_display(self) -> str:
        return {"individual": "Individual session", "group": "Group"}[self.kind]


@time_machine.travel(NOW, tick=False)
class PlanPageTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.plan = make_plan(self.pat, created_by=self.alvarez, problems=1, goals=1)
        self.objective = Objective.objects.get(goal__problem__plan=self.plan)

    def get(self, user, plan=None):
        self.login(user)
        return self.client.get((plan or self.plan).get_absolute_url())

    def test_it_shows_every_part_of_the_plan(self):
        depression = chart_diagnosis(self, self.pat, "F33.1", "Major depressive disorder")
        self.plan.problems.get().diagnoses.add(depression)
        response = self.get(self.alvarez)
        for text in (
            "Treatment plan, version 1: draft",
            "Patricia Lindqvist",
            "Intensive outpatient (IOP)",
            "F33.1 <bdi>Major depressive disorder</bdi> (primary)",
            "Keeps a journal",
            "Problem 1",
            "Own words 1",
            "Clinical statement 1",
            "Goal 1.1",
            "<strong>Objective 1.1.1.</strong> Objective 1.1.1",
            "PHQ-9 ≤ 9 by 19 Jan 2027",
            "Status: not started",
            "Individual therapy",
            "Weekly, 50 minutes each, for 8 weeks",
            "<bdi>Rosa Alvarez, PsyD</bdi>, Psychologist",
            f'<a href="#objective-{self.objective.code}">1.1.1</a>',
            "Next review due</dt><dd>7 Jan 2027",
            "Anticipated discharge</dt><dd>2 Feb 2027",
            'id="signatures-heading"',
            "still to sign",
            "Notes that addressed it: none yet.",
        ):
            self.assertContains(response, text)

    def test_a_writer_sees_the_links_to_change_a_draft(self):
        response = self.get(self.alvarez)
        self.assertContains(response, reverse("careplans:plan_edit", args=[self.plan.code]))
        self.assertContains(response, f"?within={self.objective.goal.code}")
        self.assertContains(response, "Add an intervention")

    def test_a_reader_sees_the_plan_without_the_links(self):
        response = self.get(self.sam)
        self.assertContains(response, "Goal 1.1")
        self.assertNotContains(response, reverse("careplans:plan_edit", args=[self.plan.code]))
        self.assertNotContains(response, "Add an intervention")

    def test_a_plan_in_effect_has_no_links_to_change_it(self):
        TreatmentPlan.objects.filter(pk=self.plan.pk).update(status="active")
        response = self.get(self.alvarez)
        self.assertContains(response, "changes go into a review")
        self.assertNotContains(response, reverse("careplans:plan_edit", args=[self.plan.code]))

    def test_each_view_records_one_plan_read(self):
        self.login(self.sam)
        before = AuditEvent.objects.count()
        self.client.get(self.plan.get_absolute_url())
        self.assertEqual(AuditEvent.objects.count(), before + 1)
        event = AuditEvent.objects.latest("seq")
        self.assertEqual(event.event_type, "careplans.plan_viewed")
        self.assertEqual((event.actor, event.participant), (self.sam, self.pat))

    def test_outsiders_and_participants_get_404_and_other_methods_405(self):
        self.assertEqual(self.get(self.chen).status_code, 404)
        self.assertEqual(self.get(self.admin).status_code, 404)
        self.assertEqual(self.get(self.pat_user).status_code, 404)
        self.assertEqual(self.get(self.quinn_user).status_code, 404)
        self.login(self.alvarez)
        self.assertEqual(self.client.post(self.plan.get_absolute_url()).status_code, 405)
        missing = "/record/plans/00000000-0000-0000-0000-000000000000/"
        self.assertEqual(self.client.get(missing).status_code, 404)

    def test_it_lists_the_versions_of_the_plan(self):
        TreatmentPlan.objects.filter(pk=self.plan.pk).update(status="superseded")
        newer = make_plan(self.pat, created_by=self.alvarez)
        TreatmentPlan.objects.filter(pk=newer.pk).update(
            lineage=self.plan.lineage, number=2, previous=self.plan, reason="scheduled_review"
        )
        response = self.get(self.alvarez, newer)
        self.assertContains(response, "Version 2 (this one)")
        self.assertContains(response, "Scheduled review")
        self.assertContains(response, f'<a href="{self.plan.get_absolute_url()}">Version 1</a>')

    def test_it_shows_the_signatures(self):
        PlanSignature.objects.create(
            plan=self.plan,
            role=PlanSignature.Role.PRIMARY_CLINICIAN,
            signed_by=self.alvarez,
            typed_name="Rosa Alvarez",
            attestation="I developed this plan with the participant.",
            content_hash="0" * 64,
            signed_at=datetime(2026, 12, 8, 14, 0, tzinfo=UTC),
        )
        response = self.get(self.alvarez)
        self.assertContains(
            response,
            "signed “<bdi>Rosa Alvarez</bdi>” by <bdi>Rosa Alvarez, PsyD</bdi>, "
            "Tue 8 Dec 2026, 9:00 AM EST",
        )

    def test_the_query_count_does_not_grow_with_the_plan(self):
        self.login(self.alvarez)
        with CaptureQueriesContext(connection) as small:
            self.assertEqual(self.client.get(self.plan.get_absolute_url()).status_code, 200)
        self.plan.delete()
        big = make_plan(
            self.pat, created_by=self.alvarez, problems=5, goals=3, objectives=3, interventions=6
        )
        diagnosis = chart_diagnosis(self, self.pat, "F33.1", "Major depressive disorder")
        for problem in big.problems.all():
            problem.diagnoses.add(diagnosis)
        PlanSignature.objects.create(
            plan=big,
            role=PlanSignature.Role.PARTICIPANT,
            signed_by=self.pat_user,
            typed_name="Pat",
            attestation="I took part.",
            content_hash="0" * 64,
            signed_at=timezone.now(),
        )
        # The page's own queries plus the chart banner's (core.queries.chart_banner: 7, and
        # 2 for its own gate check).
        self.assertLess(len(small), 34)
        with self.assertNumQueries(len(small)):
            response = self.client.get(big.get_absolute_url())
        self.assertContains(response, "Objective 5.3.3")


@time_machine.travel(NOW, tick=False)
@override_settings(ROOT_URLCONF="openiop.careplans.tests.plan_urls")
class NotesPerObjectiveTests(BaseTestCase):
    """The golden thread: each objective lists the notes that addressed it, in any version."""

    def setUp(self):
        super().setUp()
        self.plan = make_plan(self.pat, created_by=self.alvarez, objectives=2)
        self.first, self.second = Objective.objects.filter(goal__problem__plan=self.plan)
        self.asked: list[set] = []

        def provider(lineages):
            lineages = set(lineages)
            self.asked.append(lineages)
            found = {
                self.first.lineage: [
                    StandInNote(
                        "3f1d2f0e-8a8e-4d57-9a0c-0d1f6d8b2a11",
                        "individual",
                        datetime(2026, 12, 3, 23, 0, tzinfo=UTC),
                        self.alvarez,
                    ),
                    StandInNote(
                        "9b6f0a43-52f6-4a53-a3cb-7f3f0e4d8c22",
                        "group",
                        datetime(2026, 12, 1, 23, 0, tzinfo=UTC),
                        self.sam,
                    ),
                ]
            }
            return {k: v for k, v in found.items() if k in lineages}

        hooks.register_objective_notes(provider)
        self.addCleanup(hooks._objective_notes.remove, provider)

    def test_each_objective_lists_the_notes_that_addressed_it(self):
        self.login(self.alvarez)
        response = self.client.get(self.plan.get_absolute_url())
        self.assertEqual(self.asked, [{self.first.lineage, self.second.lineage}])
        self.assertContains(
            response,
            '<a href="/notes/3f1d2f0e-8a8e-4d57-9a0c-0d1f6d8b2a11/">Individual session note</a>, '
            "Thu 3 Dec 2026, <bdi>Rosa Alvarez, PsyD</bdi>",
        )
        self.assertContains(response, "Group note</a>, Tue 1 Dec 2026, <bdi>Sam Rivera, CPS</bdi>")
        self.assertContains(response, "Notes that addressed it: none yet.", count=1)

    def test_a_review_copy_shows_the_notes_of_earlier_versions(self):
        from openiop.careplans import actions

        TreatmentPlan.objects.filter(pk=self.plan.pk).update(status="active")
        self.plan.refresh_from_db()
        copy = actions.copy_plan_for_review(
            self.plan, reason="scheduled_review", acting_user=self.alvarez
        )
        self.login(self.alvarez)
        response = self.client.get(copy.get_absolute_url())
        self.assertContains(response, "Individual session note</a>")

    def test_the_pdf_leaves_the_notes_out(self):
        TreatmentPlan.objects.filter(pk=self.plan.pk).update(status="active")
        self.login(self.alvarez)
        self.client.get(reverse("careplans:plan_pdf", args=[self.plan.code]))
        self.assertEqual(self.asked, [])
