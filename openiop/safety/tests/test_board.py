"""The program safety board: who opens it, what it lists and in which order, and what it costs."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.programs.models import Program, ProgramMembership
from openiop.safety import coverage
from openiop.safety.models import AlertEvent, LadderStep, SafetyPlan
from openiop.safety.queries import board as queries_board
from openiop.safety.tests.board_fixtures import acknowledge, make_alert, many_open_alerts
from openiop.testing import BaseTestCase, make_user

# A Tuesday, 11:00 AM EDT in New York (Dana's zone).
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class SafetyBoardTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.url = reverse("safety:board", args=[self.program.code])
        self.login(self.dana)

    def alert(self, participant, rule, minutes_ago, **fields):
        return make_alert(
            participant,
            rule=rule,
            opened_at=NOW - timedelta(minutes=minutes_ago),
            raised_by=self.alvarez,
            **fields,
        )

    def person(self, name):
        return self.make_participant(f"{name.lower()}@example.org", name, "Synthetic", "")

    def test_the_board_is_for_the_programs_directors_only(self):
        other = Program.objects.create(name="Evening IOP")
        olive = make_user("olive@example.org", "Olive", "Other", "program_director")
        ProgramMembership.objects.create(
            program=other, user=olive, role=ProgramMembership.Role.DIRECTOR
        )
        self.login(olive)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        mine = self.client.get(reverse("safety:boards"))
        self.assertRedirects(mine, reverse("safety:board", args=[other.code]))

    def test_a_director_of_several_programs_picks_a_board(self):
        other = Program.objects.create(name="Evening IOP")
        ProgramMembership.objects.create(
            program=other, user=self.dana, role=ProgramMembership.Role.DIRECTOR
        )
        page = self.client.get(reverse("safety:boards"))
        self.assertContains(page, reverse("safety:board", args=[other.code]))
        self.assertContains(page, self.url)

    def test_open_alerts_are_grouped_by_acuity_and_oldest_first(self):
        self.alert(self.pat, "phq9_item9_low", 300)
        self.alert(self.quinn, "phq9_item9_high", 20)
        robin = self.person("Robin")
        self.alert(robin, "asq_acute_positive", 2)
        sky = self.person("Sky")
        self.alert(sky, "asq_positive", 90)
        page = self.client.get(self.url).content.decode()
        order = [page.index(text) for text in ("Robin S.", "Sky S.", "Quinn M.", "Pat L.")]
        self.assertEqual(order, sorted(order), "emergency, then high oldest first, then elevated")
        for heading in ("Emergency (1)", "High (2)", "Elevated (1)", "Open alerts (4)"):
            self.assertIn(heading, page)
        self.assertIn("ASQ acute positive (imminent risk)", page)
        self.assertIn("PHQ-9 item 9 answered several days", page)
        self.assertIn("5 h", page)  # Pat's, open for five hours

    def test_an_alert_past_its_deadline_is_flagged_missed(self):
        self.alert(
            self.pat, "phq9_item9_high", 45, owner=self.alvarez,
            acknowledge_by=NOW - timedelta(minutes=15),
        )  # fmt: skip
        self.alert(self.quinn, "phq9_item9_high", 10, acknowledge_by=NOW + timedelta(minutes=20))
        board = queries_board.board(self.program, now=NOW)
        high = next(g for g in board.groups if g.label == "High")
        self.assertEqual([row.missed for row in high.rows], [True, False])
        self.assertEqual([row.alert.participant for row in board.missed_open.rows], [self.pat])
        page = self.client.get(self.url)
        # Flagged in the High table and again under missed deadlines.
        self.assertContains(page, '<strong class="board-missed-flag">Missed</strong>', count=2)
        self.assertContains(page, "Tue 10 Mar, 10:45 AM EDT")  # the deadline, in Dana's zone
        self.assertContains(page, "Rosa Alvarez, PsyD")
        self.assertContains(page, "Open, past a deadline (1)")

    def climb(self, alert, minutes_ago, detail="Deadline passed without acknowledgement"):
        alert.ladder_step = LadderStep.ON_CALL
        alert.acknowledge_by = NOW + timedelta(minutes=10)
        alert.save()
        AlertEvent.objects.create(
            alert=alert, kind=AlertEvent.Kind.ESCALATED, step=LadderStep.ON_CALL,
            at=NOW - timedelta(minutes=minutes_ago), detail=detail,
        )  # fmt: skip

    def test_an_alert_that_already_climbed_counts_as_missed_while_open(self):
        self.climb(self.alert(self.pat, "asq_positive", 60), 30)
        board = queries_board.board(self.program, now=NOW)
        self.assertEqual(board.missed_open.count, 1)
        self.assertFalse(board.missed_open.rows[0].missed)

    def test_a_climb_because_the_holder_was_deactivated_is_no_missed_deadline(self):
        detail = queries_board.NOT_A_MISSED_DEADLINE[0]
        open_alert = self.alert(self.pat, "asq_positive", 60)
        self.climb(open_alert, 30, detail=detail)
        closed = self.alert(self.quinn, "asq_positive", 60)
        self.climb(closed, 40, detail=detail)
        acknowledge(closed, by=self.chen, at=NOW - timedelta(minutes=20))
        board = queries_board.board(self.program, now=NOW)
        self.assertEqual((board.missed_open.count, board.acknowledged_late.count), (0, 0))

    def test_acknowledged_late_in_the_last_30_days_is_listed(self):
        late = self.alert(self.pat, "asq_positive", 600)
        acknowledge(
            late, by=self.alvarez, at=NOW - timedelta(minutes=400),
            escalated_at=NOW - timedelta(minutes=570),
        )  # fmt: skip
        past_deadline = self.alert(
            self.quinn, "phq9_item9_high", 120, acknowledge_by=NOW - timedelta(minutes=90)
        )
        acknowledge(past_deadline, by=self.chen, at=NOW - timedelta(minutes=60))
        in_time = self.alert(
            self.person("Robin"), "asq_positive", 50, acknowledge_by=NOW - timedelta(minutes=20)
        )
        acknowledge(in_time, by=self.chen, at=NOW - timedelta(minutes=30))
        long_ago = self.alert(self.person("Sky"), "asq_positive", 60 * 24 * 40)
        acknowledge(
            long_ago, by=self.chen, at=NOW - timedelta(days=39),
            escalated_at=NOW - timedelta(days=39, hours=12),
        )  # fmt: skip
        board = queries_board.board(self.program, now=NOW)
        rows = board.acknowledged_late.rows
        self.assertEqual([row.alert.participant for row in rows], [self.quinn, self.pat])
        self.assertEqual([row.late_by for row in rows], ["30 min", "2 h 50 min"])
        page = self.client.get(self.url)
        self.assertContains(page, "Acknowledged late in the last 30 days (2)")
        self.assertContains(page, "2 h 50 min late")

    def test_participants_without_a_current_plan_after_a_positive_screen(self):
        # Pat: ASQ positive, no plan. Quinn: plan signed after the alert (current).
        self.alert(self.pat, "asq_positive", 120)
        self.alert(self.quinn, "phq9_item9_low", 120)
        SafetyPlan.objects.create(
            participant=self.quinn, status=SafetyPlan.Status.ACTIVE, created_by=self.chen,
            created_at=NOW - timedelta(minutes=60), signed_by=self.chen,
            signed_at=NOW - timedelta(minutes=60), content_hash="x" * 64,
        )  # fmt: skip
        # Robin: plan signed before the alert (stale). Sky: an elevated concern (not a screen).
        robin = self.person("Robin")
        SafetyPlan.objects.create(
            participant=robin, status=SafetyPlan.Status.ACTIVE, created_by=self.chen,
            created_at=NOW - timedelta(days=20), signed_by=self.chen,
            signed_at=NOW - timedelta(days=20), content_hash="x" * 64,
        )  # fmt: skip
        self.alert(robin, "phq9_item9_high", 30)
        self.alert(self.person("Sky"), "clinician_concern", 30, kind="clinician_concern")
        self.alert(self.person("Lee"), "phq9_item9_missing", 30)
        board = queries_board.board(self.program, now=NOW)
        self.assertEqual([row.participant for row in board.without_plan.rows], [self.pat, robin])
        page = self.client.get(self.url)
        self.assertContains(page, "Without a current safety plan (2)")
        self.assertContains(page, "Wed 18 Feb, 10:00 AM EST</time>, before this alert")

    def test_a_discharged_participant_is_not_listed_without_a_plan(self):
        self.alert(self.pat, "asq_positive", 120)
        self.pat.discharged_at = NOW - timedelta(minutes=5)
        self.pat.save(update_fields=["discharged_at"])
        self.assertEqual(queries_board.board(self.program, now=NOW).without_plan.count, 0)

    def test_on_call_gaps_of_this_week_and_next_read_in_the_viewers_zone(self):
        gap = coverage.Stretch(
            datetime(2026, 3, 14, 5, 0, tzinfo=UTC), datetime(2026, 3, 14, 13, 0, tzinfo=UTC)
        )
        weeks = []

        def gaps(program, week_of):
            weeks.append(week_of)
            return [gap] if len(weeks) == 1 else []

        with mock.patch.object(coverage, "gaps", side_effect=gaps):
            page = self.client.get(self.url)
        self.assertEqual([str(w) for w in weeks], ["2026-03-09", "2026-03-16"])
        self.assertContains(page, "Nobody on call:</strong> Sat 14 Mar, 1:00 AM – 9:00 AM EDT")
        self.assertContains(page, "No gaps: someone is on call every hour.")

    def test_emergencies_are_never_hidden_by_the_cap(self):
        for n in range(3):
            self.alert(self.person(f"Em{n}"), "help_requested", n, kind="help_requested")
            self.alert(self.person(f"Hi{n}"), "asq_positive", 100 + n)
        with mock.patch.object(queries_board, "ROW_LIMIT", 2):
            board = queries_board.board(self.program, now=NOW)
        emergency, high, _elevated = board.groups
        self.assertEqual((len(emergency.rows), emergency.hidden), (3, 0))
        self.assertEqual((len(high.rows), high.hidden), (2, 1))
        self.assertEqual(board.open_count, 6)

    def test_the_board_asks_the_same_number_of_queries_for_10_and_200_alerts(self):
        def queries():
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get(self.url)
            self.assertEqual(response.status_code, 200)
            return len(captured)

        many_open_alerts(self.program, 10, now=NOW, raised_by=self.alvarez, owner=self.alvarez)
        few = queries()
        many_open_alerts(self.program, 190, now=NOW, raised_by=self.alvarez, owner=self.alvarez)
        with self.assertNumQueries(few):
            response = self.client.get(self.url)
        self.assertContains(response, "Open alerts (200)")

    def test_each_view_records_one_read_with_the_program_and_no_participant(self):
        self.alert(self.pat, "asq_positive", 10)
        self.client.get(self.url)
        event = AuditEvent.objects.get(event_type="safety.board_viewed")
        self.assertIsNone(event.participant_id)
        self.assertEqual(event.target_id, str(self.program.code))
        self.assertEqual(event.actor, self.dana)

    def test_script_in_a_name_renders_inert(self):
        self.pat.preferred_name = "<script>alert(1)</script>"
        self.pat.save(update_fields=["preferred_name"])
        self.alert(self.pat, "asq_positive", 10)
        page = self.client.get(self.url)
        self.assertNotContains(page, "<script>alert(1)</script>")
        self.assertContains(page, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_directors_find_the_board_from_their_worklist(self):
        self.assertContains(self.client.get(reverse("home")), reverse("safety:boards"))
        self.login(self.alvarez)
        self.assertNotContains(self.client.get(reverse("home")), reverse("safety:boards"))
