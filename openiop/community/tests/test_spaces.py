from datetime import UTC, datetime

import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.community import actions
from openiop.community.access import seat_in
from openiop.community.models import Member, Post, Report, Retention
from openiop.community.tests.base import CommunityTestCase, discharge, post_in, seat
from openiop.lib.crypto import key_id_of
from openiop.safety.models import SafetyAlert

XSS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "evil \u202egnp.exe",
    "k\u200bi\u200bll",
]
CRISIS = "Some nights I want to die."


def raw(post: Post) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM community_post WHERE id = %s", [post.pk])
        return cursor.fetchone()[0]


@time_machine.travel(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), tick=False)
class PostingTest(CommunityTestCase):
    def accept(self, user):
        self.login(user)
        return self.client.post(reverse("community:accept_rules", args=[self.evening.code]))

    def test_a_member_sees_the_rules_first_and_accepts_them(self):
        self.login(self.pat_user)
        response = self.client.get(reverse("community:space", args=[self.evening.code]))
        self.assertTemplateUsed(response, "community/rules.html")
        self.assertContains(response, "I accept the rules")
        self.assertRedirects(
            self.accept(self.pat_user), reverse("community:space", args=[self.evening.code])
        )
        member = Member.objects.get(space=self.evening, user=self.pat_user)
        self.assertIsNotNone(member.rules_accepted_at)
        event = AuditEvent.objects.get(event_type="community.rules_accepted")
        self.assertEqual(event.actor, self.pat_user)
        response = self.client.get(reverse("community:space", args=[self.evening.code]))
        self.assertTemplateUsed(response, "community/space.html")

    def test_a_member_cannot_post_before_accepting_the_rules(self):
        self.login(self.pat_user)
        response = self.client.post(
            reverse("community:new_thread", args=[self.evening.code]), {"text": "Hello"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "accept the group rules", status_code=403)
        self.assertContains(response, "Hello", status_code=403)  # what was typed is kept
        self.assertFalse(Post.objects.exists())

    def test_a_member_posts_under_their_short_name_and_the_text_is_encrypted(self):
        self.accept(self.pat_user)
        response = self.client.post(
            reverse("community:new_thread", args=[self.evening.code]),
            {"text": "Box breathing helped today."},
        )
        self.assertRedirects(response, reverse("community:space", args=[self.evening.code]))
        post = Post.objects.get()
        self.assertEqual(post.status, Post.Status.VISIBLE)
        stored = raw(post)
        self.assertEqual(key_id_of(stored), "test")
        self.assertNotIn("breathing", stored)
        page = self.client.get(reverse("community:space", args=[self.evening.code]))
        self.assertContains(page, "Box breathing helped today.")
        self.assertContains(page, "Pat L.")
        self.assertNotContains(page, "Lindqvist")
        event = AuditEvent.objects.get(event_type="community.post_written")
        self.assertEqual(event.details["held"], False)

    def test_staff_post_under_their_name_and_role(self):
        post_in(self, self.evening, self.sam, "Welcome to the group space.")
        self.accept(self.pat_user)
        page = self.client.get(reverse("community:space", args=[self.evening.code]))
        self.assertContains(page, "Sam Rivera, Peer specialist")

    def test_members_reply_and_the_thread_moves_up(self):
        first = post_in(self, self.evening, self.alvarez, "First")
        with time_machine.travel(datetime(2026, 12, 8, 14, 1, tzinfo=UTC), tick=False):
            post_in(self, self.evening, self.alvarez, "Second")
        self.accept(self.pat_user)
        with time_machine.travel(datetime(2026, 12, 8, 14, 2, tzinfo=UTC), tick=False):
            response = self.client.post(
                reverse("community:reply", args=[first.code]), {"text": "A reply"}
            )
        self.assertRedirects(response, reverse("community:thread", args=[first.code]))
        page = self.client.get(reverse("community:thread", args=[first.code]))
        self.assertContains(page, "A reply")
        space = self.client.get(reverse("community:space", args=[self.evening.code]))
        self.assertLess(space.content.index(b"First"), space.content.index(b"Second"))

    def test_an_empty_or_huge_post_is_refused_with_a_message(self):
        self.accept(self.pat_user)
        url = reverse("community:new_thread", args=[self.evening.code])
        response = self.client.post(url, {"text": "  "})
        self.assertContains(response, "Write something", status_code=400)
        response = self.client.post(url, {"text": "<b>x</b>" * 7000})
        self.assertContains(response, "under 10,000", status_code=400)
        self.assertNotContains(response, "<b>x</b>", status_code=400)
        self.assertFalse(Post.objects.exists())


@time_machine.travel(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), tick=False)
class CrisisTest(CommunityTestCase):
    def test_a_post_with_crisis_language_is_held_and_raises_an_alert(self):
        self.login(self.pat_user)
        self.client.post(reverse("community:accept_rules", args=[self.evening.code]))
        response = self.client.post(
            reverse("community:new_thread", args=[self.evening.code]), {"text": CRISIS}
        )
        post = Post.objects.get()
        self.assertEqual(post.status, Post.Status.HELD)
        self.assertRedirects(response, reverse("community:thread", args=[post.code]))
        # The author sees crisis resources at once.
        page = self.client.get(reverse("community:thread", args=[post.code]))
        self.assertContains(page, "988")
        self.assertContains(page, "waiting for a moderator")
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.assertEqual(alert.kind, SafetyAlert.Kind.CRISIS_LANGUAGE)
        link = reverse("community:review", args=[post.code])
        self.assertIn(link, alert.triggers.get().concern)
        self.assertNotIn("die", alert.triggers.get().concern.replace("Read it", ""))
        # Other members do not see it; moderators do, in the moderation view.
        self.login(self.quinn_user)
        seat(self, self.quinn, self.evening.group)
        post_in(self, self.evening, self.quinn_user, "hello")
        self.assertNotContains(
            self.client.get(reverse("community:space", args=[self.evening.code])), "nights"
        )
        self.assertEqual(
            self.client.get(reverse("community:thread", args=[post.code])).status_code, 404
        )
        self.login(self.sam)
        moderation = self.client.get(reverse("community:moderation", args=[self.evening.code]))
        self.assertContains(moderation, "Some nights")
        # Pat's primary clinician follows the alert's link and reads it there.
        self.login(self.alvarez)
        self.assertContains(self.client.get(link), "Some nights")

    def test_a_moderator_releases_a_held_post(self):
        post = post_in(self, self.evening, self.pat_user, CRISIS)
        self.login(self.sam)
        self.client.post(reverse("community:moderate", args=[post.code]), {"action": "restore"})
        post.refresh_from_db()
        self.assertEqual(post.status, Post.Status.VISIBLE)
        self.assertTrue(AuditEvent.objects.filter(event_type="community.post_restored").exists())

    def test_staff_crisis_words_raise_no_alert(self):
        post_in(self, self.evening, self.alvarez, "If you think about suicide, call 988.")
        self.assertEqual(Post.objects.get().status, Post.Status.VISIBLE)
        self.assertFalse(SafetyAlert.objects.exists())


