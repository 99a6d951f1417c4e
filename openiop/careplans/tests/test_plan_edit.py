"""Editing a draft plan: each part, the version check, SMART objectives and bad input."""

from datetime import date
from typing import Any

import time_machine
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.careplans import actions
from openiop.careplans.models import Goal, Intervention, Objective, PlanProblem, TreatmentPlan
from openiop.careplans.tests.plan_fixtures import NOW, chart_diagnosis, make_plan
from openiop.testing import BaseTestCase, make_user

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@time_machine.travel(NOW, tick=False)
class PlanEditTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.plan = make_plan(self.pat, created_by=self.alvarez)
        self.problem = self.plan.problems.get()
        self.goal = self.problem.goals.get()
        self.objective = self.goal.objectives.get()
        self.intervention = self.plan.interventions.get()
        self.login(self.alvarez)

    def new_url(self, kind):
        return reverse("careplans:plan_item_new", args=[self.plan.code, kind])

    def edit_url(self, kind, item):
        return reverse("careplans:plan_item_edit", args=[self.plan.code, kind, item.code])

    def version(self):
        return TreatmentPlan.objects.get(pk=self.plan.pk).edit_version

    def objective_data(self, **overrides):
        data = {
            "edit_version": self.version(),
            "goal": self.goal.pk,
            "text": "Uses one distress-tolerance skill on at least 4 days a week",
            "target_date": "2027-01-20",
            "measure": "",
            "measure_comparator": "",
            "measure_target": "",
            "status": "not_started",
        }
        data.update(overrides)
        return data

    def plan_data(self, **overrides):
        data = {
            "edit_version": self.version(),
            "strengths": "Keeps a journal",
            "preferences": "Evenings",
            "barriers": "",
            "technology_barriers": "Shares a laptop",
            "discharge_criteria": "PHQ-9 below 10 for two weeks",
            "anticipated_discharge_on": "2027-02-02",
        }
        data.update(overrides)
        return data


