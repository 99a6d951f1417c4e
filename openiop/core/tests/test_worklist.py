"""My work today (the staff home) and the team's late and unsigned notes."""

from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.careplans.models import PlanSignature, TreatmentPlan
from openiop.core import worklist
from openiop.notes.models import GroupNote, Note
from openiop.notes.rules import may_cosign
from openiop.participants.models import CareTeamMember
from openiop.programs.models import GroupFacilitator
from openiop.safety.models import SafetyAlert
from openiop.scheduling.models import Booking, Session
from openiop.scheduling.tests.base import SchedulingTestCase

NEW_YORK = ZoneInfo("America/New_York")
# Wednesday 4 March 2026, 10 AM in New York.
NOW = datetime(2026, 3, 4, 15, tzinfo=UTC)
TODAY = date(2026, 3, 4)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=NEW_YORK)


class WorklistTestCase(SchedulingTestCase):
    """Dr. Alvarez runs Pat's individual sessions and leads Evening DBT A (Sam co-facilitates);
    Dr. Chen sees Quinn. Times are New York's."""

    home: ClassVar[str]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.home = reverse("home")

    def appointment(self, start, participant=None, clinician=None, minutes=50, attendance=""):
        participant = participant or self.pat
        session = Session.objects.create(
            program=self.program,
            kind=Session.Kind.INDIVIDUAL,
            clinician=clinician or self.alvarez,
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            local_date=start.date(),
            local_starts_at=start.time(),
            local_ends_at=(start + timedelta(minutes=minutes)).time(),
            timezone="America/New_York",
        )
        self.book(session, participant, attendance)
        return session

    def group_session(self, start, attendance=None):
        session = Session.objects.create(
            program=self.program,
            kind=Session.Kind.GROUP,
            group=self.group,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            local_date=start.date(),
            local_starts_at=start.time(),
            local_ends_at=(start + timedelta(hours=3)).time(),
            timezone="America/New_York",
        )
        for participant, mark in (attendance or {}).items():
            self.book(session, participant, mark)
        return session

    def book(self, session, participant, attendance=""):
        minutes = None
        if attendance:
            minutes = 0 if attendance in ("absent", "excused") else session.minutes
        return Booking.objects.create(
            session=session,
            participant=participant,
            source=Booking.Source.APPOINTMENT if session.group is None else "enrollment",
            attendance=attendance,
            minutes_attended=minutes,
        )

    def note(self, session, participant=None, author=None, **fields):
        return Note.objects.create(
            participant=participant or self.pat,
            session=session,
            kind=session.kind if session else Note.Kind.INDIVIDUAL,
            author=author or self.alvarez,
            **fields,
        )

    def signed(self, **fields):
        return {"status": Note.Status.SIGNED, "signed_at": timezone.now(), **fields}

    def page(self, user):
        self.login(user)
        return self.client.get(self.home)


@time_machine.travel(NOW, tick=False)
class HomeTestCase(WorklistTestCase):
    def test_clinicians_and_directors_land_on_their_worklist(self):
        for user in (self.alvarez, self.sam, self.chen, self.dana):
            with self.subTest(user=user.email):
                response = self.page(user)
                self.assertContains(response, "<h1>My work today</h1>", html=True)

    def test_intake_coordinators_land_on_the_referrals(self):
        self.assertRedirects(
            self.page(self.ivy), reverse("intake:referrals"), fetch_redirect_response=False
        )

    def test_administrators_land_on_the_administration_page(self):
        response = self.page(self.admin)
        self.assertContains(response, "<h1>Administration</h1>", html=True)
        self.assertNotContains(response, reverse("participants:caseload"))

    def test_an_empty_worklist_says_so_in_every_section(self):
        response = self.page(self.alvarez)
        for text in (
            "Today's sessions (0)",
            "No sessions today.",
            "Notes to write (0)",
            "No notes to write",
            "Notes to sign (0)",
            "No drafts waiting for your signature.",
            "Notes to co-sign (0)",
            "No notes waiting for your co-signature.",
            "Plan reviews due (0)",
            "No plan reviews due",
            "Plans awaiting your signature (0)",
            "Open safety alerts (0)",
            "No open safety alerts for your participants.",
        ):
            self.assertContains(response, text)
        self.assertNotContains(response, reverse("core:team_worklist"))

    def test_it_records_no_chart_read(self):
        from openiop.audit.models import AuditEvent
        from openiop.audit.reads import READ_EVENTS

        self.appointment(at(TODAY, 14))
        self.page(self.alvarez)
        self.assertFalse(AuditEvent.objects.filter(event_type__in=READ_EVENTS).exists())