@time_machine.travel(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), tick=False)
class ModerationTest(CommunityTestCase):
    def test_a_moderator_hides_a_post_and_members_stop_seeing_it(self):
        post = post_in(self, self.evening, self.pat_user, "Off-topic rant")
        self.login(self.alvarez)
        self.client.post(reverse("community:moderate", args=[post.code]), {"action": "hide"})
        post.refresh_from_db()
        self.assertEqual(post.status, Post.Status.HIDDEN)
        self.login(self.pat_user)
        page = self.client.get(reverse("community:space", args=[self.evening.code]))
        self.assertNotContains(page, "Off-topic rant")
        self.assertEqual(
            self.client.get(reverse("community:thread", args=[post.code])).status_code, 404
        )

    def test_a_removed_member_cannot_post_and_is_told_why(self):
        post_in(self, self.evening, self.pat_user, "Hi all")
        self.login(self.sam)
        self.client.post(
            reverse("community:remove_member", args=[self.evening.code, self.pat.code]),
            {"on": "1"},
        )
        self.login(self.pat_user)
        response = self.client.post(
            reverse("community:new_thread", args=[self.evening.code]), {"text": "Again"}
        )
        self.assertContains(response, "A moderator removed you", status_code=403)
        self.assertEqual(Post.objects.count(), 1)
        event = AuditEvent.objects.get(event_type="community.member_removed")
        self.assertEqual(event.participant, self.pat)
        refused = AuditEvent.objects.get(event_type="community.post_refused")
        self.assertEqual(refused.outcome, "denied")

    def test_a_locked_thread_takes_no_replies(self):
        thread = post_in(self, self.evening, self.alvarez, "Week 3 check-in")
        post_in(self, self.evening, self.pat_user, "x")  # accepts the rules
        self.login(self.alvarez)
        self.client.post(reverse("community:moderate", args=[thread.code]), {"action": "lock"})
        self.login(self.pat_user)
        response = self.client.post(
            reverse("community:reply", args=[thread.code]), {"text": "Late reply"}
        )
        self.assertContains(response, "This conversation is locked", status_code=403)
        self.assertFalse(Post.objects.filter(parent=thread).exists())

    def test_a_locked_space_takes_no_posts(self):
        post_in(self, self.evening, self.pat_user, "x")
        self.login(self.sam)
        self.client.post(reverse("community:lock_space", args=[self.evening.code]), {"on": "1"})
        self.login(self.pat_user)
        response = self.client.post(
            reverse("community:new_thread", args=[self.evening.code]), {"text": "New"}
        )
        self.assertContains(response, "This space is locked", status_code=403)

    def test_members_report_a_post_and_moderators_see_the_reason(self):
        post = post_in(self, self.evening, self.alvarez, "A post")
        seat(self, self.quinn, self.evening.group)
        post_in(self, self.evening, self.pat_user, "x")
        self.login(self.pat_user)
        self.client.post(reverse("community:report", args=[post.code]), {"reason": "privacy"})
        self.client.post(reverse("community:report", args=[post.code]), {"reason": "spam"})
        self.assertEqual(Report.objects.get().reason, "privacy")
        self.login(self.sam)
        moderation = self.client.get(reverse("community:moderation", args=[self.evening.code]))
        self.assertContains(moderation, "Shares someone&#x27;s private details")
        self.client.post(reverse("community:moderate", args=[post.code]), {"action": "dismiss"})
        self.assertIsNotNone(Report.objects.get().resolved_at)
        event = AuditEvent.objects.get(event_type="community.post_reported")
        self.assertEqual(event.details["reason"], "privacy")

    def test_a_director_reads_with_an_audit_row_but_cannot_moderate(self):
        post = post_in(self, self.evening, self.pat_user, "x")
        self.login(self.dana)
        self.client.get(reverse("community:space", args=[self.evening.code]))
        self.assertTrue(AuditEvent.objects.filter(event_type="community.space_viewed").exists())
        response = self.client.post(
            reverse("community:moderate", args=[post.code]), {"action": "hide"}
        )
        self.assertEqual(response.status_code, 403)


