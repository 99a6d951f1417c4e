from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.programs.models import Group
from openiop.scheduling import actions
from openiop.scheduling.models import Booking, ClinicianAvailability, Enrollment, Session
from openiop.scheduling.tests.base import SchedulingTestCase

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class ParticipantPagesTestCase(SchedulingTestCase):
    def setUp(self):
        super().setUp()
        self.pat.timezone = "America/Phoenix"
        self.pat.save()
        actions.admit(
            self.pat,
            self.group,
            starts_on=date(2026, 3, 2),
            expected_end_on=date(2026, 11, 8),
            acting_user=self.dana,
        )
        self.login(self.pat_user)

    def test_my_week_shows_the_ny_group_at_phoenix_time_across_dst(self):
        march = self.client.get(reverse("scheduling:my_week") + "?week=2026-03-09")
        self.assertContains(march, "3:00 PM – 6:00 PM MST</time>")
        self.assertContains(march, "America/Phoenix")
        november = self.client.get(reverse("scheduling:my_week") + "?week=2026-11-02")
        self.assertContains(
            november, '<time datetime="2026-11-02T23:00:00+00:00">4:00 PM – 7:00 PM MST</time>'
        )

    def test_a_week_at_the_end_of_the_calendar_shows_this_week(self):
        for week in ("9999-12-31", "0001-01-01"):
            response = self.client.get(reverse("scheduling:my_week"), {"week": week})
            self.assertEqual(response.status_code, 200, week)

    def test_the_private_feed_shows_phoenix_times_and_no_phi(self):
        page = self.client.post(reverse("scheduling:calendar_new"))
        url = page.context["feed_url"]
        self.client.logout()
        response = self.client.get(url)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        body = response.content
        self.assertIn(b"DTSTART;TZID=America/Phoenix:20260309T150000", body)
        # The feed covers 180 days ahead: read it again in October for the November session.
        with time_machine.travel(datetime(2026, 10, 15, tzinfo=UTC), tick=False):
            autumn = self.client.get(url).content
        self.assertIn(b"DTSTART;TZID=America/Phoenix:20261102T160000", autumn)
        for secret in (b"DBT", b"Evening", b"Adult Mental Health", b"Patricia", b"Alvarez"):
            self.assertNotIn(secret, body)
        events = icalendar.Calendar.from_ical(body).walk("VEVENT")
        self.assertEqual({str(e["summary"]) for e in events}, {"Session"})

    def test_a_revoked_or_replaced_feed_stops_working(self):
        first = self.client.post(reverse("scheduling:calendar_new")).context["feed_url"]
        second = self.client.post(reverse("scheduling:calendar_new")).context["feed_url"]
        self.assertEqual(self.client.get(first).status_code, 404)
        self.assertEqual(self.client.get(second).status_code, 200)
        self.client.post(reverse("scheduling:calendar_revoke"))
        self.assertEqual(self.client.get(second).status_code, 404)

    def test_cancelled_sessions_show_as_cancelled_in_the_feed(self):
        session = Session.objects.get(group=self.group, local_date=date(2026, 3, 4))
        actions.cancel_session(session, reason="other", acting_user=self.dana)
        url = self.client.post(reverse("scheduling:calendar_new")).context["feed_url"]
        events = icalendar.Calendar.from_ical(self.client.get(url).content).walk("VEVENT")
        cancelled = [e for e in events if str(e["status"]) == "CANCELLED"]
        self.assertEqual(len(cancelled), 1)
        self.assertEqual(cancelled[0].decoded("sequence"), 1)

    def test_participants_opt_out_of_texts(self):
        self.client.post(reverse("scheduling:reminder_preferences"), {"email": "on"})
        self.pat.reminder_preference.refresh_from_db()
        self.assertFalse(self.pat.reminder_preference.sms)
        self.assertTrue(self.pat.reminder_preference.email)