@time_machine.travel(NOW, tick=False)
class TodaysSessionsTestCase(WorklistTestCase):
    def test_it_lists_the_days_appointments_and_groups_in_the_viewers_zone(self):
        individual = self.appointment(at(TODAY, 14))
        group = self.group_session(at(TODAY, 18), {self.pat: "", self.quinn: ""})
        self.appointment(at(TODAY + timedelta(days=1), 9))  # tomorrow
        self.appointment(at(TODAY, 11), participant=self.quinn, clinician=self.chen)  # not hers
        response = self.page(self.alvarez)
        self.assertContains(response, "Today's sessions (2)")
        self.assertContains(response, "Individual session</a>,")
        self.assertContains(response, "2:00 PM – 2:50 PM EST, with <bdi>Pat L.</bdi>")
        self.assertContains(response, "Evening DBT A</a>,")
        self.assertContains(response, "6:00 PM – 9:00 PM EST, 2 booked")
        for session in (individual, group):
            self.assertContains(response, reverse("scheduling:session", args=[session.code]))
            self.assertContains(response, reverse("telehealth:join", args=[session.code]))
        # Sam co-facilitates the group but has no appointments.
        self.assertContains(self.page(self.sam), "Today's sessions (1)")

    def test_today_is_the_viewers_day(self):
        # 11 PM in New York is already tomorrow in UTC, and 8 PM in Los Angeles.
        self.appointment(at(TODAY, 23))
        self.assertContains(self.page(self.alvarez), "11:00 PM – 11:50 PM EST")
        self.alvarez.timezone = "America/Los_Angeles"
        self.alvarez.save()
        self.assertContains(self.page(self.alvarez), "8:00 PM – 8:50 PM PST")
        with time_machine.travel(at(TODAY, 4), tick=False):  # 1 AM in Los Angeles
            self.assertContains(self.page(self.alvarez), "Today's sessions (1)")
        self.alvarez.timezone = "Europe/Berlin"  # where the session falls on Thursday
        self.alvarez.save()
        self.assertContains(self.page(self.alvarez), "Today's sessions (0)")

    def test_cancelled_sessions_are_left_out(self):
        session = self.appointment(at(TODAY, 14))
        Session.objects.filter(pk=session.pk).update(status="cancelled", cancelled_at=NOW)
        self.assertContains(self.page(self.alvarez), "Today's sessions (0)")