@time_machine.travel(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), tick=False)
class AlumniTest(CommunityTestCase):
    def test_an_alumnus_keeps_the_alumni_space_and_loses_the_group_space(self):
        discharge(self.pat)
        self.login(self.pat_user)
        index = self.client.get(reverse("community:index"))
        self.assertContains(index, "Evening DBT: alumni")
        self.assertTrue(
            Member.objects.filter(
                space=self.evening_alumni, user=self.pat_user, alumnus_since__isnull=False
            ).exists()
        )
        self.assertEqual(
            self.client.get(reverse("community:space", args=[self.evening.code])).status_code,
            404,
        )
        self.assertEqual(
            self.client.get(
                reverse("community:space", args=[self.evening_alumni.code])
            ).status_code,
            200,
        )
        self.assertTrue(
            AuditEvent.objects.filter(
                event_type="community.alumnus_admitted", participant=self.pat
            ).exists()
        )

    def test_a_seated_member_is_not_an_alumnus(self):
        self.login(self.pat_user)
        self.client.get(reverse("community:index"))
        self.assertEqual(
            self.client.get(
                reverse("community:space", args=[self.evening_alumni.code])
            ).status_code,
            404,
        )

    def test_the_command_admits_every_discharged_participant(self):
        from django.core.management import call_command

        discharge(self.pat)
        call_command("admit_alumni", verbosity=0)
        self.assertEqual(Member.objects.filter(alumnus_since__isnull=False).count(), 1)

    def test_the_facilitators_moderate_the_alumni_space(self):
        discharge(self.pat)
        actions.admit_alumni(self.pat, acting_user=None)
        self.assertTrue(seat_in(self.sam, self.evening_alumni).is_moderator)


