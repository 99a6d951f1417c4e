"""What changed between two versions, item by item through the lineages."""

from datetime import date

from openiop.careplans.actions import copy_plan_for_review
from openiop.careplans.content import plan_content, plan_diff, plan_hash, with_content
from openiop.careplans.models import (
    Diagnosis,
    Goal,
    Intervention,
    Objective,
    PlanProblem,
    TreatmentPlan,
)
from openiop.careplans.tests.plan_fixture import make_plan
from openiop.testing import BaseTestCase

Status = TreatmentPlan.Status


class DiffTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.old = make_plan(self.pat, author=self.alvarez, status=Status.ACTIVE)
        self.new = copy_plan_for_review(
            self.old, reason=TreatmentPlan.Reason.SCHEDULED_REVIEW, acting_user=self.alvarez
        )

    def diff(self):
        plans = with_content(TreatmentPlan.objects.filter(pk__in=[self.old.pk, self.new.pk]))
        by_pk = {p.pk: p for p in plans}
        return plan_diff(by_pk[self.old.pk], by_pk[self.new.pk])

    def sections(self, diff):
        return {title: items for title, items in diff.sections}

    def test_an_unchanged_copy_has_no_differences(self):
        self.assertTrue(self.diff().is_empty)

    def test_it_lists_changed_plan_fields_before_and_after(self):
        TreatmentPlan.objects.filter(pk=self.new.pk).update(
            strengths="Curious, journals daily.", anticipated_discharge_on=date(2026, 6, 12)
        )
        diff = self.diff()
        self.assertEqual(
            [(c.label, c.before, c.after) for c in diff.plan_fields],
            [
                (
                    "Strengths",
                    "Curious, keeps a journal, a supportive sister.",
                    "Curious, journals daily.",
                ),
                ("Anticipated discharge date", "29 May 2026", "12 Jun 2026"),
            ],
        )

    def test_it_follows_items_by_lineage(self):
        objective = Objective.objects.get(goal__problem__plan=self.new, position=0)
        objective.target_date = date(2026, 5, 15)
        objective.measure_target = 7
        objective.status = Objective.Status.IN_PROGRESS
        objective.save()
        Goal.objects.filter(problem__plan=self.new).update(text="Live the life I want.")
        Intervention.objects.filter(
            plan=self.new, modality=Intervention.Modality.DBT_SKILLS_GROUP
        ).delete()
        individual = Intervention.objects.get(plan=self.new)
        individual.frequency = Intervention.Frequency.TWICE_WEEKLY
        individual.save()
        individual.objectives.remove(
            Objective.objects.get(goal__problem__plan=self.new, position=1)
        )
        diagnosis = Diagnosis.objects.create(
            participant=self.pat,
            icd10_code="F41.1",
            description="Generalized anxiety disorder",
            updated_by=self.alvarez,
        )
        problem = PlanProblem.objects.create(
            plan=self.new,
            in_own_words="I worry all the time.",
            clinical_statement="GAD.",
            position=1,
        )
        problem.diagnoses.add(diagnosis)

        sections = self.sections(self.diff())
        [added] = sections["Problems"]
        self.assertEqual((added.change, added.title, added.context), ("added", "GAD.", "Problem 2"))
        [goal] = sections["Goals"]
        self.assertEqual(
            [(f.label, f.before, f.after) for f in goal.fields],
            [("Text", "Get back to the things that matter to me.", "Live the life I want.")],
        )
        [objective_change] = sections["Objectives"]
        self.assertEqual(objective_change.change, "changed")
        self.assertEqual(
            [(f.label, f.before, f.after) for f in objective_change.fields],
            [
                ("Target date", "30 Apr 2026", "15 May 2026"),
                ("Measure target", "PHQ-9 ≤ 9", "PHQ-9 ≤ 7"),
                ("Status", "Not started", "In progress"),
            ],
        )
        changes = {(i.change, i.title) for i in sections["Interventions"]}
        self.assertEqual(
            changes,
            {
                ("changed", "Individual therapy: Behavioural activation."),
                ("removed", "DBT skills group"),
            },
        )
        changed = next(i for i in sections["Interventions"] if i.change == "changed")
        self.assertEqual(
            [(f.label, f.before, f.after) for f in changed.fields],
            [
                ("Frequency", "Weekly", "Twice a week"),
                (
                    "Objectives served",
                    "Lower depressive symptoms.; See a friend once a week.",
                    "Lower depressive symptoms.",
                ),
            ],
        )

    def test_a_goal_moved_to_another_problem_shows_where(self):
        problem = PlanProblem.objects.create(
            plan=self.new, in_own_words="Sleep.", clinical_statement="Insomnia.", position=1
        )
        Goal.objects.filter(problem__plan=self.new).update(problem=problem)
        [goal] = self.sections(self.diff())["Goals"]
        self.assertEqual(
            [(f.label, f.after) for f in goal.fields], [("Under problem", "Insomnia.")]
        )


class ContentTestCase(BaseTestCase):
    def test_the_content_covers_the_plan_and_every_child(self):
        plan = make_plan(self.pat, author=self.alvarez)
        content = plan_content(plan)
        self.assertEqual(content["plan"]["code"], str(plan.code))
        self.assertEqual(content["plan"]["strengths"], plan.strengths)
        [problem] = content["problems"]
        [goal] = problem["goals"]
        self.assertEqual([o["target_date"] for o in goal["objectives"]], ["2026-04-30"] * 2)
        self.assertEqual(len(content["interventions"]), 2)
        self.assertEqual(content["interventions"][0]["responsible_person"], str(self.alvarez.code))

    def test_any_change_of_content_changes_the_hash(self):
        plan = make_plan(self.pat, author=self.alvarez)
        before = plan_hash(plan)
        Objective.objects.filter(goal__problem__plan=plan, position=1).update(
            text="See two friends a week."
        )
        plan = TreatmentPlan.objects.get(pk=plan.pk)
        self.assertNotEqual(plan_hash(plan), before)

    def test_workflow_state_is_not_content(self):
        plan = make_plan(self.pat, author=self.alvarez)
        before = plan_hash(plan)
        TreatmentPlan.objects.filter(pk=plan.pk).update(
            status=Status.ACTIVE, review_due_on=date(2026, 4, 1), edit_version=5
        )
        Intervention.objects.filter(plan=plan).update(booked_session_codes=["x"])
        plan = TreatmentPlan.objects.get(pk=plan.pk)
        self.assertEqual(plan_hash(plan), before)