@time_machine.travel(NOW, tick=False)
class NotesToWriteTestCase(WorklistTestCase):
    def test_an_attended_session_without_a_note_is_listed_with_the_note_writer(self):
        session = self.appointment(at(TODAY - timedelta(days=1), 10), attendance="present")
        response = self.page(self.alvarez)
        self.assertContains(response, "Notes to write (1)")
        expected = reverse("notes:start_for_session", args=[session.code])
        self.assertContains(response, f'href="{expected}?participant={self.pat.code}"')
        self.assertContains(
            response, "with <bdi>Pat L.</bdi>, Tue 3 Mar, 10:00 AM EST (attendance: present)"
        )
        self.assertContains(response, "Due Fri 6 Mar, 10:50 AM EST.")

    def test_a_session_past_the_programs_note_window_is_late(self):
        self.appointment(at(TODAY - timedelta(days=4), 10), attendance="late")
        self.assertContains(
            self.page(self.alvarez), "<strong>Late:</strong> was due Tue 3 Mar, 10:50 AM EST"
        )

    def test_absences_notes_already_started_and_sessions_to_come_are_left_out(self):
        yesterday = TODAY - timedelta(days=1)
        self.appointment(at(yesterday, 9), attendance="absent")
        started = self.appointment(at(yesterday, 11), attendance="present")
        self.note(started)
        self.appointment(at(TODAY, 14))  # later today
        self.appointment(at(TODAY, 9, 30))  # still running at 10 AM
        self.appointment(at(yesterday, 13), participant=self.quinn, clinician=self.chen)
        response = self.page(self.alvarez)
        self.assertContains(response, "Notes to write (0)")
        self.assertContains(response, "No notes to write")

    def test_sessions_older_than_thirty_days_are_left_to_the_team_page(self):
        self.appointment(at(TODAY - timedelta(days=31), 10), attendance="present")
        self.assertContains(self.page(self.alvarez), "Notes to write (0)")
        self.login(self.dana)
        self.assertContains(self.client.get(reverse("core:team_worklist")), "Late notes (1)")

    def test_unrecorded_attendance_still_asks_for_the_note(self):
        self.appointment(at(TODAY - timedelta(days=1), 10))
        self.assertContains(self.page(self.alvarez), "(attendance not recorded)")

    def test_a_group_session_needs_its_signed_group_note(self):
        session = self.group_session(
            at(TODAY - timedelta(days=1), 18),
            {self.pat: "present", self.quinn: ""},
        )
        self.group_session(at(TODAY - timedelta(days=2), 18), {self.pat: "absent"})
        for user in (self.alvarez, self.sam):  # both facilitators
            response = self.page(user)
            self.assertContains(response, "Notes to write (1)")
            self.assertContains(response, "1 attended, attendance not recorded for 1")
        self.assertContains(self.page(self.chen), "Notes to write (0)")
        draft = GroupNote.objects.create(session=session, author=self.alvarez)
        # A draft is still to write (and to sign); a signed one is done.
        self.assertContains(self.page(self.alvarez), "Notes to write (1)")
        draft.status = GroupNote.Status.SIGNED
        draft.signed_at = NOW
        draft.signed_by = self.alvarez
        draft.save()
        self.assertContains(self.page(self.alvarez), "Notes to write (0)")


@time_machine.travel(NOW, tick=False)
class NotesToSignTestCase(WorklistTestCase):
    def test_own_drafts_are_to_sign(self):
        session = self.appointment(at(TODAY - timedelta(days=1), 10), attendance="present")
        draft = self.note(session)
        group = self.group_session(at(TODAY - timedelta(days=1), 18), {self.pat: "present"})
        GroupNote.objects.create(session=group, author=self.alvarez)
        self.note(
            self.appointment(at(TODAY - timedelta(days=2), 10), attendance="present"),
            **self.signed(signed_by=self.alvarez),
        )
        response = self.page(self.alvarez)
        self.assertContains(response, "Notes to sign (2)")
        self.assertContains(response, f'href="{reverse("notes:note", args=[draft.code])}"')
        self.assertContains(response, "Group note: Evening DBT A</a>")
        self.assertContains(self.page(self.sam), "Notes to sign (0)")

    def test_a_peer_specialists_note_is_co_signed_by_the_supervisor_or_a_director(self):
        self.program.requires_cosignature = True
        self.program.save()
        session = self.appointment(at(TODAY - timedelta(days=1), 10), attendance="present")
        note = self.note(
            session, author=self.sam, cosign_required=True, **self.signed(signed_by=self.sam)
        )
        # Without a supervisor, the program's director co-signs.
        self.assertContains(self.page(self.dana), "Notes to co-sign (1)")
        self.assertContains(self.page(self.dana), "signed by <bdi>Sam Rivera, CPS</bdi>")
        self.assertContains(self.page(self.alvarez), "Notes to co-sign (0)")
        self.sam.supervisor = self.alvarez
        self.sam.save()
        self.assertContains(self.page(self.alvarez), "Notes to co-sign (1)")
        self.assertContains(self.page(self.dana), "Notes to co-sign (0)")
        self.assertContains(self.page(self.sam), "Notes to co-sign (0)")
        # The list and the co-signing rule agree.
        for user, listed in ((self.alvarez, True), (self.dana, False), (self.sam, False)):
            self.assertEqual(may_cosign(user, self.sam, self.program), listed)
        Note.objects.filter(pk=note.pk).update(cosigned_by=self.alvarez, cosigned_at=NOW)
        self.assertContains(self.page(self.alvarez), "Notes to co-sign (0)")