@time_machine.travel(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), tick=False)
class ScaleTest(CommunityTestCase):
    def fill(self, threads: int, replies: int) -> Post:
        now = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)
        ciphertext = actions.encrypt("A post")
        first = Post.objects.bulk_create(
            Post(
                space=self.evening,
                author=self.pat_user,
                ciphertext=ciphertext,
                created_at=now,
                last_activity_at=now,
            )
            for _ in range(threads)
        )
        Post.objects.bulk_create(
            Post(
                space=self.evening,
                parent=first[0],
                author=self.sam if i % 2 else self.pat_user,
                ciphertext=ciphertext,
                created_at=now,
                last_activity_at=now,
            )
            for i in range(replies)
        )
        return first[0]

    def queries_for(self, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_pages_take_the_same_queries_small_and_large(self):
        post_in(self, self.evening, self.pat_user, "x")
        self.login(self.pat_user)
        thread = self.fill(3, 3)
        space_url = reverse("community:space", args=[self.evening.code])
        thread_url = reverse("community:thread", args=[thread.code])
        small = (self.queries_for(space_url), self.queries_for(thread_url))
        self.fill(2500, 2500)
        large = (self.queries_for(space_url), self.queries_for(thread_url))
        self.assertEqual(small, large)
        self.assertEqual(self.queries_for(space_url), self.queries_for(space_url + "?page=100"))


@time_machine.travel(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), tick=False)
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
class XssAndLeaksTest(CommunityTestCase):
    def test_the_corpus_is_inert_in_posts_and_the_moderation_view(self):
        for text in XSS:
            post_in(self, self.evening, self.pat_user, text)
        post_in(self, self.evening, self.pat_user, CRISIS + " <script>x()</script>")
        thread = Post.objects.filter(status=Post.Status.VISIBLE).first()
        assert thread is not None
        post_in(self, self.evening, self.pat_user, "<svg onload=alert(2)>", parent=thread)
        Report.objects.create(
            post=thread, reporter=self.quinn_user, reason="unkind", created_at=thread.created_at
        )
        held = Post.objects.get(status=Post.Status.HELD)
        pages = []
        self.login(self.pat_user)
        pages.append(self.client.get(reverse("community:space", args=[self.evening.code])))
        pages.append(self.client.get(reverse("community:thread", args=[thread.code])))
        pages.append(self.client.get(reverse("community:thread", args=[held.code])))
        self.login(self.sam)
        pages.append(self.client.get(reverse("community:moderation", args=[self.evening.code])))
        pages.append(self.client.get(reverse("community:review", args=[held.code])))
        for response in pages:
            body = response.content.decode()
            with self.subTest(url=response.request["PATH_INFO"]):
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("<script>alert", body)
                self.assertNotIn("<script>x()", body)
                self.assertNotIn("<img src=x", body)
                self.assertNotIn("<svg onload", body)
        self.assertIn("&lt;svg onload=alert(1)&gt;", pages[0].content.decode())
        self.assertIn("&lt;script&gt;x()&lt;/script&gt;", pages[3].content.decode())

    def test_no_post_text_in_audit_rows_outbox_or_logs(self):
        with self.assertLogs(level="DEBUG") as logs:
            for text in [*XSS, CRISIS]:
                post_in(self, self.evening, self.pat_user, text)
            post = Post.objects.filter(status=Post.Status.VISIBLE).first()
            assert post is not None
            actions.report_post(post, reason="unsafe", acting_user=self.quinn_user)
            actions.moderate_post(post, action="hide", acting_user=self.sam)
            actions.lock_thread(post, locked=True, acting_user=self.sam)
            import logging

            logging.getLogger("openiop").debug("marker")
        events = AuditEvent.objects.filter(event_type__startswith="community.")
        self.assertGreater(events.count(), len(XSS))
        sent = [f"{m.subject} {m.body}" for m in mail.outbox]
        for text in ["alert(", "onerror", "nights", "want to die", "\u202e"]:
            for event in AuditEvent.objects.all():
                self.assertNotIn(text, str(event.details))
                self.assertNotIn(text, event.target_id)
            for line in logs.output:
                self.assertNotIn(text, line)
            for message in sent:
                self.assertNotIn(text, message)


