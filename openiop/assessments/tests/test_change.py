"""Reliable change, response, remission and deterioration (CLINICAL.md §3), at their boundaries."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import time_machine
from django.test import SimpleTestCase

from openiop.assessments import actions, change
from openiop.assessments.actions import shipped_instrument
from openiop.assessments.change import Method, Point, Reliable, Rule, judge
from openiop.assessments.models import ChangeRule
from openiop.safety.models import Acuity, SafetyAlert
from openiop.testing import BaseTestCase

from .test_actions import NONE, phq9, submit

START = datetime(2026, 10, 5, 14, 0, tzinfo=UTC)
# The shipped PHQ-9 and GAD-7 rules (CLINICAL.md §3.3), as the migration loads them.
PHQ9 = Rule(
    "phq-9",
    reliable_change_points=6,
    response_fraction=Decimal("0.50"),
    remission_below=Decimal(5),
    caseness_at_least=Decimal(10),
)
GAD7 = Rule(
    "gad-7",
    reliable_change_points=4,
    response_fraction=Decimal("0.50"),
    remission_below=Decimal(5),
    caseness_at_least=Decimal(8),
)
# A rule with reliability data: SE = 5·√(1 − .84) = 2, S_diff = 2√2 ≈ 2.83, so the smallest
# reliable change is 1.96·2.83 ≈ 5.54 points.
WITH_RCI = Rule("example", reliability=Decimal("0.84"), reference_sd=Decimal(5))


def scores(*values: int) -> list[Point]:
    return [
        Point(at=START + timedelta(weeks=i), value=v, response=uuid.uuid4())
        for i, v in enumerate(values)
    ]


class ReliableChangeIndexTests(SimpleTestCase):
    def test_s_diff_and_rci_follow_jacobson_truax(self):
        self.assertAlmostEqual(change.s_diff(0.84, 5), 2 * 2**0.5)
        self.assertAlmostEqual(change.rci(20, 14, reliability=0.84, sd=5), -6 / (2 * 2**0.5))
        self.assertAlmostEqual(WITH_RCI.threshold or 0, 1.96 * 2 * 2**0.5)

    def test_rci_is_reliable_only_beyond_1_96(self):
        five = judge(scores(20, 15), WITH_RCI)  # RCI −1.77
        six = judge(scores(20, 14), WITH_RCI)  # RCI −2.12
        self.assertEqual(five.method, Method.RCI)
        self.assertAlmostEqual(five.rci or 0, -5 / (2 * 2**0.5))
        self.assertEqual(five.reliable, Reliable.UNCHANGED)
        self.assertEqual(six.reliable, Reliable.IMPROVED)
        self.assertEqual(judge(scores(14, 20), WITH_RCI).reliable, Reliable.DETERIORATED)

    def test_rci_exactly_at_the_critical_value_is_not_reliable(self):
        # S_diff = 1 when SD = 1/√2 and r = 0: a change of 1.96 is RCI 1.96, not beyond it.
        rule = Rule("x", reliability=Decimal(0), reference_sd=Decimal(str(2**-0.5)))
        self.assertAlmostEqual(change.s_diff(0, 2**-0.5), 1)
        self.assertEqual(judge(scores(0, 1), rule).reliable, Reliable.UNCHANGED)
        self.assertEqual(judge(scores(0, 2), rule).reliable, Reliable.DETERIORATED)

    def test_rci_wins_over_points_when_both_are_configured(self):
        rule = Rule(
            "x", reliability=Decimal("0.84"), reference_sd=Decimal(5), reliable_change_points=3
        )
        self.assertEqual(judge(scores(10, 14), rule).reliable, Reliable.UNCHANGED)


class PointThresholdTests(SimpleTestCase):
    def test_phq9_needs_six_points(self):
        self.assertEqual(judge(scores(18, 13), PHQ9).reliable, Reliable.UNCHANGED)
        self.assertEqual(judge(scores(18, 12), PHQ9).reliable, Reliable.IMPROVED)
        self.assertEqual(judge(scores(8, 13), PHQ9).reliable, Reliable.UNCHANGED)
        self.assertEqual(judge(scores(8, 14), PHQ9).reliable, Reliable.DETERIORATED)

    def test_gad7_needs_four_points(self):
        self.assertEqual(judge(scores(12, 9), GAD7).reliable, Reliable.UNCHANGED)
        self.assertEqual(judge(scores(12, 8), GAD7).reliable, Reliable.IMPROVED)
        self.assertEqual(judge(scores(6, 10), GAD7).reliable, Reliable.DETERIORATED)

    def test_without_reliability_data_it_falls_back_to_points_and_says_so(self):
        judged = judge(scores(18, 12), PHQ9)
        self.assertEqual(judged.method, Method.POINTS)
        self.assertIsNone(judged.rci)
        self.assertEqual(judged.threshold, 6)
        self.assertIn("No reliability data", " ".join(judged.notes))
        self.assertIn("at least 6 points", " ".join(judged.notes))

    def test_without_any_rule_there_is_no_judgement_but_the_scores_stand(self):
        judged = judge(scores(18, 5), None)
        self.assertEqual(judged.change, -13)
        self.assertIsNone(judged.reliable)
        self.assertIn("No change rule", " ".join(judged.notes))
        bare = judge(scores(18, 5), Rule("x"))
        self.assertEqual(bare.method, Method.NONE)
        self.assertIsNone(bare.reliable)


class ResponseAndRemissionTests(SimpleTestCase):
    def test_response_is_half_the_baseline_gone(self):
        self.assertTrue(judge(scores(20, 10), PHQ9).response)
        self.assertFalse(judge(scores(20, 11), PHQ9).response)
        self.assertTrue(judge(scores(15, 7), PHQ9).response)  # 8 ≥ 7.5
        self.assertFalse(judge(scores(15, 8), PHQ9).response)  # 7 < 7.5

    def test_response_from_a_zero_baseline_is_not_judged(self):
        self.assertIsNone(judge(scores(0, 0), PHQ9).response)

    def test_remission_is_below_five_from_a_case(self):
        self.assertTrue(judge(scores(15, 4), PHQ9).remission)
        self.assertFalse(judge(scores(15, 5), PHQ9).remission)
        self.assertTrue(judge(scores(10, 4), PHQ9).remission)

    def test_remission_is_not_judged_from_a_baseline_below_caseness(self):
        judged = judge(scores(9, 2), PHQ9)
        self.assertIsNone(judged.remission)
        self.assertIn("baseline of 10 or more", " ".join(judged.notes))

    def test_gad7_remission(self):
        self.assertTrue(judge(scores(8, 4), GAD7).remission)
        self.assertIsNone(judge(scores(7, 4), GAD7).remission)


class BadInputTests(SimpleTestCase):
    def test_one_score_only_shows_no_change_and_no_error(self):
        judged = judge(scores(14), PHQ9)
        self.assertEqual(judged.baseline, judged.latest)
        self.assertIsNone(judged.change)
        self.assertIsNone(judged.reliable)
        self.assertIsNone(judged.response)
        self.assertIsNone(judged.remission)

    def test_no_scores_at_all(self):
        judged = judge([], PHQ9)
        self.assertIsNone(judged.baseline)
        self.assertIsNone(judged.change)

    def test_two_scores_the_same_day_are_both_kept(self):
        same_day = [
            Point(at=START, value=12, response=uuid.uuid4()),
            Point(at=START + timedelta(hours=2), value=19, response=uuid.uuid4()),
        ]
        judged = judge(same_day, PHQ9)
        self.assertEqual(judged.change, 7)
        self.assertEqual(judged.reliable, Reliable.DETERIORATED)


class DeteriorationAlertTests(BaseTestCase):
    """A participant whose PHQ-9 rises by the reliable-change threshold raises an alert."""

    def setUp(self):
        super().setUp()
        self.phq9 = shipped_instrument("phq-9")

    def score(self, total, *, item9=NONE, weeks=0):
        """Submit a PHQ-9 with this total (item 9 as given), `weeks` after START."""
        answers = phq9(item9=item9)
        codes = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
        left = total - codes.index(item9)
        for item in range(1, 9):
            step = min(3, left)
            answers[str(item)] = codes[step]
            left -= step
        assert left == 0, total
        with time_machine.travel(START + timedelta(weeks=weeks), tick=False):
            assignment = actions.assign_instrument(self.pat, self.phq9, acting_user=self.alvarez)
            return submit(assignment, answers, acting_user=self.pat_user)

    def deterioration_alerts(self):
        return SafetyAlert.objects.filter(participant=self.pat, kind=SafetyAlert.Kind.DETERIORATION)

    def test_the_shipped_rules_are_loaded(self):
        rules = {rule.instrument_key: rule for rule in ChangeRule.objects.filter(is_active=True)}
        self.assertEqual(rules["phq-9"].reliable_change_points, 6)
        self.assertEqual(rules["gad-7"].reliable_change_points, 4)
        self.assertEqual(rules["phq-9"].remission_below, 5)
        self.assertIsNone(rules["phq-9"].reliability)

    def test_a_rise_of_six_raises_an_alert_for_the_care_team(self):
        self.score(8)
        self.score(13, weeks=1)
        self.assertFalse(self.deterioration_alerts().exists())
        response = self.score(14, weeks=2)
        alert = self.deterioration_alerts().get()
        self.assertEqual(alert.acuity, Acuity.ELEVATED)
        trigger = alert.triggers.get()
        self.assertEqual(trigger.response, response)
        self.assertEqual(trigger.rule, "deterioration")
        self.assertIn("8 → 14 (+6)", trigger.concern)
        self.assertIn("reliable deterioration", trigger.concern)
        self.assertEqual(alert.owner, self.alvarez)

    def test_a_rise_of_five_does_not(self):
        self.score(8)
        self.score(13, weeks=1)
        self.assertFalse(self.deterioration_alerts().exists())

    def test_staying_worse_next_week_adds_nothing(self):
        self.score(8)
        self.score(15, weeks=1)
        self.score(16, weeks=2)
        self.assertEqual(self.deterioration_alerts().get().triggers.count(), 1)

    def test_with_item_9_above_zero_the_alert_is_high(self):
        self.score(8)
        self.score(15, item9="LA6569-3", weeks=1)
        alert = self.deterioration_alerts().get()
        self.assertEqual(alert.acuity, Acuity.HIGH)
        self.assertEqual(alert.triggers.get().rule, "deterioration_with_item9")
        # Item 9 raised its own critical-item alert as well.
        self.assertTrue(
            SafetyAlert.objects.filter(
                participant=self.pat, kind=SafetyAlert.Kind.CRITICAL_ITEM
            ).exists()
        )

    def test_with_reliability_data_the_rci_decides(self):
        ChangeRule.objects.filter(instrument_key="phq-9").update(
            reliability=Decimal("0.84"), reference_sd=Decimal(5)
        )
        self.score(8)
        self.score(13, weeks=1)  # RCI 1.77
        self.assertFalse(self.deterioration_alerts().exists())
        self.score(14, weeks=2)  # RCI 2.12
        self.assertIn("RCI +2.12", self.deterioration_alerts().get().triggers.get().concern)

    def test_a_correction_of_the_latest_score_can_raise_it(self):
        self.score(8)
        latest = self.score(10, weeks=1)
        answers = dict(latest.answers) | {"5": "LA6571-9", "6": "LA6571-9"}
        actions.correct_response(
            latest, answers, reason="Read back to the participant", acting_user=self.alvarez
        )
        self.assertTrue(self.deterioration_alerts().exists())

    def test_series_leave_out_corrected_and_incomplete_responses(self):
        first = self.score(8)  # item 1 "nearly every day" (3)
        actions.correct_response(
            first, dict(first.answers) | {"1": "LA6569-3"}, reason="typo", acting_user=self.alvarez
        )
        with time_machine.travel(START + timedelta(weeks=1), tick=False):
            assignment = actions.assign_instrument(self.pat, self.phq9, acting_user=self.alvarez)
            submit(assignment, {"1": NONE}, acting_user=self.pat_user)
        self.assertEqual([p.value for p in change.series(self.pat, "phq-9")], [6])
        latest = change.changes(self.pat)["phq-9"].latest
        assert latest is not None
        self.assertEqual(latest.value, 6)