class EditPartsTests(PlanEditTestCase):
    def test_it_saves_the_plans_own_fields_with_one_audit_event(self):
        url = reverse("careplans:plan_edit", args=[self.plan.code])
        self.assertContains(self.client.get(url), "Technology barriers")
        before = AuditEvent.objects.count()
        response = self.client.post(url, self.plan_data())
        self.assertRedirects(
            response,
            f"{self.plan.get_absolute_url()}#plan-details",
            fetch_redirect_response=False,
        )
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.preferences, "Evenings")
        self.assertEqual(self.plan.edit_version, 2)
        self.assertEqual(AuditEvent.objects.count(), before + 1)
        event = AuditEvent.objects.latest("seq")
        self.assertEqual(event.event_type, "careplans.plan_updated")
        self.assertEqual(
            event.details["fields"],
            ["preferences", "technology_barriers", "discharge_criteria"],
        )
        self.assertNotIn("Evenings", str(event.details))

    def test_it_adds_a_problem_linked_to_chart_diagnoses(self):
        diagnosis = chart_diagnosis(self, self.pat, "F41.1", "Generalized anxiety disorder")
        response = self.client.post(
            self.new_url("problem"),
            {
                "edit_version": self.version(),
                "in_own_words": "I worry all the time",
                "clinical_statement": "Generalized anxiety with sleep disruption",
                "diagnoses": [diagnosis.pk],
                "assessment_findings": "GAD-7 total score: 15",
            },
        )
        problem = PlanProblem.objects.get(in_own_words="I worry all the time")
        self.assertRedirects(
            response,
            f"{self.plan.get_absolute_url()}#problem-{problem.code}",
            fetch_redirect_response=False,
        )
        self.assertEqual(problem.position, 1)
        self.assertEqual(list(problem.diagnoses.all()), [diagnosis])
        event = AuditEvent.objects.latest("seq")
        self.assertEqual(event.event_type, "careplans.plan_item_added")
        self.assertEqual(event.details["kind"], "problem")
        self.assertEqual(event.details["item"], str(problem.code))

    def test_another_participants_diagnosis_cannot_be_linked(self):
        theirs = chart_diagnosis(self, self.quinn, "F43.10", "PTSD")
        response = self.client.post(
            self.edit_url("problem", self.problem),
            {
                "edit_version": self.version(),
                "in_own_words": "x",
                "clinical_statement": "y",
                "diagnoses": [theirs.pk],
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.problem.diagnoses.exists())

    def test_it_adds_a_goal_to_the_problem_named_in_the_link(self):
        url = f"{self.new_url('goal')}?within={self.problem.code}"
        response = self.client.get(url)
        self.assertContains(response, f'<option value="{self.problem.pk}" selected>')
        self.client.post(
            url,
            {"edit_version": self.version(), "problem": self.problem.pk, "text": "Feel rested"},
        )
        self.assertTrue(Goal.objects.filter(problem=self.problem, text="Feel rested").exists())

    def test_it_adds_a_smart_objective_with_a_measure_target(self):
        response = self.client.post(
            self.new_url("objective"),
            self.objective_data(
                text="PHQ-9 at most 9", measure="phq-9", measure_comparator="lte", measure_target=9
            ),
        )
        objective = Objective.objects.get(text="PHQ-9 at most 9")
        self.assertRedirects(response, f"{self.plan.get_absolute_url()}#objective-{objective.code}")
        self.assertEqual(objective.target_date, date(2027, 1, 20))
        page = self.client.get(self.plan.get_absolute_url())
        self.assertContains(page, "PHQ-9 ≤ 9 by 20 Jan 2027")

    def test_it_adds_an_intervention_serving_objectives(self):
        response = self.client.post(
            self.new_url("intervention"),
            {
                "edit_version": self.version(),
                "modality": "dbt_skills_group",
                "description": "Distress tolerance module",
                "frequency": "three_times_weekly",
                "duration_minutes": 180,
                "length_weeks": 8,
                "responsible_discipline": "peer_specialist",
                "responsible_person": self.sam.pk,
                "objectives": [self.objective.pk],
            },
        )
        self.assertEqual(response.status_code, 302)
        intervention = Intervention.objects.get(modality="dbt_skills_group")
        self.assertEqual(intervention.responsible_person, self.sam)
        self.assertEqual(list(intervention.objectives.all()), [self.objective])
        self.assertEqual(intervention.position, 1)

    def test_an_intervention_names_who_is_responsible(self):
        response = self.client.post(
            self.new_url("intervention"),
            {
                "edit_version": self.version(),
                "modality": "individual",
                "frequency": "weekly",
                "duration_minutes": 50,
            },
        )
        self.assertContains(
            response, "Name the responsible discipline, the responsible person", status_code=400
        )

    def test_a_responsible_person_comes_from_the_team_or_program(self):
        outsider = make_user("zed@example.org", "Zed", "Elsewhere", User.Role.CLINICIAN)
        response = self.client.post(
            self.new_url("intervention"),
            {
                "edit_version": self.version(),
                "modality": "individual",
                "frequency": "weekly",
                "duration_minutes": 50,
                "responsible_person": outsider.pk,
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Intervention.objects.count(), 1)

    def test_it_changes_an_item_and_names_the_changed_fields(self):
        response = self.client.post(
            self.edit_url("goal", self.goal),
            {"edit_version": self.version(), "problem": self.problem.pk, "text": "New goal text"},
        )
        self.assertEqual(response.status_code, 302)
        self.goal.refresh_from_db()
        self.assertEqual(self.goal.text, "New goal text")
        event = AuditEvent.objects.latest("seq")
        self.assertEqual(event.event_type, "careplans.plan_item_changed")
        self.assertEqual(event.details["fields"], ["text"])

    def test_it_removes_a_problem_with_its_goals_and_objectives(self):
        url = reverse(
            "careplans:plan_item_remove", args=[self.plan.code, "problem", self.problem.code]
        )
        response = self.client.post(url, {"edit_version": self.version()})
        self.assertRedirects(response, self.plan.get_absolute_url(), fetch_redirect_response=False)
        self.assertFalse(PlanProblem.objects.filter(plan=self.plan).exists())
        self.assertFalse(Objective.objects.exists())
        self.assertTrue(Intervention.objects.filter(plan=self.plan).exists())
        event = AuditEvent.objects.latest("seq")
        self.assertEqual(event.event_type, "careplans.plan_item_removed")
        self.assertEqual(event.details["removed"], 3)

    def test_a_stale_removal_removes_nothing(self):
        url = reverse("careplans:plan_item_remove", args=[self.plan.code, "goal", self.goal.code])
        response = self.client.post(url, {"edit_version": self.version() - 1}, follow=True)
        self.assertContains(response, "nothing was removed")
        self.assertTrue(Goal.objects.filter(pk=self.goal.pk).exists())

    def test_an_item_of_another_plan_is_404(self):
        other = make_plan(self.quinn, created_by=self.chen)
        objective = Objective.objects.get(goal__problem__plan=other)
        response = self.client.get(self.edit_url("objective", objective))
        self.assertEqual(response.status_code, 404)


class ConflictTests(PlanEditTestCase):
    def test_the_second_of_two_concurrent_edits_gets_a_conflict_and_keeps_its_text(self):
        url = self.edit_url("objective", self.objective)
        started_from = self.version()
        first = self.client.post(url, self.objective_data(text="Alvarez's wording"))
        self.assertEqual(first.status_code, 302)
        self.login(self.dana)
        second = self.client.post(
            url, self.objective_data(edit_version=started_from, text="Dana's wording")
        )
        self.assertContains(second, "Someone else saved this plan", status_code=409)
        self.assertContains(second, "Dana&#x27;s wording", status_code=409)
        self.assertContains(second, "Alvarez&#x27;s wording", status_code=409)
        self.objective.refresh_from_db()
        self.assertEqual(self.objective.text, "Alvarez's wording")
        # The form now carries the current version: saving again is a deliberate overwrite.
        self.assertContains(
            second, f'name="edit_version" value="{started_from + 1}"', status_code=409
        )
        third = self.client.post(
            url, self.objective_data(edit_version=started_from + 1, text="Dana's wording")
        )
        self.assertEqual(third.status_code, 302)
        self.objective.refresh_from_db()
        self.assertEqual(self.objective.text, "Dana's wording")

    def test_the_action_refuses_a_stale_version(self):
        actions.update_plan(
            self.plan, fields={"barriers": "a"}, edit_version=1, acting_user=self.alvarez
        )
        with self.assertRaises(actions.StalePlan):
            actions.update_plan(
                self.plan, fields={"barriers": "b"}, edit_version=1, acting_user=self.dana
            )
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.barriers, "a")

    def test_an_item_removed_meanwhile_is_not_brought_back(self):
        url = self.edit_url("goal", self.goal)
        data = {"edit_version": self.version(), "problem": self.problem.pk, "text": "Mine"}
        actions.remove_plan_item(
            self.plan, self.goal, edit_version=self.version(), acting_user=self.dana
        )
        response = self.client.post(url, data)
        self.assertContains(response, "Someone else removed this goal", status_code=409)
        self.assertContains(response, "Mine", status_code=409)
        self.assertFalse(Goal.objects.exists())


class SmartObjectiveTests(PlanEditTestCase):
    def post(self, **overrides):
        return self.client.post(self.new_url("objective"), self.objective_data(**overrides))

    def test_an_objective_without_a_target_date_is_refused(self):
        response = self.post(target_date="", text="Walk daily")
        self.assertContains(
            response, "an objective without a target date is not time-bound", status_code=400
        )
        self.assertContains(response, "Walk daily", status_code=400)
        self.assertEqual(Objective.objects.count(), 1)
        with self.assertRaisesMessage(actions.PlanError, "without a target date"):
            actions.save_objective(
                self.plan,
                None,
                goal=self.goal,
                fields={"text": "x", "target_date": None},
                edit_version=self.version(),
                acting_user=self.alvarez,
            )

    def test_the_target_date_is_after_today(self):
        for day in ("2026-12-08", "2026-11-30"):
            with self.subTest(day=day):
                self.assertContains(
                    self.post(target_date=day), "after today (8 Dec 2026)", status_code=400
                )

    def test_the_target_date_is_within_90_days_of_the_anticipated_discharge(self):
        # Anticipated discharge: 2 Feb 2027 (8 weeks on), so the latest target is 3 May 2027.
        self.assertEqual(self.post(target_date="2027-05-03").status_code, 302)
        self.assertContains(
            self.post(target_date="2027-05-04"), "on or before 3 May 2027", status_code=400
        )

    def test_a_measure_target_is_complete_and_within_the_range(self):
        cases: list[tuple[dict[str, Any], str]] = [
            ({"measure": "phq-9"}, "give the questionnaire, at most or at least, and the score"),
            ({"measure": "phq-9", "measure_comparator": "lte", "measure_target": 28}, "0 and 27"),
            ({"measure": "gad-7", "measure_comparator": "gte", "measure_target": 22}, "0 and 21"),
            ({"measure": "pcl-5", "measure_comparator": "lte", "measure_target": 81}, "0 and 80"),
            ({"measure": "audit", "measure_comparator": "lte", "measure_target": 3}, "valid"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                self.assertContains(self.post(**data), message, status_code=400)
        self.assertEqual(Objective.objects.count(), 1)
        response = self.post(measure="pcl-5", measure_comparator="lte", measure_target=33)
        self.assertEqual(response.status_code, 302)

    def test_a_carried_over_past_date_stays_until_changed(self):
        Objective.objects.filter(pk=self.objective.pk).update(target_date=date(2026, 12, 1))
        url = self.edit_url("objective", self.objective)
        data = self.objective_data(target_date="2026-12-01", status="met")
        self.assertEqual(self.client.post(url, data).status_code, 302)
        data = self.objective_data(target_date="2026-12-02")
        self.assertEqual(self.client.post(url, data).status_code, 400)


class BadInputTests(PlanEditTestCase):
    def test_a_100_kb_field_is_refused_with_a_clear_message_and_kept(self):
        huge = "Sleep diary. " * 7_877 + "x"
        response = self.client.post(
            reverse("careplans:plan_edit", args=[self.plan.code]), self.plan_data(barriers=huge)
        )
        self.assertContains(
            response, "Keep this to 20,000 characters or fewer (it has 102,402)", status_code=400
        )
        self.assertIn(huge, response.content.decode())
        self.assertNotContains(response, 'maxlength="20000"', status_code=400)
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.barriers, "")
        with self.assertRaisesMessage(actions.PlanError, "20,000 characters"):
            actions.update_plan(
                self.plan, fields={"barriers": huge}, edit_version=1, acting_user=self.alvarez
            )

    def test_html_and_script_in_every_field_stay_text(self):
        plan_url = reverse("careplans:plan_edit", args=[self.plan.code])
        text_fields = ["strengths", "preferences", "barriers", "technology_barriers"]
        data = self.plan_data(**{name: SCRIPT for name in [*text_fields, "discharge_criteria"]})
        self.assertEqual(self.client.post(plan_url, data).status_code, 302)
        self.client.post(
            self.edit_url("problem", self.problem),
            {
                "edit_version": self.version(),
                "in_own_words": SCRIPT,
                "clinical_statement": SCRIPT,
                "assessment_findings": SCRIPT,
            },
        )
        self.client.post(
            self.edit_url("goal", self.goal),
            {"edit_version": self.version(), "problem": self.problem.pk, "text": SCRIPT},
        )
        self.client.post(
            self.edit_url("objective", self.objective), self.objective_data(text=SCRIPT)
        )
        self.client.post(
            self.edit_url("intervention", self.intervention),
            {
                "edit_version": self.version(),
                "modality": "individual",
                "frequency": "weekly",
                "duration_minutes": 50,
                "responsible_discipline": "psychologist",
                "description": SCRIPT,
            },
        )
        self.assertEqual(self.version(), 6)
        page = self.client.get(self.plan.get_absolute_url())
        self.assertNotContains(page, "<script>alert")
        self.assertNotContains(page, "<img src=x")
        self.assertContains(page, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")

    def test_a_bad_version_or_date_is_a_form_error(self):
        response = self.client.post(
            reverse("careplans:plan_edit", args=[self.plan.code]),
            self.plan_data(edit_version="x", anticipated_discharge_on="soon"),
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Enter a valid date", status_code=400)

    def test_an_unknown_kind_is_404(self):
        url = f"/record/plans/{self.plan.code}/diagnosis/new/"
        self.assertEqual(self.client.get(url).status_code, 404)


class WhoMayEditTests(PlanEditTestCase):
    def test_someone_off_the_care_team_gets_404_and_changes_nothing(self):
        self.login(self.chen)
        url = reverse("careplans:plan_edit", args=[self.plan.code])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, self.plan_data(barriers="x")).status_code, 404)
        remove = reverse(
            "careplans:plan_item_remove", args=[self.plan.code, "goal", self.goal.code]
        )
        self.assertEqual(self.client.post(remove, {"edit_version": 1}).status_code, 404)
        self.assertTrue(Goal.objects.filter(pk=self.goal.pk).exists())
        self.assertEqual(self.version(), 1)

    def test_a_read_only_team_member_gets_403(self):
        self.login(self.sam)
        url = reverse("careplans:plan_edit", args=[self.plan.code])
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, self.plan_data()).status_code, 403)
        self.assertTrue(AuditEvent.objects.filter(event_type="participant.write_denied").exists())

    def test_the_participant_gets_404(self):
        self.login(self.pat_user)
        url = reverse("careplans:plan_edit", args=[self.plan.code])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_wrong_method_is_405(self):
        remove = reverse(
            "careplans:plan_item_remove", args=[self.plan.code, "goal", self.goal.code]
        )
        self.assertEqual(self.client.get(remove).status_code, 405)
        url = reverse("careplans:plan_edit", args=[self.plan.code])
        self.assertEqual(self.client.delete(url).status_code, 405)

    def test_a_plan_awaiting_signatures_or_in_effect_is_read_only(self):
        for status in ("awaiting_signatures", "active", "superseded"):
            TreatmentPlan.objects.filter(pk=self.plan.pk).update(status=status)
            with self.subTest(status=status):
                url = reverse("careplans:plan_edit", args=[self.plan.code])
                response = self.client.post(url, self.plan_data(barriers="changed"))
                self.assertRedirects(
                    response, self.plan.get_absolute_url(), fetch_redirect_response=False
                )
                response = self.client.get(self.edit_url("goal", self.goal))
                self.assertEqual(response.status_code, 302)
                page = self.client.get(self.plan.get_absolute_url())
                self.assertNotContains(page, url)
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.barriers, "")
        with self.assertRaises(actions.PlanNotEditable):
            actions.save_goal(
                self.plan,
                None,
                problem=self.problem,
                fields={"text": "x"},
                edit_version=self.plan.edit_version,
                acting_user=self.alvarez,
            )
