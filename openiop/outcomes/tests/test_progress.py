"""Measures and progress: the figures, the "not on track" rule and the two pages."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import time_machine
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.assessments.change import Point, Rule, judge
from openiop.audit.models import AuditEvent
from openiop.careplans.models import Objective
from openiop.outcomes.progress import Track, assess_target, instrument_key, progress_for
from openiop.outcomes.tests.progress_helpers import (
    NOW,
    add_objective,
    add_score,
    add_session,
    add_weekly,
)
from openiop.testing import BaseTestCase

PHQ9 = Rule("phq-9", reliable_change_points=6)
ZONE = "America/New_York"
TODAY = date(2026, 3, 20)


def weekly(*values, last=NOW):
    n = len(values)
    return [
        Point(at=last - timedelta(weeks=n - 1 - i), value=v, response=uuid4())
        for i, v in enumerate(values)
    ]


def objective(target=9, by=date(2026, 5, 1), comparator="lte"):
    return Objective(
        text="PHQ-9 at most 9",
        target_date=by,
        measure="phq-9",
        measure_comparator=comparator,
        measure_target=target,
    )


class MeasureKeyTests(SimpleTestCase):
    def test_plan_measures_are_mapped_to_instrument_keys(self):
        keys = ["phq-9", "gad-7"]
        self.assertEqual(instrument_key("phq9", keys), "phq-9")
        self.assertEqual(instrument_key("PHQ-9", keys), "phq-9")
        self.assertEqual(instrument_key("gad7", keys), "gad-7")
        self.assertEqual(instrument_key("pcl5", keys), "pcl5")


class NotOnTrackRuleTests(SimpleTestCase):
    def status(self, points, **kwargs):
        return assess_target(objective(**kwargs), judge(points, PHQ9), today=TODAY, zone=ZONE)

    def test_a_latest_score_at_the_target_is_met(self):
        self.assertEqual(self.status(weekly(18, 9)).track, Track.MET)

    def test_a_falling_trend_that_reaches_the_target_is_on_track(self):
        status = self.status(weekly(18, 16, 14, 12))
        self.assertEqual(status.track, Track.ON_TRACK)
        self.assertIn("about -2.0 points a week", status.reasons[0])
        self.assertIn("meets the target (≤ 9)", status.reasons[0])

    def test_a_flat_trend_is_not_on_track_and_says_why(self):
        status = self.status(weekly(16, 15, 16, 15))
        self.assertEqual(status.track, Track.NOT_ON_TRACK)
        self.assertIn("short of the target (≤ 9)", status.reasons[0])

    def test_half_the_time_without_reliable_improvement_is_not_on_track(self):
        # Two scores (no trend yet), the first on 13 Mar; by 20 Mar more than half the time
        # to 24 Mar is gone, and a 3-point drop is not reliable.
        status = self.status(weekly(15, 12), by=date(2026, 3, 24))
        self.assertEqual(status.track, Track.NOT_ON_TRACK)
        self.assertIn("without reliable improvement", " ".join(status.reasons))

    def test_too_few_scores_early_on_is_too_early(self):
        status = self.status(weekly(15), by=date(2026, 6, 30))
        self.assertEqual(status.track, Track.TOO_EARLY)

    def test_a_passed_target_date_not_met_is_not_on_track(self):
        status = self.status(weekly(18, 16, 14, 12), by=date(2026, 3, 1))
        self.assertEqual(status.track, Track.NOT_ON_TRACK)
        self.assertIn("target date has passed", status.reasons[0])

    def test_an_at_least_target(self):
        self.assertEqual(self.status(weekly(3, 5), comparator="gte", target=5).track, Track.MET)


@time_machine.travel(NOW, tick=False)
class ClinicianProgressPageTests(BaseTestCase):
    def url(self, participant=None):
        return reverse("outcomes:progress", args=[(participant or self.pat).code])

    def test_the_care_team_sees_baseline_latest_change_and_the_chart(self):
        add_weekly(self.pat, "phq-9", [18, 15, 12, 9])
        self.login(self.alvarez)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Patient Health Questionnaire-9 (PHQ-9)", page)
        self.assertIn("<strong>Reliable improvement</strong>", page)
        self.assertIn(
            "No reliability data for this measure: reliable change is a change of at least "
            "6 points.",
            page,
        )
        self.assertIn("<dt>Change</dt><dd>-9</dd>", page)
        self.assertIn('role="img"', page)
        self.assertIn("<table>", page)
        self.assertIn("Moderately severe", page)

    def test_it_records_one_chart_read(self):
        add_score(self.pat, "phq-9", 12, NOW)
        self.login(self.alvarez)
        self.client.get(self.url())
        reads = AuditEvent.objects.filter(
            event_type="participant.chart_viewed", participant=self.pat, actor=self.alvarez
        )
        self.assertEqual(reads.count(), 1)

    def test_it_hides_the_page_from_outsiders_and_participants(self):
        for user in (self.chen, self.admin, self.pat_user):
            self.login(user)
            self.assertEqual(self.client.get(self.url()).status_code, 404, user)

    def test_one_score_shows_no_change_yet(self):
        add_score(self.pat, "phq-9", 14, NOW)
        self.login(self.alvarez)
        page = self.client.get(self.url()).content.decode()
        self.assertIn("No change yet (one score)", page)
        self.assertIn("no change yet", page)

    def test_two_measures_the_same_day(self):
        add_score(self.pat, "phq-9", 14, NOW - timedelta(hours=1))
        add_score(self.pat, "gad-7", 11, NOW - timedelta(hours=1))
        add_score(self.pat, "phq-9", 12, NOW)
        self.login(self.alvarez)
        page = self.client.get(self.url()).content.decode()
        self.assertIn('id="chart-phq-9-title"', page)
        self.assertIn('id="chart-gad-7-title"', page)
        self.assertIn("<dt>Change</dt><dd>-2</dd>", page)
        self.assertIn("reliable change is a change of at least 4 points", page)

    def test_attendance_shows_on_the_chart(self):
        add_weekly(self.pat, "phq-9", [18, 15, 12])
        add_session(self.pat, NOW - timedelta(days=10), "present", self.alvarez)
        add_session(self.pat, NOW - timedelta(days=3), "absent", self.alvarez)
        self.login(self.alvarez)
        page = self.client.get(self.url()).content.decode()
        self.assertIn('class="attended"', page)
        self.assertIn('class="missed"', page)
        self.assertIn("Sessions: 1 attended, 1 missed.", page)

    def test_a_flat_course_against_a_plan_target_is_not_on_track(self):
        add_weekly(self.pat, "phq-9", [16, 15, 16, 15])
        add_objective(
            self.pat,
            measure="phq9",
            comparator="lte",
            target=9,
            by=date(2026, 4, 17),
            author=self.alvarez,
        )
        self.login(self.alvarez)
        page = self.client.get(self.url()).content.decode()
        self.assertIn('<span class="flag flag-not-on-track">Not on track</span>', page)
        self.assertIn("short of the target (≤ 9)", page)
        self.assertIn('class="target"', page)
        self.assertIn('class="trend"', page)
        self.assertIn("not a validated predictor", page)

    def test_the_query_count_does_not_grow_with_the_responses(self):
        add_score(self.pat, "phq-9", 12, NOW)
        self.login(self.alvarez)
        self.client.get(self.url())  # warm the session and definition caches
        with CaptureQueriesContext(connection) as one:
            self.assertEqual(self.client.get(self.url()).status_code, 200)
        for n in range(49):
            add_score(self.pat, "phq-9", n % 27, NOW - timedelta(days=n + 1))
            add_session(self.pat, NOW - timedelta(days=n + 1, hours=2), "present", self.alvarez)
        add_objective(
            self.pat,
            measure="phq-9",
            comparator="lte",
            target=9,
            by=date(2026, 5, 1),
            author=self.alvarez,
        )
        with self.assertNumQueries(len(one)):
            response = self.client.get(self.url())
        self.assertEqual(response.content.decode().count("<tr><td>"), 50)

    def test_the_chart_links_here(self):
        self.login(self.alvarez)
        page = self.client.get(reverse("participants:chart", args=[self.pat.code])).content
        self.assertIn(self.url().encode(), page)


@time_machine.travel(NOW, tick=False)
class MyProgressPageTests(BaseTestCase):
    url = reverse("outcomes:my_progress")

    def test_it_says_what_changed_in_plain_words(self):
        add_weekly(self.pat, "phq-9", [18, 14, 9])
        self.login(self.pat_user)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn(
            "Your mood questionnaire (PHQ-9) score went from 18 to 9. That is a big enough drop "
            "to count as real improvement.",
            page,
        )
        self.assertIn("Your score has come down by at least half since you started.", page)
        for jargon in ("RCI", "Reliable", "reliability", "Jacobson"):
            self.assertNotIn(jargon, page)
        self.assertIn('role="img"', page)

    def test_a_reliable_rise_is_said_kindly(self):
        add_weekly(self.pat, "phq-9", [8, 14])
        self.login(self.pat_user)
        page = self.client.get(self.url).content.decode()
        self.assertIn("big enough change to count as getting worse", page)

    def test_one_score_says_there_is_no_change_yet(self):
        add_score(self.pat, "gad-7", 11, NOW)
        self.login(self.pat_user)
        page = self.client.get(self.url).content.decode()
        self.assertIn("There is no change yet", page)

    def test_participants_see_only_their_own(self):
        add_weekly(self.pat, "phq-9", [18, 14, 9])
        self.login(self.quinn_user)
        page = self.client.get(self.url).content.decode()
        self.assertNotIn("PHQ-9", page)
        self.assertIn("your scores will show here", page)

    def test_staff_have_no_progress_of_their_own(self):
        self.login(self.alvarez)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_records_no_read_of_ones_own_record(self):
        add_score(self.pat, "phq-9", 12, NOW)
        self.login(self.pat_user)
        reads = AuditEvent.objects.filter(event_type="participant.chart_viewed")
        before = reads.count()
        self.client.get(self.url)
        self.assertEqual(reads.count(), before)

    def test_dates_are_in_the_viewers_zone_14_hours_from_the_program(self):
        # 03:00 UTC on Tue 10 Mar: still Mon 9 Mar in New York (the program and Dr. Alvarez),
        # already Tue 10 Mar afternoon for Pat, who is in Kiritimati (UTC+14).
        self.pat.timezone = "Pacific/Kiritimati"
        self.pat.save(update_fields=["timezone"])
        add_score(self.pat, "phq-9", 15, datetime(2026, 3, 10, 3, 0, tzinfo=UTC))
        add_score(self.pat, "phq-9", 12, NOW)
        self.login(self.pat_user)
        mine = self.client.get(self.url).content.decode()
        self.assertIn("<tr><td>Tue 10 Mar 2026</td><td>15</td>", mine)
        self.login(self.alvarez)
        theirs = self.client.get(reverse("outcomes:progress", args=[self.pat.code])).content
        self.assertIn(b"<tr><td>Mon 9 Mar 2026</td><td>15</td>", theirs)


class ProgressQueriesTests(BaseTestCase):
    def test_progress_leaves_out_instruments_that_are_not_validated(self):
        add_score(self.pat, "session-check-in", 30, NOW)
        add_score(self.pat, "phq-9", 12, NOW)
        self.assertEqual([m.key for m in progress_for(self.pat, now=NOW).measures], ["phq-9"])
