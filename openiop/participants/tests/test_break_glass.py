"""Break-the-glass: emergency read access to a chart outside one's team (HIPAA
164.312(a)(2)(ii); SECURITY.md A5).

Dr. Chen works in the program but is not on Pat's care team, so Pat's chart is a 404 to him
until he states a reason and signs in again. Dr. Okafor works in another program altogether.
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import time_machine
from django.core import mail
from django.urls import reverse
from django_tasks import default_task_backend

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.participants import actions, notices, queries, tasks
from openiop.participants.models import BreakGlassGrant
from openiop.programs.models import Program, ProgramMembership
from openiop.testing import PASSWORD, BaseTestCase, current_totp, make_user

REASON = "Pat's sister called: Pat is missing and may be in danger; need the safety plan"
NOON = datetime(2026, 12, 8, 17, 0, tzinfo=UTC)  # Tue 8 Dec 2026, 12:00 PM EST


@time_machine.travel(NOON, tick=False)
class BreakGlassTestCase(BaseTestCase):
    other_program: ClassVar[Program]
    okafor: ClassVar[User]
    officer: ClassVar[User]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.other_program = Program.objects.create(name="Adolescent IOP")
        cls.okafor = make_user(
            "okafor@example.org",
            "Ngozi",
            "Okafor",
            User.Role.CLINICIAN,
            discipline=User.Discipline.SOCIAL_WORKER,
        )
        ProgramMembership.objects.create(program=cls.other_program, user=cls.okafor)
        cls.officer = make_user(
            "privacy@example.org",
            "Priya",
            "Officer",
            User.Role.ADMINISTRATOR,
            privacy_officer=True,
        )

    def setUp(self):
        super().setUp()
        mail.outbox = []
        default_task_backend.clear()  # type: ignore[attr-defined]

    def chart_url(self, participant=None):
        return reverse("participants:chart", args=[(participant or self.pat).code])

    def glass_url(self, participant=None):
        return reverse("participants:break_glass", args=[(participant or self.pat).code])

    def break_glass(self, user=None, **overrides):
        user = user or self.chen
        data = {"reason": REASON, "password": PASSWORD, "otp_code": current_totp(user)}
        data.update(overrides)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.glass_url(), data)

    def grant_for_chen(self) -> BreakGlassGrant:
        self.login(self.chen)
        response = self.break_glass()
        self.assertRedirects(response, self.chart_url(), fetch_redirect_response=False)
        return BreakGlassGrant.objects.get(user=self.chen, participant=self.pat)


class GrantTest(BreakGlassTestCase):
    def test_without_a_grant_the_chart_is_404(self):
        self.login(self.chen)
        self.assertEqual(self.client.get(self.chart_url()).status_code, 404)

    def test_with_a_grant_the_chart_opens_and_every_read_says_so(self):
        grant = self.grant_for_chen()
        response = self.client.get(self.chart_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Emergency access — ends at 1:00 PM EST.")
        self.assertContains(response, reverse("participants:end_break_glass", args=[grant.code]))
        notes = self.client.get(reverse("notes:participant_notes", args=[self.pat.code]))
        self.assertEqual(notes.status_code, 200)
        reads = AuditEvent.objects.filter(
            actor=self.chen,
            participant=self.pat,
            event_type__in=["participant.chart_viewed", "notes.note_list_viewed"],
        )
        self.assertEqual(reads.count(), 2)
        for event in reads:
            self.assertEqual(event.details["break_glass"], True)
            self.assertEqual(event.details["grant"], str(grant.code))

    def test_the_grant_is_audited_without_its_reason(self):
        grant = self.grant_for_chen()
        self.client.get(self.chart_url())
        granted = AuditEvent.objects.get(event_type="break_glass.granted")
        self.assertEqual(granted.details["grant"], str(grant.code))
        self.assertEqual(granted.details["minutes"], 60)
        trail = json.dumps(list(AuditEvent.objects.values_list("details", flat=True)))
        self.assertNotIn("sister", trail)
        self.assertEqual(grant.reason, REASON)

    def test_a_grant_gives_no_write(self):
        self.grant_for_chen()
        edit = reverse("participants:edit", args=[self.pat.code])
        self.assertEqual(self.client.get(edit).status_code, 403)
        self.assertEqual(self.client.post(edit, {"given_name": "X"}).status_code, 403)
        self.assertTrue(AuditEvent.objects.filter(event_type="participant.write_denied").exists())
        self.assertNotContains(self.client.get(self.chart_url()), "Raise a safety alert")

    def test_after_expiry_the_chart_is_404_again(self):
        self.grant_for_chen()
        # A fresh sign-in each time: the session's own idle timeout is not what is tested.
        with time_machine.travel(NOON + timedelta(minutes=59), tick=False):
            self.login(self.chen)
            self.assertEqual(self.client.get(self.chart_url()).status_code, 200)
        with time_machine.travel(NOON + timedelta(minutes=60), tick=False):
            self.login(self.chen)
            self.assertEqual(self.client.get(self.chart_url()).status_code, 404)

    def test_ending_it_early_closes_the_chart(self):
        grant = self.grant_for_chen()
        with time_machine.travel(NOON + timedelta(minutes=5), tick=False):
            response = self.client.post(reverse("participants:end_break_glass", args=[grant.code]))
            self.assertRedirects(response, reverse("participants:emergency_access"))
            self.assertEqual(self.client.get(self.chart_url()).status_code, 404)
        grant.refresh_from_db()
        self.assertTrue(grant.ended_early)
        self.assertTrue(AuditEvent.objects.filter(event_type="break_glass.ended").exists())

    def test_nobody_else_can_end_a_grant(self):
        grant = self.grant_for_chen()
        self.login(self.alvarez)
        url = reverse("participants:end_break_glass", args=[grant.code])
        self.assertEqual(self.client.post(url).status_code, 404)
        grant.refresh_from_db()
        self.assertIsNone(grant.ended_at)

    def test_the_grant_ends_with_the_membership_that_allowed_it(self):
        self.grant_for_chen()
        ProgramMembership.objects.filter(user=self.chen).delete()
        self.assertEqual(self.client.get(self.chart_url()).status_code, 404)

    def test_asking_again_while_a_grant_is_live_keeps_the_first(self):
        self.grant_for_chen()
        self.assertRedirects(self.client.get(self.glass_url()), self.chart_url())
        self.assertEqual(BreakGlassGrant.objects.count(), 1)

    def test_a_chart_one_can_already_open_needs_no_grant(self):
        self.login(self.alvarez)
        self.assertRedirects(self.client.get(self.glass_url()), self.chart_url())
        self.assertFalse(BreakGlassGrant.objects.exists())


class RefusalTest(BreakGlassTestCase):
    def assert_refused(self, response, field, message):
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, message, status_code=400)
        self.assertFalse(BreakGlassGrant.objects.exists())
        refused = AuditEvent.objects.get(event_type="break_glass.refused")
        self.assertEqual(refused.outcome, "denied")
        self.assertIn(field, refused.details["fields"])
        self.assertNotIn("sister", json.dumps(refused.details))
        self.assertEqual(self.client.get(self.chart_url()).status_code, 404)
        self.assertEqual(mail.outbox, [])

    def test_without_a_reason_it_is_refused(self):
        self.login(self.chen)
        response = self.break_glass(reason="   ")
        self.assert_refused(response, "reason", "This field is required.")

    def test_a_reason_too_short_to_explain_is_refused(self):
        self.login(self.chen)
        response = self.break_glass(reason="urgent")
        self.assert_refused(response, "reason", "in at least 15 characters")

    def test_a_wrong_password_is_refused_and_the_reason_is_kept(self):
        self.login(self.chen)
        response = self.break_glass(password="not my password")
        self.assert_refused(response, "password", "That password is not right.")
        self.assertContains(response, "Pat&#x27;s sister called", status_code=400)

    def test_a_missing_or_wrong_code_is_refused(self):
        self.login(self.chen)
        self.assert_refused(self.break_glass(otp_code=""), "otp_code", "This field is required.")
        response = self.break_glass(otp_code=current_totp(self.chen, offset_periods=5))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "That code is not right", status_code=400)
        self.assertFalse(BreakGlassGrant.objects.exists())

    def test_the_code_used_to_sign_in_cannot_be_used_again(self):
        self.login(self.chen)
        code = current_totp(self.chen)
        self.assertEqual(self.break_glass(otp_code=code).status_code, 302)
        BreakGlassGrant.objects.all().update(ended_at=NOON)
        self.assertEqual(self.break_glass(otp_code=code).status_code, 400)

    def test_password_guesses_are_rate_limited(self):
        self.login(self.chen)
        for _ in range(10):
            self.break_glass(password="guess")
        response = self.break_glass()
        self.assertEqual(response.status_code, 429)
        self.assertFalse(BreakGlassGrant.objects.exists())


class WhoMayTest(BreakGlassTestCase):
    def test_roles_without_permission_cannot_create_a_grant(self):
        for user in (self.sam, self.ivy, self.admin, self.officer):
            with self.subTest(user=user.email):
                self.login(user)
                self.assertEqual(self.break_glass(user).status_code, 404)
                self.assertEqual(
                    self.client.get(reverse("participants:emergency_access")).status_code, 403
                )
        self.assertFalse(BreakGlassGrant.objects.exists())
        denied = AuditEvent.objects.filter(event_type="break_glass.denied", outcome="denied")
        self.assertEqual(denied.count(), 8)

    def test_participants_never_see_it(self):
        self.login(self.quinn_user)
        self.assertEqual(self.break_glass(self.quinn_user).status_code, 404)
        self.assertEqual(self.client.get(reverse("participants:emergency_access")).status_code, 404)

    def test_a_clinician_of_another_program_cannot_find_or_open_the_chart(self):
        self.login(self.okafor)
        response = self.client.post(
            reverse("participants:emergency_access"),
            {"given_name": "Patricia", "family_name": "Lindqvist", "date_of_birth": "1990-04-02"},
        )
        self.assertContains(response, "No match")
        response = self.client.post(
            reverse("participants:emergency_access"), {"chart_code": str(self.pat.code)}
        )
        self.assertContains(response, "No match")
        self.assertEqual(self.break_glass(self.okafor).status_code, 404)
        self.assertFalse(BreakGlassGrant.objects.exists())


class SearchTest(BreakGlassTestCase):
    def search(self, **data):
        return self.client.post(reverse("participants:emergency_access"), data)

    def test_an_exact_name_and_birth_date_find_the_chart(self):
        self.login(self.chen)
        response = self.search(
            given_name="patricia", family_name="LINDQVIST ", date_of_birth="1990-04-02"
        )
        self.assertContains(response, self.glass_url())
        self.assertEqual(
            AuditEvent.objects.get(event_type="break_glass.searched").details, {"number": 1}
        )

    def test_anything_less_than_exact_finds_nothing(self):
        self.login(self.chen)
        for data in (
            {"given_name": "Pat", "family_name": "Lindqvist", "date_of_birth": "1990-04-02"},
            {"given_name": "Patricia", "family_name": "Lindqvist", "date_of_birth": "1990-04-03"},
        ):
            with self.subTest(data=data):
                response = self.search(**data)
                self.assertContains(response, "No match")
                self.assertNotContains(response, str(self.pat.code))

    def test_a_half_filled_search_asks_for_the_rest(self):
        self.login(self.chen)
        response = self.search(given_name="Patricia")
        self.assertContains(response, "Enter the family name", status_code=400)
        self.assertFalse(AuditEvent.objects.filter(event_type="break_glass.searched").exists())

    def test_the_chart_code_finds_it_and_an_open_chart_is_linked_directly(self):
        self.login(self.chen)
        response = self.search(chart_code=str(self.quinn.code))
        self.assertContains(response, "you can already open this chart")
        self.assertContains(response, self.chart_url(self.quinn))

    def test_names_never_travel_in_the_address(self):
        self.login(self.chen)
        response = self.client.get(
            reverse("participants:emergency_access"), {"given_name": "Patricia"}
        )
        self.assertNotContains(response, "Found")
        self.assertNotContains(response, "No match")


class NoticeTest(BreakGlassTestCase):
    def test_the_privacy_officer_is_told_at_once_without_phi(self):
        grant = self.grant_for_chen()
        [job] = [
            r
            for r in default_task_backend.results  # type: ignore[attr-defined]
            if r.task.name == "notify_privacy_officers"
        ]
        self.assertEqual(tasks.notify_privacy_officers.call(*job.args), 1)
        self.assertEqual(tasks.notify_privacy_officers.call(*job.args), 0)
        [email] = mail.outbox
        self.assertEqual(email.to, ["privacy@example.org"])
        self.assertIn("An emergency access to a record was used — sign in to review", email.body)
        for text in (email.subject, email.body):
            for phi in ("Patricia", "Lindqvist", "Pat", "sister", "Chen", "Adult"):
                self.assertNotIn(phi, text)
        grant.refresh_from_db()
        self.assertIsNotNone(grant.officers_notified_at)
        notified = AuditEvent.objects.get(event_type="break_glass.officers_notified")
        self.assertEqual(notified.details["notified"], 1)

    def test_without_a_privacy_officer_the_administrators_are_told(self):
        User.objects.filter(pk=self.officer.pk).update(privacy_officer=False)
        grant = self.grant_for_chen()
        self.assertEqual(notices.notify_privacy_officers(grant.pk), 2)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            [
                "ada@example.org",
                "privacy@example.org",
            ],
        )


class ReportTest(BreakGlassTestCase):
    @property
    def url(self):
        return reverse("participants:emergency_access_report")

    def test_every_use_appears_with_its_reads(self):
        grant = self.grant_for_chen()
        self.client.get(self.chart_url())
        self.client.get(self.chart_url())
        with time_machine.travel(NOON + timedelta(minutes=10), tick=False):
            actions.end_break_glass(grant, acting_user=self.chen)
        self.login(self.officer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        row: Any
        [row] = response.context["page"]
        self.assertEqual(row.reads, 2)
        self.assertContains(response, "Wei Chen, MD")
        self.assertContains(response, "Pat L.")
        self.assertContains(response, "need the safety plan")
        self.assertContains(response, "ended early")
        self.assertContains(response, "Tue 8 Dec, 12:00 PM EST")
        self.assertContains(response, "Tue 8 Dec, 12:10 PM EST")
        self.assertTrue(AuditEvent.objects.filter(event_type="break_glass.report_viewed").exists())

    def test_reads_are_counted_per_grant(self):
        first = self.grant_for_chen()
        self.client.get(self.chart_url())
        actions.end_break_glass(first, acting_user=self.chen)
        with time_machine.travel(NOON + timedelta(hours=2), tick=False):
            second = actions.break_glass(self.pat, reason=REASON, acting_user=self.chen)
            self.login(self.chen)
            for _ in range(3):
                self.client.get(self.chart_url())
        reads = {g.code: g.reads for g in queries.break_glass_report()}  # type: ignore[attr-defined]
        self.assertEqual(reads, {first.code: 1, second.code: 3})

    def test_the_report_costs_the_same_queries_for_one_grant_or_many(self):
        self.login(self.officer)
        actions.break_glass(self.pat, reason=REASON, acting_user=self.chen)
        with self.assertNumQueries(QUERIES):
            self.client.get(self.url)
        for user in (self.alvarez, self.dana):
            actions.break_glass(self.quinn, reason=REASON, acting_user=user)
        with self.assertNumQueries(QUERIES):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["page"]), 3)

    def test_only_privacy_officers_read_it(self):
        for user in (self.dana, self.chen, self.ivy, self.admin, self.pat_user):
            with self.subTest(user=user.email):
                self.login(user)
                self.assertEqual(self.client.get(self.url).status_code, 404)


# Session and user; the audit event of the viewing (savepoint, advisory lock, head, insert,
# release); the header's safety banner; the count, and the page of grants with their reads.
QUERIES = 10


class DemoTest(BreakGlassTestCase):
    def test_the_demo_has_one_past_grant_for_the_report(self):
        from openiop.core import demo
        from openiop.participants.demo import load_break_glass_demo

        program = demo.load(participants=4)
        grant = load_break_glass_demo(program, now=NOON)
        assert grant is not None
        row: Any
        [row] = queries.break_glass_report().filter(participant__program=program)
        self.assertEqual(row.reads, 2)
        self.assertTrue(row.ended_early)
        self.assertTrue(User.objects.get(email=demo.staff_email("Ada", "Admin")).privacy_officer)
