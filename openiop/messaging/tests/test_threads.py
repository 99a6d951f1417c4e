"""Participant ↔ care team threads: who may read and write, what is stored, what is sent."""

import logging
from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.documents.tests.helpers import HTML, PDF, DocumentStorageMixin
from openiop.lib.crypto import key_id_of
from openiop.messaging import threads_actions as actions
from openiop.messaging import threads_notices
from openiop.messaging.models import Message, MessagingSettings, Thread, ThreadRead
from openiop.notifications.sms.locmem import outbox as sms_outbox
from openiop.safety.models import SafetyAlert
from openiop.testing import BaseTestCase

# Tuesday 10 March 2026, 10:00 AM EDT: inside the default office hours in New York.
IN_HOURS = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
# Monday 9 March 2026, 11:00 PM EDT: outside them.
AFTER_HOURS = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)

TEXT = "I missed group today because my car broke down."
XSS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '<svg onload="alert(1)"></svg>',
    "abc\u202edcba",
    "zero\u200bwidth\u200dtext",
]
BIG = "A" * 50_000


class ThreadTestCase(DocumentStorageMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(IN_HOURS, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        sms_outbox.clear()

    def start(self, text: str = TEXT, subject: str = "Missed group", **kwargs) -> Thread:
        sent = actions.start_thread(
            self.pat, subject=subject, text=text, acting_user=self.pat_user, **kwargs
        )
        return sent.message.thread

    def reply(self, thread: Thread, user, text: str = "Thanks for letting us know.") -> Message:
        return actions.post_message(thread, text=text, acting_user=user).message

    def raw(self, message: Message) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT ciphertext FROM messaging_message WHERE id = %s", [message.pk])
            return cursor.fetchone()[0]

    def audit_text(self) -> str:
        return " ".join(f"{e.event_type} {e.details}" for e in AuditEvent.objects.order_by("seq"))


class StartingAndReplyingTest(ThreadTestCase):
    def test_the_participant_starts_a_thread_from_the_form(self):
        self.login(self.pat_user)
        response = self.client.post(
            reverse("messaging:new_thread"), {"subject": "Missed group", "text": TEXT}
        )
        thread = Thread.objects.get()
        message = thread.messages.get()
        self.assertRedirects(
            response,
            f"{reverse('messaging:thread', args=[thread.code])}#m-{message.code}",
            fetch_redirect_response=False,
        )
        self.assertEqual(message.kind, Message.Kind.PARTICIPANT)
        page = self.client.get(reverse("messaging:thread", args=[thread.code]))
        self.assertContains(page, TEXT)
        self.assertContains(page, "Missed group")

    def test_the_text_is_stored_encrypted(self):
        thread = self.start()
        message = thread.messages.get()
        stored = self.raw(message)
        self.assertEqual(key_id_of(stored), "test")
        self.assertNotIn("car", stored)
        self.assertNotIn("Missed", thread.subject_ciphertext)
        self.assertEqual(actions.decrypt(message.ciphertext), TEXT)

    def test_the_database_refuses_clear_text(self):
        from django.db import IntegrityError, transaction

        thread = self.start()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Message.objects.create(
                thread=thread,
                kind=Message.Kind.PARTICIPANT,
                author=self.pat_user,
                ciphertext=TEXT,
                sent_at=timezone.now(),
            )

    def test_any_care_team_member_replies(self):
        thread = self.start()
        for user in (self.alvarez, self.sam):
            self.login(user)
            response = self.client.post(
                reverse("messaging:thread", args=[thread.code]), {"text": "On it."}
            )
            self.assertEqual(response.status_code, 302)
        kinds = list(thread.messages.values_list("kind", flat=True))
        self.assertEqual(kinds, ["participant", "staff", "staff"])

    def test_a_director_reads_but_does_not_reply(self):
        thread = self.start()
        self.login(self.dana)
        url = reverse("messaging:thread", args=[thread.code])
        self.assertContains(self.client.get(url), TEXT)
        self.assertEqual(self.client.post(url, {"text": "Hello"}).status_code, 403)
        self.assertEqual(thread.messages.count(), 1)

    def test_outsiders_get_404(self):
        thread = self.start()
        for user in (self.chen, self.ivy, self.admin, self.quinn_user):
            self.login(user)
            with self.subTest(user=user.email):
                url = reverse("messaging:thread", args=[thread.code])
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, {"text": "x"}).status_code, 404)

    def test_staff_cannot_open_the_participant_pages(self):
        self.login(self.alvarez)
        self.assertEqual(self.client.get(reverse("messaging:mine")).status_code, 404)
        self.assertEqual(self.client.get(reverse("messaging:new_thread")).status_code, 404)

    def test_every_write_is_audited_without_text(self):
        thread = self.start()
        self.reply(thread, self.alvarez)
        actions.lock_thread(thread, locked=True, acting_user=self.alvarez)
        events = list(AuditEvent.objects.values_list("event_type", flat=True))
        for event in (
            "messaging.thread_started",
            "messaging.message_sent",
            "messaging.thread_locked",
        ):
            self.assertIn(event, events)
        trail = self.audit_text()
        self.assertNotIn("car broke", trail)
        self.assertNotIn("Missed group", trail)
        self.assertNotIn("Thanks for letting", trail)