class PlanReviewsTestCase(WorklistTestCase):
    def test_reviews_come_due_on_schedule_and_turn_overdue(self):
        # A plan that took effect on 9 February falls due 30 days later (the program's cadence).
        effective = date(2026, 2, 9)
        plan = TreatmentPlan.objects.create(
            participant=self.pat,
            status=TreatmentPlan.Status.ACTIVE,
            created_by=self.alvarez,
            effective_at=at(effective, 12),
            review_due_on=effective + timedelta(days=self.program.plan_review_days),
        )
        self.assertEqual(plan.review_due_on, date(2026, 3, 11))
        with time_machine.travel(at(date(2026, 3, 3), 12), tick=False):
            self.assertContains(self.page(self.alvarez), "Plan reviews due (0)")
        with time_machine.travel(at(date(2026, 3, 4), 12), tick=False):
            response = self.page(self.alvarez)
            self.assertContains(response, "Plan reviews due (1)")
            self.assertContains(response, "review due Wed 11 Mar 2026.")
            # Dr. Chen is not on Pat's team.
            self.assertContains(self.page(self.chen), "Plan reviews due (0)")
        with time_machine.travel(at(date(2026, 3, 12), 12), tick=False):
            self.assertContains(
                self.page(self.alvarez), "<strong>Overdue:</strong> review was due Wed 11 Mar 2026"
            )
        plan.status = TreatmentPlan.Status.SUPERSEDED
        plan.save()
        with time_machine.travel(at(date(2026, 3, 12), 12), tick=False):
            self.assertContains(self.page(self.alvarez), "Plan reviews due (0)")

    @time_machine.travel(NOW, tick=False)
    def test_plans_awaiting_the_users_signature(self):
        plan = TreatmentPlan.objects.create(
            participant=self.pat,
            status=TreatmentPlan.Status.AWAITING_SIGNATURES,
            created_by=self.alvarez,
        )
        response = self.page(self.alvarez)
        self.assertContains(response, "Plans awaiting your signature (1)")
        self.assertContains(response, "Treatment plan of <bdi>Pat L.</bdi></a>, version 1.")
        self.assertContains(self.page(self.sam), "Plans awaiting your signature (0)")
        PlanSignature.objects.create(
            plan=plan,
            role=PlanSignature.Role.PRIMARY_CLINICIAN,
            signed_by=self.alvarez,
            typed_name="Rosa Alvarez",
            attestation="Reviewed with the participant.",
            content_hash="0" * 64,
            signed_at=NOW,
        )
        self.assertContains(self.page(self.alvarez), "Plans awaiting your signature (0)")

    @time_machine.travel(NOW, tick=False)
    def test_a_physician_certifies_where_the_program_requires_it(self):
        TreatmentPlan.objects.create(
            participant=self.quinn,
            status=TreatmentPlan.Status.AWAITING_SIGNATURES,
            created_by=self.chen,
        )
        self.assertContains(self.page(self.chen), "Plans awaiting your signature (0)")
        self.program.requires_physician_certification = True
        self.program.save()
        self.assertContains(self.page(self.chen), "Plans awaiting your signature (1)")


