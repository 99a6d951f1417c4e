from unittest import mock

import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.audit.reads import READ_EVENTS
from openiop.discharge import views
from openiop.discharge.forms import TEXT_LIMIT
from openiop.discharge.models import DischargeSummary
from openiop.discharge.tests.base import DISCHARGE_DAY, DischargeTestCase
from openiop.lib.access import Access
from openiop.participants.access import check_access
from openiop.scheduling.models import Enrollment

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def form_data(summary: DischargeSummary, **overrides: str) -> dict[str, str]:
    data = {
        "edit_version": str(summary.edit_version),
        "reason": "completed",
        "discharged_on": "2026-01-20",
        "course": "Attended most groups; used skills at work.",
        "medications": summary.medications,
        "safety_plan_status": "reviewed",
        "safety_plan_notes": "",
        "step_down_level": "outpatient",
        "referrals": "Peer support group on Thursdays.",
        "what_comes_next": "Weekly therapy with Jordan Lee starts Monday.",
        "aftercare-TOTAL_FORMS": "2",
        "aftercare-INITIAL_FORMS": "0",
        "aftercare-MIN_NUM_FORMS": "0",
        "aftercare-MAX_NUM_FORMS": "8",
        "aftercare-0-with_whom": "Jordan Lee, LCSW",
        "aftercare-0-day": "2026-01-26",
        "aftercare-0-time": "09:00",
        "aftercare-0-where": "Riverside Counseling, 12 Main St",
        "aftercare-0-phone": "555-555-0177",
    }
    data.update(overrides)
    return data


