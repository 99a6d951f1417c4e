"""The care team's coordination: the team thread and mentions, tasks, the weekly case review."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.careplans.models import TreatmentPlan
from openiop.careplans.tests.plan_fixture import make_episode
from openiop.messaging import case_review, team_actions
from openiop.messaging.models import CaseReviewDecision, Mention, TeamPost, TeamTask
from openiop.participants.models import GuardianLink
from openiop.programs.models import Program, ProgramMembership
from openiop.safety.models import SafetyAlert
from openiop.testing import BaseTestCase, make_user

# Tuesday 8 December 2026, 9 AM in New York.
NOW = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    "\u202eevil\u202c",
    "zero\u200bwidth\u200d",
]
LONG = "a" * 50_000


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@time_machine.travel(NOW, tick=False)
class TeamThreadTestCase(BaseTestCase):
    def team_url(self, participant=None):
        return reverse("messaging:team", args=[(participant or self.pat).code])

    def post(self, text, user=None):
        self.login(user or self.alvarez)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("messaging:team_post", args=[self.pat.code]), {"post-text": text}
            )

    def test_care_team_and_director_see_the_thread(self):
        for user in (self.alvarez, self.sam, self.dana):
            self.login(user)
            with self.subTest(user=user.given_name):
                self.assertEqual(self.client.get(self.team_url()).status_code, 200)

    def test_participant_guardian_and_outsiders_get_404(self):
        guardian = make_user("gail@example.org", "Gail", "Guardian", User.Role.GUARDIAN)
        GuardianLink.objects.create(participant=self.pat, user=guardian, relationship="Parent")
        other = Program.objects.create(name="Other IOP")
        other_director = make_user(
            "odd@example.org",
            "Odd",
            "Director",
            User.Role.PROGRAM_DIRECTOR,
            discipline="psychologist",
        )
        ProgramMembership.objects.create(
            program=other, user=other_director, role=ProgramMembership.Role.DIRECTOR
        )
        for user in (self.pat_user, guardian, self.chen, self.ivy, other_director):
            self.login(user)
            with self.subTest(user=user.given_name):
                self.assertEqual(self.client.get(self.team_url()).status_code, 404)

    def test_post_is_encrypted_and_audited_without_text(self):
        response = self.post("Pat missed Tuesday's group; @Sam Rivera can you call?")
        self.assertEqual(response.status_code, 302)
        post = TeamPost.objects.get()
        stored = raw("messaging_teampost", "ciphertext", post.pk)
        self.assertNotIn("missed", stored)
        event = AuditEvent.objects.get(event_type="messaging.team_post_added")
        self.assertEqual(event.details, {"post": str(post.code), "notified": 1})
        self.login(self.alvarez)
        self.assertContains(self.client.get(self.team_url()), "Pat missed Tuesday")

    def test_a_mention_notifies_in_app_and_by_a_bare_email(self):
        self.post("@Sam Rivera please call Pat about the schedule")
        mention = Mention.objects.get()
        self.assertEqual(mention.user, self.sam)
        self.assertIsNotNone(mention.emailed_at)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, [self.sam.email])
        self.assertEqual(mail.outbox[0].subject, "You have a new message in OpenIOP")
        self.assertEqual(mail.outbox[0].body.strip(), "You have a new message in OpenIOP.")
        self.login(self.sam)
        mine = self.client.get(reverse("messaging:my_tasks"))
        self.assertContains(mine, "mentioned you about")
        self.client.get(self.team_url())
        mention.refresh_from_db()
        self.assertIsNotNone(mention.seen_at)
        self.assertNotContains(self.client.get(reverse("messaging:my_tasks")), "mentioned you")

    def test_a_mention_never_reaches_someone_off_the_team(self):
        # Dr. Chen works in the program but is not on Pat's team: no notice, no email.
        self.post("@Wei Chen have a look")
        self.assertFalse(Mention.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_a_discharged_chart_thread_is_read_only(self):
        self.pat.discharged_at = NOW
        self.pat.save(update_fields=["discharged_at"])
        self.assertEqual(self.post("hello").status_code, 403)
        self.assertEqual(self.client.get(self.team_url()).status_code, 200)

    def test_xss_corpus_is_inert_and_never_in_audit_or_outbox(self):
        for text in [*XSS, LONG]:
            self.post(f"@Sam Rivera {text}")
        self.login(self.alvarez)
        page = self.client.get(self.team_url()).content.decode()
        self.assertNotIn("<script>alert(1)", page)
        self.assertNotIn("<img src=x", page)
        self.assertNotIn("<svg onload", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
        details = " ".join(str(e.details) for e in AuditEvent.objects.all())
        for text in [*XSS, LONG]:
            self.assertNotIn(text, details)
            for message in mail.outbox:
                self.assertNotIn(text, f"{message.subject} {message.body}")

    def test_the_page_polls_for_new_posts_recording_one_read_per_page_view(self):
        self.post("first")
        first = TeamPost.objects.get()
        url = reverse("messaging:team_new_posts", args=[self.pat.code])
        self.login(self.sam)
        page = self.client.get(self.team_url()).content.decode()
        self.assertIn(f"after={first.code}", page)
        self.assertIn('hx-trigger="every 20s"', page)
        self.assertEqual(
            self.client.get(url, {"after": str(first.code), "view": "v1"}).status_code, 204
        )
        self.post("<b>second</b>")
        reads = AuditEvent.objects.filter(event_type="messaging.team_viewed")
        before = reads.count()
        self.login(self.sam)
        for _ in range(2):
            response = self.client.get(url, {"after": str(first.code), "view": "v1"})
            self.assertContains(response, "&lt;b&gt;second&lt;/b&gt;")
            self.assertNotContains(response, ">first<")
        self.assertEqual(reads.count(), before + 1)
        second = TeamPost.objects.order_by("-pk")[0]
        self.assertContains(response, f"after={second.code}")
        self.login(self.pat_user)
        self.assertEqual(self.client.get(url, {"after": str(first.code)}).status_code, 404)

    def test_the_thread_pages_in_constant_queries(self):
        for n in range(60):
            TeamPost.objects.create(
                participant=self.pat,
                author=self.alvarez,
                ciphertext=team_actions.team_crypto.encrypt(f"post {n}"),
                created_at=NOW - timedelta(minutes=60 - n),
            )
        self.login(self.alvarez)
        response = self.client.get(self.team_url())
        self.assertContains(response, "post 59")
        self.assertNotContains(response, "post 9<")
        older = response.context["page"].older
        self.assertContains(self.client.get(self.team_url() + f"?before={older}"), "post 9<")


@time_machine.travel(NOW, tick=False)
class TaskTestCase(BaseTestCase):
    def add(self, user=None, **data):
        self.login(user or self.alvarez)
        values = {
            "task-title": "Call after missed session",
            "task-owner": self.sam.pk,
            "task-due_at": "2026-12-09T17:00",
            "task-note": "",
        }
        values.update({f"task-{k}": v for k, v in data.items()})
        return self.client.post(reverse("messaging:task_add", args=[self.pat.code]), values)

    def test_it_adds_a_task_due_in_the_viewers_zone(self):
        self.assertEqual(self.add(note="Ask about transport").status_code, 302)
        task = TeamTask.objects.get()
        # Dr. Alvarez reads New York time: 5 PM EST is 22:00 UTC.
        self.assertEqual(task.due_at, datetime(2026, 12, 9, 22, 0, tzinfo=UTC))
        self.assertEqual(task.owner, self.sam)
        self.assertNotIn("transport", raw("messaging_teamtask", "note_ciphertext", task.pk))
        event = AuditEvent.objects.get(event_type="messaging.task_added")
        self.assertEqual(event.details["task"], str(task.code))
        self.assertNotIn("transport", str(event.details))

    def test_program_staff_off_the_team_may_own_a_task(self):
        self.assertEqual(self.add(owner=self.chen.pk).status_code, 302)

    def test_someone_outside_the_team_and_program_is_refused(self):
        stranger = make_user(
            "x@example.org", "Xan", "Else", User.Role.CLINICIAN, discipline="nurse"
        )
        response = self.add(owner=stranger.pk)
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "Choose someone on the care team or in the program", status_code=400
        )
        self.assertFalse(TeamTask.objects.exists())
        with self.assertRaises(team_actions.TaskOwnerNotAllowed):
            team_actions.add_task(
                self.pat,
                title="x",
                owner=stranger,
                due_at=NOW + timedelta(days=1),
                acting_user=self.alvarez,
            )

    def test_a_due_time_in_the_past_is_refused(self):
        response = self.add(due_at="2026-12-08T08:00")  # 8 AM in New York, an hour ago
        self.assertContains(response, "The due time has passed", status_code=400)
        self.assertFalse(TeamTask.objects.exists())

    def test_done_and_reopen_are_audited(self):
        self.add()
        task = TeamTask.objects.get()
        self.login(self.sam)
        url = reverse("messaging:task_status", args=[task.code])
        self.client.post(url, {"status": "done", "back": "mine"})
        task.refresh_from_db()
        self.assertEqual(task.status, TeamTask.Status.DONE)
        self.assertEqual(task.done_by, self.sam)
        self.client.post(url, {"status": "open"})
        task.refresh_from_db()
        self.assertEqual(task.status, TeamTask.Status.OPEN)
        self.assertEqual(
            list(
                AuditEvent.objects.filter(event_type__startswith="messaging.task").values_list(
                    "event_type", flat=True
                )
            ),
            ["messaging.task_added", "messaging.task_done", "messaging.task_reopened"],
        )

    def test_an_owner_off_the_team_changes_only_their_task(self):
        self.add(owner=self.chen.pk)
        task = TeamTask.objects.get()
        self.login(self.chen)
        url = reverse("messaging:task_status", args=[task.code])
        self.assertEqual(self.client.post(url, {"status": "done", "back": "mine"}).status_code, 302)
        self.assertEqual(
            self.client.get(reverse("messaging:team", args=[self.pat.code])).status_code, 404
        )

    def test_my_tasks_lists_overdue_first_in_the_viewers_zone(self):
        later = TeamTask.objects.create(
            participant=self.pat,
            title="Med review",
            owner=self.sam,
            due_at=NOW + timedelta(days=2),
            created_by=self.alvarez,
            created_at=NOW,
        )
        overdue = TeamTask.objects.create(
            participant=self.pat,
            title="Call after missed session",
            owner=self.sam,
            due_at=NOW - timedelta(days=1),
            created_by=self.alvarez,
            created_at=NOW - timedelta(days=3),
        )
        self.sam.timezone = "America/Los_Angeles"
        self.sam.save(update_fields=["timezone"])
        self.login(self.sam)
        response = self.client.get(reverse("messaging:my_tasks"))
        self.assertEqual(response.context["tasks"], [overdue, later])
        page = response.content.decode()
        self.assertIn("Overdue", page)
        self.assertIn("PST", page)
        self.assertLess(page.index("Call after missed session"), page.index("Med review"))


@time_machine.travel(NOW, tick=False)
class CaseReviewTestCase(BaseTestCase):
    def review_url(self):
        return reverse("messaging:case_review", args=[self.program.code])

    def decide_url(self, participant):
        return reverse("messaging:case_review_decide", args=[self.program.code, participant.code])

    def alert(self, participant, kind=SafetyAlert.Kind.CLINICIAN_CONCERN):
        return SafetyAlert.objects.create(
            participant=participant, kind=kind, opened_at=NOW, last_triggered_at=NOW
        )

    def test_it_flags_alerts_deterioration_hours_and_overdue_reviews(self):
        self.alert(self.pat)
        self.alert(self.quinn, SafetyAlert.Kind.DETERIORATION)
        make_episode(self.quinn, by=self.dana)  # admitted, nothing booked: hours at risk
        TreatmentPlan.objects.create(
            participant=self.pat,
            status=TreatmentPlan.Status.ACTIVE,
            created_by=self.alvarez,
            review_due_on=date(2026, 12, 1),
        )
        flags = case_review.flags_by_participant(self.program, NOW)
        self.assertEqual(flags[self.pat.pk], ["alert", "plan_review"])
        self.assertEqual(flags[self.quinn.pk], ["deterioration", "hours"])

    def test_reviewers_record_a_decision_shown_on_the_team_page(self):
        self.alert(self.pat)
        self.login(self.chen)
        response = self.client.post(self.decide_url(self.pat), {"text": "Increase check-ins"})
        self.assertEqual(response.status_code, 302)
        decision = CaseReviewDecision.objects.get()
        self.assertEqual(decision.decided_by, self.chen)
        self.assertEqual(decision.flags, ["alert"])
        self.assertNotIn(
            "check-ins", raw("messaging_casereviewdecision", "ciphertext", decision.pk)
        )
        event = AuditEvent.objects.get(event_type="messaging.case_review_decided")
        self.assertNotIn("check-ins", str(event.details))
        self.assertContains(self.client.get(self.review_url()), "Increase check-ins")
        self.login(self.alvarez)
        team = self.client.get(reverse("messaging:team", args=[self.pat.code]))
        self.assertContains(team, "Increase check-ins")
        self.assertContains(team, "Wei Chen")

    def test_a_participant_not_flagged_or_of_another_program_is_404(self):
        self.login(self.dana)
        self.assertEqual(
            self.client.post(self.decide_url(self.pat), {"text": "x"}).status_code, 404
        )
        other = Program.objects.create(name="Other IOP")
        stranger = self.make_participant("s@example.org", "Sol", "Other", "", program=other)
        self.alert(stranger)
        self.assertEqual(
            self.client.post(self.decide_url(stranger), {"text": "x"}).status_code, 404
        )
        self.assertFalse(CaseReviewDecision.objects.exists())

    def test_intake_and_other_programs_staff_get_404(self):
        self.login(self.ivy)
        self.assertEqual(self.client.get(self.review_url()).status_code, 404)

    def test_xss_is_inert_on_the_review(self):
        self.alert(self.pat)
        self.login(self.dana)
        for text in XSS:
            self.client.post(self.decide_url(self.pat), {"text": text})
        page = self.client.get(self.review_url()).content.decode()
        self.assertNotIn("<script>alert(1)", page)
        self.assertNotIn("<img src=x", page)

    def test_the_review_asks_the_same_queries_for_3_and_40_flagged(self):
        def count():
            self.login(self.dana)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(self.review_url()).status_code, 200)
            return len(queries)

        people = [self.pat, self.quinn] + [
            self.make_participant(f"p{n}@example.org", f"P{n}", "Test", "") for n in range(38)
        ]
        for person in people[:3]:
            self.alert(person)
            make_episode(person, by=self.dana)
        small = count()
        for person in people[3:]:
            self.alert(person, SafetyAlert.Kind.DETERIORATION)
            make_episode(person, by=self.dana)
        self.assertEqual(count(), small)
        self.assertEqual(len(case_review.weekly_review(self.program, NOW).flagged), 40)