class ReadStateTest(ThreadTestCase):
    def test_the_inbox_counts_unread_and_opening_marks_read(self):
        thread = self.start()
        actions.post_message(thread, text="And another thing.", acting_user=self.pat_user)
        self.login(self.alvarez)
        inbox = self.client.get(reverse("messaging:inbox"))
        self.assertContains(inbox, "2 unread messages.")
        self.client.get(reverse("messaging:thread", args=[thread.code]))
        self.assertContains(self.client.get(reverse("messaging:inbox")), "Nothing unread.")
        # Sam has read nothing yet: his count is his own.
        self.login(self.sam)
        self.assertContains(self.client.get(reverse("messaging:inbox")), "2 unread messages.")

    def test_the_participant_sees_what_the_team_has_read_and_what_is_new(self):
        thread = self.start()
        self.login(self.pat_user)
        url = reverse("messaging:thread", args=[thread.code])
        self.assertContains(self.client.get(url), "Not read yet")
        self.login(self.alvarez)
        self.client.get(url)
        self.reply(thread, self.alvarez)
        self.login(self.pat_user)
        self.assertContains(self.client.get(reverse("messaging:mine")), "1 new message")
        page = self.client.get(url)
        self.assertContains(page, "Read by your care team")
        self.assertContains(page, '<span class="unread">New</span>', html=True)
        self.assertNotContains(self.client.get(url), '<span class="unread">New</span>', html=True)

    def test_the_poll_brings_new_messages_and_records_one_read_per_page_view(self):
        thread = self.start()
        first = thread.messages.get()
        self.login(self.alvarez)
        url = reverse("messaging:thread_updates", args=[thread.code])
        self.assertEqual(
            self.client.get(url, {"after": str(first.pk), "view": "v1"}).status_code, 204
        )
        reply = self.reply(thread, self.sam)
        response = self.client.get(url, {"after": str(first.pk), "view": "v1"})
        self.assertContains(response, f'id="m-{reply.code}"')
        self.assertContains(response, f"after={reply.pk}")
        self.assertContains(response, 'hx-trigger="every 15s"')
        reads = AuditEvent.objects.filter(event_type="messaging.thread_viewed", actor=self.alvarez)
        self.assertEqual(reads.count(), 1)