@time_machine.travel(NOW, tick=False)
class StaffPagesTestCase(SchedulingTestCase):
    def test_a_director_admits_and_the_full_group_waitlists(self):
        self.login(self.dana)
        url = reverse("scheduling:admit", args=[self.group.code])
        response = self.client.post(
            url, {"participant": self.pat.pk, "starts_on": "2026-03-02", "priority": 0}
        )
        self.assertRedirects(response, reverse("scheduling:roster", args=[self.group.code]))
        self.assertEqual(Enrollment.objects.get(participant=self.pat).status, "seated")
        Group.objects.filter(pk=self.group.pk).update(capacity=1)
        response = self.client.post(
            url,
            {"participant": self.quinn.pk, "starts_on": "2026-03-02", "priority": 0},
            follow=True,
        )
        self.assertContains(response, "on the waitlist")

    def test_seated_in_another_group_the_person_leaves_the_waitlist(self):
        self.login(self.dana)
        Group.objects.filter(pk=self.group.pk).update(capacity=1)
        actions.admit(self.quinn, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        waiting = actions.admit(
            self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana
        )
        self.assertEqual(waiting.status, Enrollment.Status.WAITLISTED)
        response = self.client.post(
            reverse("scheduling:admit", args=[self.group_b.code]),
            {"participant": self.pat.pk, "starts_on": "2026-03-03", "priority": 0},
        )
        # The message waits in the session on the server, not in a cookie in the browser.
        self.assertNotIn("messages", response.cookies)
        self.assertContains(
            self.client.get(response["Location"]), "They no longer wait for Evening DBT A."
        )
        waiting.refresh_from_db()
        self.assertEqual(waiting.status, Enrollment.Status.WITHDRAWN)
        self.assertIsNotNone(waiting.ended_at)
        event = AuditEvent.objects.get(event_type="scheduling.enrollment_ended")
        self.assertEqual(event.details["group"], str(self.group.code))
        self.assertEqual(event.details["seated_in"], str(self.group_b.code))
        self.assertEqual(
            Enrollment.objects.get(participant=self.pat, status="seated").group, self.group_b
        )

    def test_admission_errors_keep_the_form(self):
        self.login(self.ivy)
        response = self.client.post(
            reverse("scheduling:admit", args=[self.group.code]),
            {"participant": self.pat.pk, "starts_on": "2026-02-02", "priority": 0},
        )
        self.assertContains(response, "The start date is in the past.", status_code=400)
        self.assertContains(response, 'value="2026-02-02"', status_code=400)

    def test_an_admission_at_the_end_of_the_calendar_is_refused_clearly(self):
        self.login(self.dana)
        response = self.client.post(
            reverse("scheduling:admit", args=[self.group.code]),
            {"participant": self.pat.pk, "starts_on": "9999-12-27", "priority": 0},
        )
        self.assertContains(response, "not so far in the future", status_code=400)
        self.assertFalse(Enrollment.objects.filter(participant=self.pat).exists())

    def test_booking_an_unlicensed_clinician_shows_a_clear_message(self):
        self.pat.home_state = "NJ"
        self.pat.save()
        ClinicianAvailability.objects.create(
            clinician=self.chen,
            weekday=1,
            starts_at=time(9),
            ends_at=time(17),
            timezone="America/New_York",
        )
        self.login(self.dana)
        response = self.client.post(
            reverse("scheduling:new_appointment", args=[self.pat.code]),
            {
                "clinician": self.chen.pk,
                "kind": "individual",
                "day": "2026-03-03",
                "starts_at": "10:00",
                "ends_at": "11:00",
                "weeks": 1,
            },
        )
        self.assertContains(response, "Wei Chen, MD is not licensed in New Jersey", status_code=400)
        self.assertFalse(Session.objects.filter(kind="individual").exists())

    def test_the_ledger_page_flags_risk_and_offers_make_ups(self):
        actions.admit(self.pat, self.group, starts_on=date(2026, 3, 9), acting_user=self.dana)
        actions.add_extra_session(
            self.group_b,
            day=date(2026, 3, 13),
            starts_at=time(10),
            ends_at=time(13),
            acting_user=self.dana,
        )
        monday, wednesday = Booking.objects.filter(participant=self.pat).order_by(
            "session__starts_at"
        )[:2]
        with time_machine.travel(datetime(2026, 3, 11, 21, 30, tzinfo=NY), tick=False):
            actions.record_attendance(
                monday, attendance="present", minutes=None, acting_user=self.alvarez
            )
            actions.record_attendance(
                wednesday, attendance="absent", minutes=None, acting_user=self.alvarez
            )
            self.login(self.alvarez)
            response = self.client.get(
                reverse("scheduling:ledger", args=[self.pat.code]) + "?week=2026-03-11"
            )
        self.assertContains(response, "At risk:")
        self.assertContains(response, "3.00 hours short of the 9.00-hour minimum")
        self.assertContains(response, "Evening DBT B, Fri 13 Mar, 10:00 AM – 1:00 PM EDT")

    def test_facilitators_record_attendance_from_the_session_page(self):
        actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        booking = Booking.objects.filter(participant=self.pat).order_by("session__starts_at")[0]
        with time_machine.travel(datetime(2026, 3, 2, 21, tzinfo=NY), tick=False):
            self.login(self.sam)
            url = reverse("scheduling:record_attendance", args=[booking.session.code])
            self.client.post(url, {"booking": booking.code, "attendance": "late", "minutes": 150})
        booking.refresh_from_db()
        self.assertEqual((booking.attendance, booking.minutes_attended), ("late", 150))

    def test_a_director_adds_an_extra_session_and_bad_times_are_refused(self):
        actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        self.login(self.dana)
        url = reverse("scheduling:add_extra_session", args=[self.group.code])
        self.client.post(url, {"day": "2026-03-07", "starts_at": "10:00", "ends_at": "12:00"})
        extra = Session.objects.get(group=self.group, is_extra=True)
        self.assertTrue(extra.bookings.filter(participant=self.pat).exists())
        response = self.client.post(
            url, {"day": "2026-03-08", "starts_at": "02:30", "ends_at": "03:30"}, follow=True
        )
        self.assertContains(response, "does not exist in America/New_York")
        response = self.client.post(
            url, {"day": "2026-11-01", "starts_at": "01:15", "ends_at": "01:45"}, follow=True
        )
        self.assertContains(response, "happens twice")
        self.client.post(
            url, {"day": "2026-11-01", "starts_at": "01:15", "ends_at": "01:45", "fold": "1"}
        )
        second = Session.objects.get(group=self.group, local_date=date(2026, 11, 1))
        self.assertEqual(second.starts_at, datetime(2026, 11, 1, 6, 15, tzinfo=UTC))

    def test_a_director_cancels_a_session(self):
        actions.generate_group_sessions(
            self.group, first_day=date(2026, 3, 2), last_day=date(2026, 3, 8)
        )
        session = Session.objects.get(group=self.group, local_date=date(2026, 3, 4))
        self.login(self.dana)
        self.client.post(
            reverse("scheduling:cancel_session", args=[session.code]), {"reason": "other"}
        )
        session.refresh_from_db()
        self.assertTrue(session.is_cancelled)

    def test_the_week_grid_runs_the_same_queries_however_many_groups(self):
        self.login(self.dana)
        url = reverse("scheduling:week_grid", args=[self.program.code]) + "?week=2026-03-02"
        actions.generate_group_sessions(
            self.group, first_day=date(2026, 3, 2), last_day=date(2026, 3, 8)
        )
        self.client.get(url)
        with CaptureQueriesContext(connection) as small:
            response = self.client.get(url)
        self.assertContains(response, "Evening DBT A")
        for i in range(5):
            group = Group.objects.create(
                track=self.track, name=f"Extra {i}", curriculum_starts_on=date(2026, 1, 5)
            )
            actions.generate_group_sessions(
                group, first_day=date(2026, 3, 2), last_day=date(2026, 3, 8)
            )
        with CaptureQueriesContext(connection) as large:
            response = self.client.get(url)
        self.assertContains(response, "Extra 4")
        self.assertEqual(len(large), len(small))

    def test_the_ledger_runs_the_same_queries_however_full_the_program(self):
        actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        self.login(self.dana)
        url = reverse("scheduling:ledger", args=[self.pat.code]) + "?week=2026-03-02"
        self.client.get(url)
        with CaptureQueriesContext(connection) as small:
            self.client.get(url)
        for i in range(5):
            person = self.make_participant(f"p{i}@example.org", f"Person{i}", "Test", "")
            actions.admit(person, self.group_b, starts_on=date(2026, 3, 2), acting_user=self.dana)
        ClinicianAvailability.objects.create(
            clinician=self.alvarez,
            weekday=1,
            starts_at=time(9),
            ends_at=time(17),
            timezone="America/New_York",
        )
        actions.book_appointment(
            self.pat,
            clinician=self.alvarez,
            kind="individual",
            day=date(2026, 3, 3),
            starts_at=time(10),
            ends_at=time(11),
            acting_user=self.dana,
        )
        with CaptureQueriesContext(connection) as large:
            response = self.client.get(url)
        self.assertContains(response, "Individual")
        self.assertEqual(len(large), len(small))

    def test_weeks_at_the_end_of_the_calendar_do_not_break_staff_pages(self):
        self.login(self.dana)
        for url in (
            reverse("scheduling:week_grid", args=[self.program.code]),
            reverse("scheduling:ledger", args=[self.pat.code]),
        ):
            for week in ("9999-12-31", "0001-01-01"):
                response = self.client.get(url, {"week": week})
                self.assertEqual(response.status_code, 200, (url, week))

    def test_the_waitlist_shows_since_when_in_the_viewers_zone(self):
        actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        Group.objects.filter(pk=self.group.pk).update(capacity=1)
        actions.admit(self.quinn, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        # 03:08 UTC on 1 December is still 30 November, 10:08 PM, in New York.
        late_evening = datetime(2026, 12, 1, 3, 8, tzinfo=UTC)
        Enrollment.objects.filter(participant=self.quinn).update(requested_at=late_evening)
        with time_machine.travel(late_evening, tick=False):
            self.login(self.dana)
            response = self.client.get(reverse("scheduling:roster", args=[self.group.code]))
        self.assertContains(response, "since Mon 30 Nov 2026, 10:08 PM EST")
        self.assertNotContains(response, "2026-12-01")

    def test_the_roster_shows_short_names_only(self):
        actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        self.login(self.sam)
        response = self.client.get(reverse("scheduling:roster", args=[self.group.code]))
        self.assertContains(response, "Pat L.")
        self.assertNotContains(response, "Lindqvist")
        self.assertContains(response, "Emotion regulation")  # week 9: the third topic again