@time_machine.travel(NOW, tick=False)
class AlertsTestCase(WorklistTestCase):
    def test_open_alerts_of_the_users_participants_link_to_the_alert(self):
        alert = SafetyAlert.objects.create(
            participant=self.pat,
            kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
            opened_at=NOW,
            last_triggered_at=NOW,
        )
        response = self.page(self.alvarez)
        self.assertContains(response, "Open safety alerts (1)")
        self.assertContains(response, f'href="{alert.get_absolute_url()}"')
        self.assertContains(response, "open since Wed 4 Mar, 10:00 AM EST")
        # Dr. Chen is on call for the program: alerts reach him too; not the director.
        self.assertContains(self.page(self.chen), "Open safety alerts (1)")
        self.assertContains(self.page(self.dana), "Open safety alerts (0)")
        SafetyAlert.objects.filter(pk=alert.pk).update(
            status="acknowledged",
            acknowledged_by=self.alvarez,
            acknowledged_at=NOW,
            action="contacted",
            action_note="Called.",
        )
        self.assertContains(self.page(self.alvarez), "Open safety alerts (0)")


@time_machine.travel(NOW, tick=False)
class QueryCountTestCase(WorklistTestCase):
    def fill(self, first, count):
        """`count` more rows in every section of Dr. Alvarez's worklist."""
        self.program.requires_cosignature = True
        self.program.save()
        self.sam.supervisor = self.alvarez
        self.sam.save()
        for n in range(first, first + count):
            participant = self.make_participant(f"p{n}@example.org", f"Person{n}", "Synthetic", "")
            CareTeamMember.objects.create(
                participant=participant,
                clinician=self.alvarez,
                role=CareTeamMember.Role.PRIMARY_CLINICIAN,
            )
            self.appointment(at(TODAY, 11 + n % 8, n % 6), participant=participant, minutes=5)
            self.appointment(at(TODAY - timedelta(days=1 + n), 9), participant, attendance="late")
            self.group_session(at(TODAY - timedelta(days=1 + n), 18), {participant: "present"})
            self.note(
                self.appointment(at(TODAY - timedelta(days=1 + n), 11), participant),
                participant=participant,
            )
            self.note(
                self.appointment(at(TODAY - timedelta(days=1 + n), 13), participant),
                participant=participant,
                author=self.sam,
                cosign_required=True,
                **self.signed(signed_by=self.sam),
            )
            TreatmentPlan.objects.create(
                participant=participant,
                status=TreatmentPlan.Status.ACTIVE,
                created_by=self.alvarez,
                review_due_on=TODAY + timedelta(days=n % 5),
            )
            TreatmentPlan.objects.create(
                participant=participant,
                status=TreatmentPlan.Status.AWAITING_SIGNATURES,
                created_by=self.alvarez,
            )
            SafetyAlert.objects.create(
                participant=participant,
                kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
                opened_at=NOW,
                last_triggered_at=NOW,
            )

    def queries(self, url):
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(captured), response

    def test_the_worklist_asks_the_same_number_of_queries_however_long(self):
        self.login(self.alvarez)
        self.fill(0, 1)
        few, response = self.queries(self.home)
        self.assertContains(response, "Notes to write (2)")
        self.fill(1, 8)
        many, response = self.queries(self.home)
        for heading in (
            "Today's sessions (9)",
            "Notes to write (18)",
            "Notes to sign (9)",
            "Notes to co-sign (9)",
            "Plan reviews due (9)",
            "Plans awaiting your signature (9)",
            "Open safety alerts (9)",
        ):
            self.assertContains(response, heading)
        self.assertEqual(few, many)
        # Past ROW_LIMIT rows a section shows the first ones and counts the rest.
        with mock.patch.object(worklist, "ROW_LIMIT", 4):
            limited, response = self.queries(self.home)
        self.assertContains(response, "Today's sessions (9)")
        self.assertContains(response, "And 5 more not shown here.")
        self.assertLessEqual(limited, many + 9)

    def test_the_team_page_asks_the_same_number_of_queries_however_long(self):
        self.program.note_due_hours = 12
        self.program.save()
        self.login(self.dana)
        url = reverse("core:team_worklist")
        self.fill(0, 1)
        few, response = self.queries(url)
        self.fill(1, 8)
        many, response = self.queries(url)
        self.assertContains(response, "Late notes (18)")
        self.assertContains(response, "Unsigned notes (9)")
        self.assertEqual(few, many)