class RefusalsTest(ThreadTestCase):
    def test_a_discharged_participant_is_told_how_to_reach_the_program(self):
        self.program.phone = "+15555550199"
        self.program.save()
        thread = self.start()
        self.pat.discharged_at = timezone.now()
        self.pat.save()
        self.login(self.pat_user)
        response = self.client.post(
            reverse("messaging:new_thread"), {"subject": "Hello", "text": "Still there?"}
        )
        self.assertContains(response, "Your program has ended", status_code=409)
        self.assertContains(response, "(555) 555-0199", status_code=409)
        response = self.client.post(
            reverse("messaging:thread", args=[thread.code]), {"text": "Still there?"}
        )
        self.assertContains(response, "Your program has ended", status_code=409)
        self.assertContains(response, "Still there?", status_code=409)
        self.assertEqual(Message.objects.count(), 1)
        self.login(self.alvarez)
        response = self.client.post(
            reverse("messaging:thread", args=[thread.code]), {"text": "Checking in"}
        )
        self.assertEqual(response.status_code, 409)

    def test_a_locked_thread_refuses_replies_and_keeps_the_typed_text(self):
        thread = self.start()
        self.login(self.alvarez)
        self.client.post(reverse("messaging:lock", args=[thread.code]), {"locked": "1"})
        self.login(self.pat_user)
        response = self.client.post(
            reverse("messaging:thread", args=[thread.code]), {"text": "One more thing"}
        )
        self.assertContains(response, "closed to replies", status_code=409)
        self.assertContains(response, "One more thing", status_code=409)
        self.assertEqual(Message.objects.count(), 1)

    def test_an_attachment_that_lies_about_its_type_is_refused_and_the_text_kept(self):
        self.login(self.pat_user)
        fake = SimpleUploadedFile("letter.pdf", HTML, content_type="application/pdf")
        response = self.client.post(
            reverse("messaging:new_thread"),
            {"subject": "Letter", "text": "Here is my letter", "attachment": fake},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Here is my letter", status_code=400)
        self.assertFalse(Thread.objects.exists())
        self.assertTrue(AuditEvent.objects.filter(event_type="documents.upload_refused").exists())

    def test_a_real_attachment_is_a_download_on_the_chart(self):
        thread = self.start(upload=SimpleUploadedFile("letter.pdf", PDF, "application/pdf"))
        message = thread.messages.get()
        assert message.attachment is not None
        self.assertEqual(message.attachment.participant, self.pat)
        self.login(self.alvarez)
        response = self.client.get(reverse("messaging:attachment", args=[message.code]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Disposition"].startswith("attachment"))
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.login(self.chen)
        response = self.client.get(reverse("messaging:attachment", args=[message.code]))
        self.assertEqual(response.status_code, 404)


class PagingTest(ThreadTestCase):
    def fill(self, thread: Thread, count: int) -> None:
        value = actions.encrypt("Synthetic")
        now = timezone.now()
        Message.objects.bulk_create(
            Message(
                thread=thread,
                kind=Message.Kind.STAFF if n % 2 else Message.Kind.PARTICIPANT,
                author=self.alvarez if n % 2 else self.pat_user,
                ciphertext=value,
                sent_at=now,
            )
            for n in range(count)
        )

    def queries(self, thread: Thread) -> int:
        self.login(self.alvarez)
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(reverse("messaging:thread", args=[thread.code]))
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_a_long_thread_is_paged_with_a_constant_number_of_queries(self):
        short = self.start()
        self.fill(short, 9)
        long = self.start(subject="Long")
        self.fill(long, 999)
        self.queries(short)
        self.queries(long)  # the first view of each creates its read mark
        self.assertEqual(self.queries(short), self.queries(long))
        response = self.client.get(reverse("messaging:thread", args=[long.code]))
        self.assertEqual(len(response.context["rows"]), 50)
        newest = long.messages.order_by("-id").first()
        self.assertEqual(response.context["rows"][-1]["message"], newest)
        self.assertContains(response, "?page=19")
        older = self.client.get(reverse("messaging:thread", args=[long.code]), {"page": 1})
        self.assertEqual(len(older.context["rows"]), 50)


class OfficeHoursTest(ThreadTestCase):
    def test_after_hours_the_participant_gets_one_automatic_reply(self):
        self.program.after_hours_message = "The on-call clinician answers the program line."
        self.program.phone = "+15555550199"
        self.program.save()
        with time_machine.travel(AFTER_HOURS, tick=False):
            thread = self.start()
            actions.post_message(thread, text="Also this.", acting_user=self.pat_user)
        kinds = list(thread.messages.values_list("kind", flat=True))
        self.assertEqual(kinds, ["participant", "automatic", "participant"])
        self.login(self.pat_user)
        page = self.client.get(reverse("messaging:thread", args=[thread.code]))
        self.assertContains(page, "988")
        self.assertContains(page, "911")
        self.assertContains(page, "The on-call clinician answers the program line.")
        self.assertContains(page, "Mon, Tue, Wed, Thu, Fri, 9:00 AM – 5:00 PM EDT")

    def test_in_hours_there_is_no_automatic_reply(self):
        thread = self.start()
        self.assertEqual(thread.messages.count(), 1)

    def test_a_reply_from_the_team_rearms_the_automatic_reply(self):
        with time_machine.travel(AFTER_HOURS, tick=False):
            thread = self.start()
            self.reply(thread, self.alvarez)
            actions.post_message(thread, text="Again.", acting_user=self.pat_user)
        kinds = list(thread.messages.values_list("kind", flat=True))
        self.assertEqual(kinds, ["participant", "automatic", "staff", "participant", "automatic"])

    def test_directors_set_the_hours(self):
        self.login(self.dana)
        url = reverse("messaging:office_hours", args=[self.program.code])
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(
            url,
            {"days": ["1", "2", "3", "4", "5", "6"], "opens_at": "08:00", "closes_at": "20:00"},
        )
        self.assertEqual(response.status_code, 302)
        settings = MessagingSettings.objects.get(program=self.program)
        self.assertEqual(settings.days, "123456")
        event = AuditEvent.objects.get(event_type="messaging.settings_changed")
        self.assertIn("closes_at", event.details["fields"])
        self.login(self.alvarez)
        self.assertEqual(self.client.get(url).status_code, 404)


class NotificationTest(ThreadTestCase):
    def test_a_participant_message_emails_the_team_members_who_have_not_read_it(self):
        thread = self.start()
        mail.outbox.clear()
        sent = threads_notices.send_new_message_notices(thread.messages.get().pk)
        self.assertEqual(sent, 2)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["alvarez@example.org", "sam@example.org"]
        )
        for message in mail.outbox:
            self.assertEqual(message.subject, "You have a new message in OpenIOP")
            self.assertEqual(message.body, "You have a new message in OpenIOP")
        self.assertEqual(sms_outbox, [])
        # Sent once.
        self.assertEqual(threads_notices.send_new_message_notices(thread.messages.get().pk), 0)

    def test_a_reply_texts_and_emails_the_participant_once_until_read(self):
        thread = self.start()
        first = self.reply(thread, self.alvarez)
        second = self.reply(thread, self.sam, text="Me too.")
        mail.outbox.clear()
        self.assertEqual(threads_notices.send_new_message_notices(first.pk), 2)
        self.assertEqual([m.body for m in sms_outbox], ["You have a new message in OpenIOP"])
        self.assertEqual(mail.outbox[0].to, ["pat@example.org"])
        self.assertEqual(mail.outbox[0].body, "You have a new message in OpenIOP")
        # Pat has not read the first yet: she is not told again.
        self.assertEqual(threads_notices.send_new_message_notices(second.pk), 0)

    def test_a_team_member_who_read_the_thread_is_not_told(self):
        thread = self.start()
        message = thread.messages.get()
        ThreadRead.objects.create(
            thread=thread, user=self.sam, last_read_id=message.pk, read_at=timezone.now()
        )
        mail.outbox.clear()
        threads_notices.send_new_message_notices(message.pk)
        self.assertEqual([m.to[0] for m in mail.outbox], ["alvarez@example.org"])

    @override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    )
    def test_sending_queues_the_notice(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.start()
        self.assertEqual(len(mail.outbox), 2)


class CrisisLanguageTest(ThreadTestCase):
    def test_crisis_language_raises_an_alert_and_shows_resources_at_once(self):
        self.login(self.pat_user)
        response = self.client.post(
            reverse("messaging:new_thread"),
            {"subject": "Tonight", "text": "I want to die, I can't do this anymore"},
            follow=True,
        )
        thread = Thread.objects.get()
        self.assertEqual(thread.messages.count(), 1)
        self.assertContains(response, "help is there right now")
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.assertEqual(alert.kind, SafetyAlert.Kind.CRISIS_LANGUAGE)
        concern = alert.triggers.get().concern
        self.assertIn(reverse("messaging:thread", args=[thread.code]), concern)
        self.assertNotIn("want to die", concern)
        self.assertNotIn("want to die", self.audit_text())
        # Shown once, on the page the participant lands on.
        page = self.client.get(reverse("messaging:thread", args=[thread.code]))
        self.assertNotContains(page, "help is there right now")

    def test_the_on_call_clinician_reads_the_thread_while_the_alert_is_open(self):
        # Dr. Chen is on call for the program but not on Pat's care team.
        thread = self.start(text="Some nights I want to die")
        url = reverse("messaging:thread", args=[thread.code])
        self.login(self.chen)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.post(url, {"text": "x"}).status_code, 403)
        SafetyAlert.objects.update(
            status=SafetyAlert.Status.ACKNOWLEDGED,
            acknowledged_at=IN_HOURS,
            acknowledged_by=self.alvarez,
            action=SafetyAlert.Action.CONTACTED,
            action_note="Called; safe, plan reviewed.",
        )
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_staff_messages_raise_no_alert(self):
        thread = self.start()
        self.reply(thread, self.alvarez, text="If you feel suicidal, call 988.")
        self.assertFalse(SafetyAlert.objects.exists())


class XssCorpusTest(ThreadTestCase):
    def test_the_corpus_is_inert_in_pages_and_absent_from_audit_logs_and_notices(self):
        mail.outbox.clear()
        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger("openiop").debug("start")
            with self.captureOnCommitCallbacks(execute=True):
                thread = self.start(text="\n".join(XSS), subject=XSS[0])
                big = actions.post_message(thread, text=BIG, acting_user=self.pat_user).message
            for message in thread.messages.all():
                threads_notices.send_new_message_notices(message.pk)
        pages = []
        for user in (self.pat_user, self.alvarez):
            self.login(user)
            pages.append(self.client.get(reverse("messaging:thread", args=[thread.code])))
        self.login(self.alvarez)
        pages.append(self.client.get(reverse("messaging:inbox")))
        pages.append(
            self.client.get(reverse("messaging:thread_updates", args=[thread.code]), {"view": "x"})
        )
        self.login(self.pat_user)
        pages.append(self.client.get(reverse("messaging:mine")))
        for page in pages:
            html = page.content.decode()
            self.assertNotIn("<script>alert", html)
            self.assertNotIn("<img src=x", html)
            self.assertNotIn("<svg onload", html)
        self.assertIn("&lt;script&gt;alert(", pages[0].content.decode())
        self.assertIn(BIG, pages[0].content.decode())
        self.assertIn("abc\u202edcba", pages[1].content.decode())
        trail = self.audit_text()
        outbound = " ".join(f"{m.subject} {m.body}" for m in mail.outbox) + " ".join(
            m.body for m in sms_outbox
        )
        logged = " ".join(logs.output)
        for needle in ("alert(", "onerror", "onload", "\u202e", "AAAAAAAAAA"):
            self.assertNotIn(needle, trail)
            self.assertNotIn(needle, outbound)
            self.assertNotIn(needle, logged)
        self.assertTrue(big.pk)


class RetentionTest(ThreadTestCase):
    def test_old_messages_are_purged_and_the_count_audited(self):
        MessagingSettings.objects.create(program=self.program, retention_days=90)
        with time_machine.travel(IN_HOURS - timedelta(days=120), tick=False):
            old = self.start(subject="Old")
        recent = self.start(subject="Recent")
        call_command("purge_messages")
        self.assertFalse(Thread.objects.filter(pk=old.pk).exists())
        self.assertTrue(Thread.objects.filter(pk=recent.pk).exists())
        event = AuditEvent.objects.get(event_type="messaging.messages_purged")
        self.assertEqual(event.details["removed"], 1)
        self.assertEqual(event.details["number"], 1)

    def test_without_a_retention_period_nothing_is_purged(self):
        with time_machine.travel(IN_HOURS - timedelta(days=4000), tick=False):
            self.start()
        before = Message.objects.count()
        call_command("purge_messages")
        self.assertEqual(Message.objects.count(), before)