@time_machine.travel(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), tick=False)
class RetentionTest(CommunityTestCase):
    def test_threads_quiet_past_the_program_retention_are_purged(self):
        thread = post_in(self, self.evening, self.alvarez, "Old")
        post_in(self, self.evening, self.alvarez, "Reply", parent=thread)
        Retention.objects.create(program=self.program, days=90)
        self.expire(89)
        self.assertEqual(actions.purge_expired(self.program), 0)
        self.expire(91)
        self.assertEqual(actions.purge_expired(self.program), 2)
        self.assertFalse(Post.objects.exists())
        event = AuditEvent.objects.get(event_type="community.posts_purged")
        self.assertEqual(event.details["removed"], 2)


@time_machine.travel(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), tick=False)
class LiveAndKeysTest(CommunityTestCase):
    def test_an_htmx_poll_gets_the_list_only(self):
        post_in(self, self.evening, self.pat_user, "Fresh post")
        self.login(self.pat_user)
        url = reverse("community:space", args=[self.evening.code])
        page = self.client.get(url)
        self.assertContains(page, 'hx-trigger="every 20s"')
        fragment = self.client.get(url, HTTP_HX_REQUEST="true")
        self.assertTemplateUsed(fragment, "community/_threads.html")
        self.assertTemplateNotUsed(fragment, "base.html")
        self.assertContains(fragment, "Fresh post")

    def test_key_rotation_re_encrypts_posts(self):
        from io import StringIO

        from django.core.management import call_command

        from openiop.lib.crypto import new_entry
        from openiop.notes.tests.test_psychotherapy_rotation import ring

        old, new = new_entry("k1"), new_entry("k2")

        with override_settings(OPENIOP_ENCRYPTION_KEYRING=ring(old)):
            post = post_in(self, self.evening, self.pat_user, "Rotate me")
        with override_settings(OPENIOP_ENCRYPTION_KEYRING=ring(new, old)):
            out = StringIO()
            call_command("rotate_keys", stdout=out)
            self.assertIn("peer-space posts: 1 re-encrypted", out.getvalue())
        post.refresh_from_db()
        self.assertEqual(key_id_of(raw(post)), "k2")
        with override_settings(OPENIOP_ENCRYPTION_KEYRING=ring(new)):
            self.assertEqual(actions.decrypt(post), "Rotate me")