@time_machine.travel(NOW, tick=False)
class TeamWorklistTestCase(WorklistTestCase):
    url: ClassVar[str]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.url = reverse("core:team_worklist")

    def test_only_directors_and_supervisors_see_the_team(self):
        for user, status in (
            (self.dana, 200),
            (self.alvarez, 404),
            (self.sam, 404),
            (self.chen, 404),
            (self.ivy, 404),
            (self.admin, 404),
            (self.pat_user, 404),
        ):
            with self.subTest(user=user.email):
                self.login(user)
                self.assertEqual(self.client.get(self.url).status_code, status)
        self.chen.supervisor = self.alvarez
        self.chen.save()
        self.login(self.alvarez)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertContains(self.client.get(self.home), f'href="{self.url}"')
        self.assertEqual(self.client.post(self.url).status_code, 405)

    def test_late_notes_come_after_the_programs_note_window(self):
        self.login(self.dana)
        # Ended 3 days ago (72 hours and 10 minutes): late. Ended yesterday: not yet.
        late = self.appointment(at(TODAY - timedelta(days=3), 9), attendance="present")
        self.appointment(at(TODAY - timedelta(days=1), 9), attendance="present")
        group = self.group_session(at(TODAY - timedelta(days=5), 18), {self.pat: "present"})
        response = self.client.get(self.url)
        self.assertContains(response, "Late notes (2)")
        self.assertContains(response, reverse("scheduling:session", args=[late.code]))
        self.assertContains(response, "<bdi>Rosa Alvarez, PsyD</bdi>")
        self.assertContains(response, "Evening DBT A</a>, Fri 27 Feb, 6:00 PM EST (1 to document)")
        self.assertContains(response, "<bdi>Rosa Alvarez, PsyD, Sam Rivera, CPS</bdi>")
        self.program.note_due_hours = 24
        self.program.save()
        self.assertContains(self.client.get(self.url), "Late notes (3)")
        # A draft moves a session from late to unsigned; a signed note takes it off.
        draft = self.note(late)
        GroupNote.objects.create(session=group, author=self.alvarez)
        response = self.client.get(self.url)
        self.assertContains(response, "Late notes (1)")
        self.assertContains(response, "Unsigned notes (2)")
        self.assertContains(response, "Draft, not signed")
        Note.objects.filter(pk=draft.pk).update(**self.signed(signed_by=self.alvarez))
        self.assertContains(self.client.get(self.url), "Unsigned notes (1)")

    def test_a_supervisor_sees_the_supervisees_notes_only(self):
        self.chen.supervisor = self.alvarez
        self.chen.save()
        self.appointment(
            at(TODAY - timedelta(days=4), 9),
            participant=self.quinn,
            clinician=self.chen,
            attendance="present",
        )
        self.appointment(at(TODAY - timedelta(days=4), 11), attendance="present")  # her own
        self.login(self.alvarez)
        response = self.client.get(self.url)
        self.assertContains(response, "Late notes (1)")
        self.assertContains(response, "<bdi>Wei Chen, MD</bdi>")
        self.assertContains(response, "<bdi>Quinn M.</bdi>")
        # Not a director of the program: no link to a session page she cannot open.
        session = Session.objects.get(clinician=self.chen)
        self.assertNotContains(response, reverse("scheduling:session", args=[session.code]))

    def test_an_empty_team_page_says_so(self):
        self.login(self.dana)
        response = self.client.get(self.url)
        self.assertContains(response, "Late notes (0)")
        self.assertContains(response, "No late notes.")
        self.assertContains(response, "Unsigned notes (0)")
        self.assertContains(response, "No unsigned notes past due.")

    def test_a_group_facilitated_by_a_supervisee_counts(self):
        GroupFacilitator.objects.filter(group=self.group, clinician=self.sam).delete()
        GroupFacilitator.objects.create(
            group=self.group, clinician=self.chen, role="co_facilitator"
        )
        self.chen.supervisor = self.alvarez
        self.chen.save()
        self.group_session(at(TODAY - timedelta(days=5), 18), {self.pat: "present"})
        self.login(self.alvarez)
        self.assertContains(self.client.get(self.url), "Late notes (1)")