@time_machine.travel(DISCHARGE_DAY, tick=False)
class DischargePagesTestCase(DischargeTestCase):
    def reads(self) -> list[str]:
        return list(
            AuditEvent.objects.filter(event_type__in=READ_EVENTS).values_list(
                "event_type", flat=True
            )
        )

    def test_the_chart_offers_discharge_to_those_who_may_write_it(self):
        self.login(self.alvarez)
        chart = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertContains(chart, reverse("discharge:new", args=[self.pat.code]))
        self.login(self.sam)
        chart = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertNotContains(chart, reverse("discharge:new", args=[self.pat.code]))

    def test_the_roster_sends_ending_care_through_discharge(self):
        self.login(self.dana)
        roster = self.client.get(reverse("scheduling:roster", args=[self.group.code]))
        self.assertContains(roster, reverse("discharge:new", args=[self.pat.code]))
        self.assertContains(roster, "from this group</button>")
        self.assertNotContains(roster, "End enrollment")
        response = self.client.post(
            reverse("scheduling:end_enrollment", args=[self.enrollment.code]), follow=True
        )
        self.assertContains(response, "The episode of care goes on")
        self.pat.refresh_from_db()
        self.assertIsNone(self.pat.discharged_at)

    def test_starting_a_discharge_creates_the_prefilled_draft(self):
        self.login(self.alvarez)
        url = reverse("discharge:new", args=[self.pat.code])
        page = self.client.get(url)
        self.assertContains(page, "Start the discharge summary")
        self.assertContains(page, "Evening DBT A (seated)")
        response = self.client.post(url)
        summary = DischargeSummary.objects.get(participant=self.pat)
        self.assertRedirects(response, reverse("discharge:edit", args=[summary.code]))
        self.assertEqual(summary.services["total_minutes"], 380)
        edit = self.client.get(reverse("discharge:edit", args=[summary.code]))
        self.assertContains(edit, "Sertraline — 100 mg by mouth daily")
        self.assertContains(edit, "6.3 hours")
        # A second start goes to the same draft.
        self.assertRedirects(self.client.post(url), reverse("discharge:edit", args=[summary.code]))

    def test_no_episode_no_discharge(self):
        self.login(self.chen)
        url = reverse("discharge:new", args=[self.quinn.code])
        self.assertContains(self.client.get(url), "no active episode of care")
        self.assertContains(self.client.post(url), "no active episode of care", status_code=400)
        self.assertFalse(DischargeSummary.objects.exists())

    def test_the_draft_saves_with_aftercare_in_the_participants_zone(self):
        summary = self.start()
        self.login(self.alvarez)
        response = self.client.post(
            reverse("discharge:edit", args=[summary.code]), form_data(summary)
        )
        self.assertRedirects(response, summary.get_absolute_url())
        summary.refresh_from_db()
        self.assertEqual(summary.reason, "completed")
        [appointment] = summary.aftercare.all()
        # 09:00 in New York in January is 14:00 UTC.
        self.assertEqual(appointment.starts_at.isoformat(), "2026-01-26T14:00:00+00:00")
        self.assertEqual(str(appointment.phone), "+15555550177")
        page = self.client.get(summary.get_absolute_url())
        self.assertContains(page, "Mon 26 Jan 2026, 9:00 AM EST")

    def test_an_aftercare_appointment_can_be_removed(self):
        summary = self.start()
        self.login(self.alvarez)
        url = reverse("discharge:edit", args=[summary.code])
        self.client.post(url, form_data(summary))
        summary.refresh_from_db()
        edit = self.client.get(url)
        self.assertContains(edit, "Remove this appointment")
        data = form_data(summary, **{"aftercare-INITIAL_FORMS": "1", "aftercare-0-DELETE": "on"})
        self.assertRedirects(self.client.post(url, data), summary.get_absolute_url())
        self.assertFalse(summary.aftercare.exists())
        event = AuditEvent.objects.filter(event_type="discharge.draft_saved").last()
        assert event is not None
        self.assertEqual(event.details["fields"], ["aftercare"])

    def test_a_stale_edit_gets_a_conflict_and_keeps_its_text(self):
        summary = self.start()
        stale = form_data(summary, course="The second editor's careful paragraph.")
        self.login(self.dana)
        self.client.post(reverse("discharge:edit", args=[summary.code]), form_data(summary))
        self.login(self.alvarez)
        response = self.client.post(reverse("discharge:edit", args=[summary.code]), stale)
        self.assertContains(response, "Someone else saved", status_code=409)
        self.assertContains(
            response, "The second editor&#x27;s careful paragraph.", status_code=409
        )
        summary.refresh_from_db()
        self.assertEqual(summary.course, "Attended most groups; used skills at work.")

    def test_100_kb_is_refused_with_a_message_and_kept(self):
        summary = self.start()
        long_text = "word " * 20_480
        self.login(self.alvarez)
        response = self.client.post(
            reverse("discharge:edit", args=[summary.code]),
            form_data(summary, course=long_text),
        )
        self.assertContains(response, f"holds up to {TEXT_LIMIT:,}", status_code=400)
        self.assertContains(response, long_text.strip()[:200], status_code=400)
        summary.refresh_from_db()
        self.assertEqual(summary.course, "")

    def test_a_discharge_date_before_admission_is_refused(self):
        summary = self.start()
        self.login(self.alvarez)
        response = self.client.post(
            reverse("discharge:edit", args=[summary.code]),
            form_data(summary, discharged_on="2025-12-31"),
        )
        self.assertContains(response, "cannot be before the admission", status_code=400)

    def test_html_is_inert_in_the_page_and_the_pdf(self):
        summary = self.start()
        self.login(self.alvarez)
        data = form_data(summary, course=SCRIPT, what_comes_next=SCRIPT)
        data["aftercare-0-with_whom"] = SCRIPT
        self.client.post(reverse("discharge:edit", args=[summary.code]), data)
        page = self.client.get(summary.get_absolute_url())
        self.assertNotContains(page, "<script>alert")
        self.assertNotContains(page, "<img src=x")
        self.assertContains(page, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
        html = self.pdf_html(summary)
        self.assertNotIn("<script>alert", html)
        self.assertIn("&lt;script&gt;alert", html)

    def pdf_html(self, summary: DischargeSummary) -> str:
        """The HTML the PDF view lays out (the PDF's text is compressed)."""
        seen: dict[str, str] = {}
        real = views.render_pdf

        def capture(template: str, context: dict) -> bytes:
            seen["html"] = render_to_string(template, context)
            return real(template, context)

        with mock.patch.object(views, "render_pdf", capture):
            response = self.client.get(reverse("discharge:summary_pdf", args=[summary.code]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF-"))
        return seen["html"]

    def test_the_pdf_is_a_private_download_of_this_participant_only(self):
        self.fill_group()  # Quinn, Robin, Sky and Lee share Pat's group.
        summary = self.start()
        self.login(self.alvarez)
        before = len(self.reads())
        html = self.pdf_html(summary)
        self.assertEqual(self.reads()[before:], ["discharge.summary_exported"])
        response = self.client.get(reverse("discharge:summary_pdf", args=[summary.code]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(
            response["Content-Disposition"],
            f'attachment; filename="discharge-summary-{summary.code}.pdf"',
        )
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertIn("Lindqvist", html)
        for other in ("Quinn", "Marlowe", "Robin", "Sky", "Lee,"):
            self.assertNotIn(other, html)

    def test_the_summary_page_records_one_read(self):
        summary = self.start()
        self.login(self.sam)
        before = len(self.reads())
        self.assertEqual(self.client.get(summary.get_absolute_url()).status_code, 200)
        self.assertEqual(self.reads()[before:], ["discharge.summary_viewed"])

    def test_access_trio(self):
        summary = self.start()
        self.login(self.chen)  # not on Pat's team
        self.assertEqual(self.client.get(summary.get_absolute_url()).status_code, 404)
        self.login(self.sam)  # on the team, read-only
        edit = reverse("discharge:edit", args=[summary.code])
        self.assertEqual(self.client.get(edit).status_code, 403)
        self.assertEqual(
            self.client.post(reverse("discharge:sign", args=[summary.code])).status_code, 403
        )
        self.login(self.alvarez)
        self.assertEqual(
            self.client.get(reverse("discharge:sign", args=[summary.code])).status_code, 405
        )
        self.assertEqual(self.client.post(summary.get_absolute_url()).status_code, 405)

    def test_the_participant_sees_no_draft(self):
        summary = self.start()
        self.login(self.pat_user)
        self.assertEqual(self.client.get(summary.get_absolute_url()).status_code, 404)
        home = self.client.get(reverse("home"))
        self.assertNotContains(home, "What comes next")

    def test_signing_on_the_page_says_what_is_missing(self):
        summary = self.start()
        self.login(self.alvarez)
        page = self.client.get(summary.get_absolute_url())
        self.assertContains(page, "Choose the reason for discharge.")
        self.assertContains(page, "the place in Evening DBT A (seated)")
        response = self.client.post(reverse("discharge:sign", args=[summary.code]), follow=True)
        self.assertContains(response, "Choose the reason for discharge.")
        summary.refresh_from_db()
        self.assertFalse(summary.is_signed)


@time_machine.travel(DISCHARGE_DAY, tick=False)
class AfterDischargeTestCase(DischargeTestCase):
    """Dr. Alvarez signs Pat's discharge on the page; then the chart is closed."""

    def setUp(self):
        super().setUp()
        self.waiting, _ = self.fill_group()
        self.summary = self.start()
        self.login(self.alvarez)
        self.client.post(
            reverse("discharge:edit", args=[self.summary.code]), form_data(self.summary)
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.signed = self.client.post(
                reverse("discharge:sign", args=[self.summary.code]), follow=True
            )
        self.summary.refresh_from_db()

    def test_signing_discharges_and_seats_the_first_person_waiting(self):
        self.assertContains(self.signed, "Signed. The episode of care is finished")
        self.assertTrue(self.summary.is_signed)
        self.waiting.refresh_from_db()
        self.assertEqual(self.waiting.status, Enrollment.Status.SEATED)
        chart = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertContains(chart, "Discharged on Tue 20 Jan 2026")
        self.assertContains(chart, self.summary.get_absolute_url())

    def test_signing_twice_says_so(self):
        response = self.client.post(
            reverse("discharge:sign", args=[self.summary.code]), follow=True
        )
        self.assertContains(response, "signed already")
        self.assertEqual(AuditEvent.objects.filter(event_type="discharge.signed").count(), 1)

    def test_the_chart_is_read_only_except_through_allow_discharged(self):
        self.assertEqual(
            self.client.get(reverse("participants:edit", args=[self.pat.code])).status_code, 403
        )
        self.assertEqual(
            self.client.get(reverse("discharge:edit", args=[self.summary.code])).status_code, 403
        )
        # Addenda to signed documents (and a new referral) pass allow_discharged.
        self.assertEqual(
            check_access(self.alvarez, self.pat, write=True, allow_discharged=True), Access.WRITE
        )

    def test_the_participant_home_says_what_comes_next(self):
        self.login(self.pat_user)
        home = self.client.get(reverse("home"))
        self.assertContains(home, "What comes next")
        self.assertContains(home, "Weekly therapy with Jordan Lee starts Monday.")
        self.assertContains(home, "Mon 26 Jan 2026, 9:00 AM EST")
        self.assertContains(home, "Jordan Lee, LCSW")
        self.assertContains(home, 'href="tel:988"')
        self.assertContains(home, self.summary.get_absolute_url())

    def test_the_participant_reads_and_downloads_their_signed_summary(self):
        self.login(self.pat_user)
        page = self.client.get(self.summary.get_absolute_url())
        self.assertContains(page, "Signed by")
        self.assertNotContains(page, "Sign and discharge")
        self.assertNotContains(page, "Edit the draft")
        pdf = self.client.get(reverse("discharge:summary_pdf", args=[self.summary.code]))
        self.assertEqual(pdf.status_code, 200)
        self.assertEqual(
            self.client.get(reverse("discharge:edit", args=[self.summary.code])).status_code, 403
        )
        self.login(self.quinn_user)
        self.assertEqual(self.client.get(self.summary.get_absolute_url()).status_code, 404)
