"""Who an alert reaches, what the banner shows, and the scoped emergency details on the alert.

Each test is named after the rule it protects (issue 10: access and banner faults, item 5).
"""

from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program, ProgramMembership
from openiop.safety import access, actions
from openiop.safety.models import (
    Acuity,
    AlertEvent,
    EscalationNotice,
    LadderStep,
    SafetyAlert,
)
from openiop.safety.tests.assessment_helpers import sign_brief_assessment
from openiop.testing import BaseTestCase, make_user

FROZEN_AT = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def concern(participant: Participant, user: User, *, rule: str = "") -> SafetyAlert:
    return actions.raise_alert(
        participant,
        kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
        acting_user=user,
        concern="Withdrawn in group",
        rule=rule,
    )


def opened(participant: Participant, *, kind: str, acuity: int, at: datetime) -> SafetyAlert:
    """An open alert at a given time and acuity, made without the ladder (a fixture)."""
    return SafetyAlert.objects.create(
        participant=participant, kind=kind, acuity=acuity, opened_at=at, last_triggered_at=at
    )


@time_machine.travel(FROZEN_AT, tick=False)
class AlertReachesAnActivePersonTestCase(BaseTestCase):
    def setUp(self):
        self.evening = Program.objects.create(name="Evening IOP")
        self.director = make_user("dee@example.org", "Dee", "Director", User.Role.PROGRAM_DIRECTOR)
        ProgramMembership.objects.create(
            program=self.evening, user=self.director, role=ProgramMembership.Role.DIRECTOR
        )
        self.lone = make_user(
            "lone@example.org",
            "Lou",
            "Lone",
            User.Role.CLINICIAN,
            discipline=User.Discipline.COUNSELOR,
        )
        ProgramMembership.objects.create(program=self.evening, user=self.lone)
        self.newcomer = self.make_participant("noa@example.org", "Noa", "N", "", self.evening)
        CareTeamMember.objects.create(
            participant=self.newcomer,
            clinician=self.lone,
            role=CareTeamMember.Role.PRIMARY_CLINICIAN,
        )

    def test_a_deactivated_only_clinician_sends_the_alert_to_the_director(self):
        User.objects.filter(pk=self.lone.pk).update(is_active=False)
        alert = concern(self.newcomer, self.director)
        self.assertEqual(list(access.open_alerts_for_user(self.director)), [alert])
        self.assertTrue(access.can_acknowledge(self.director, self.newcomer))

    def test_a_care_team_member_who_lost_the_clinician_role_does_not_count(self):
        User.objects.filter(pk=self.lone.pk).update(role=User.Role.INTAKE_COORDINATOR)
        alert = concern(self.newcomer, self.director)
        self.assertEqual(list(access.open_alerts_for_user(self.director)), [alert])

    def test_a_deactivated_on_call_member_does_not_cover_the_program(self):
        User.objects.filter(pk=self.lone.pk).update(is_active=False)
        ProgramMembership.objects.create(
            program=self.evening, user=self.lone, role=ProgramMembership.Role.ON_CALL
        )
        alert = concern(self.newcomer, self.director)
        self.assertEqual(list(access.open_alerts_for_user(self.director)), [alert])

    def test_an_active_clinician_keeps_the_alert_off_the_directors_banner(self):
        alert = concern(self.newcomer, self.director)
        self.assertEqual(list(access.open_alerts_for_user(self.director)), [])
        self.assertEqual(list(access.open_alerts_for_user(self.lone)), [alert])


@time_machine.travel(FROZEN_AT, tick=False)
class WhoSeesAnAlertTestCase(BaseTestCase):
    def setUp(self):
        self.alert = concern(self.pat, self.alvarez)

    def test_directors_read_every_alert_of_their_program(self):
        granted = access.get_alert_for_user(self.dana, self.alert.code)
        self.assertEqual(granted.row, self.alert)
        self.assertIn(self.alert, access.alerts_for_user(self.dana))
        self.login(self.dana)
        self.assertEqual(self.client.get(self.alert.get_absolute_url()).status_code, 200)

    def test_directors_may_acknowledge_because_the_ladder_climbs_to_them(self):
        self.assertTrue(access.get_alert_for_user(self.dana, self.alert.code, write=True).can_write)

    def test_another_programs_director_gets_404(self):
        other = make_user("odd@example.org", "Odd", "Director", User.Role.PROGRAM_DIRECTOR)
        ProgramMembership.objects.create(
            program=Program.objects.create(name="Other"),
            user=other,
            role=ProgramMembership.Role.DIRECTOR,
        )
        self.login(other)
        self.assertEqual(self.client.get(self.alert.get_absolute_url()).status_code, 404)

    def test_the_owner_and_whoever_the_ladder_notified_see_the_alert(self):
        backup = make_user(
            "mo@example.org",
            "Mo",
            "Medical",
            User.Role.CLINICIAN,
            discipline=User.Discipline.PSYCHIATRIST,
        )
        owner = make_user("ow@example.org", "Ow", "Owner", User.Role.CLINICIAN, discipline="nurse")
        self.assertNotIn(self.alert, access.alerts_for_user(backup))
        self.assertNotIn(self.alert, access.alerts_for_user(owner))
        SafetyAlert.objects.filter(pk=self.alert.pk).update(owner=owner)
        EscalationNotice.objects.create(
            alert=self.alert,
            step=LadderStep.BACKUP,
            recipient=backup,
            channel=EscalationNotice.Channel.EMAIL,
            claimed_at=timezone.now(),
        )
        for user in (backup, owner):
            self.assertIn(self.alert, access.alerts_for_user(user))
            self.assertIn(self.alert, access.open_alerts_for_user(user))
            self.assertTrue(access.get_alert_for_user(user, self.alert.code).can_write)

    def test_who_sees_an_alert_is_one_query(self):
        with self.assertNumQueries(1):
            list(access.alerts_for_user(self.dana))
        with self.assertNumQueries(1):
            list(access.open_alerts_for_user(self.chen))


@time_machine.travel(FROZEN_AT, tick=False)
class BannerNeverHidesAnEmergencyTestCase(BaseTestCase):
    def setUp(self):
        base = FROZEN_AT - timedelta(days=3)
        self.old = []
        people = [self.pat, self.quinn] + [
            self.make_participant(f"p{i}@example.org", f"Person{i}", "Z", "") for i in range(6)
        ]
        for i, person in enumerate(people[:7]):
            self.old.append(
                opened(
                    person,
                    kind=SafetyAlert.Kind.CRITICAL_ITEM,
                    acuity=Acuity.ELEVATED,
                    at=base + timedelta(minutes=i),
                )
            )
        self.emergencies = [
            opened(
                person,
                kind=SafetyAlert.Kind.HELP_REQUESTED,
                acuity=Acuity.EMERGENCY,
                at=FROZEN_AT - timedelta(minutes=i),
            )
            for i, person in enumerate(people)
        ]
        self.high = opened(
            people[7], kind=SafetyAlert.Kind.CRITICAL_ITEM, acuity=Acuity.HIGH, at=FROZEN_AT
        )

    def banner(self):
        self.login(self.chen)
        return self.client.get(reverse("participants:caseload"))

    def test_alerts_sort_by_acuity_then_age(self):
        alerts = list(access.open_alerts_for_user(self.chen))
        self.assertEqual(
            alerts[: len(self.emergencies)], sorted(self.emergencies, key=lambda a: a.opened_at)
        )
        self.assertEqual(alerts[len(self.emergencies)], self.high)
        self.assertEqual(alerts[-1], self.old[-1])

    def test_the_banner_shows_the_count_and_every_emergency(self):
        page = self.banner()
        total = len(self.old) + len(self.emergencies) + 1
        self.assertContains(page, f"{total} safety alerts to acknowledge")
        for alert in self.emergencies:
            self.assertContains(page, alert.get_absolute_url())
        # The oldest elevated alert does not push out a new emergency.
        self.assertNotContains(page, self.old[0].get_absolute_url())
        self.assertContains(page, "All open alerts")

    def test_the_banner_and_the_list_name_each_alerts_acuity_in_words(self):
        self.assertContains(self.banner(), '<span class="acuity acuity-3">Emergency</span>')
        page = self.client.get(reverse("safety:alerts"))
        self.assertContains(page, '<span class="acuity acuity-2">High</span>')
        self.assertContains(page, '<span class="acuity acuity-1">Elevated</span>')

    def test_the_banner_is_a_constant_number_of_queries(self):
        self.login(self.chen)
        url = reverse("participants:caseload")
        self.client.get(url)
        with CaptureQueriesContext(connection) as before:
            self.client.get(url)
        for i in range(3):
            person = self.make_participant(f"x{i}@example.org", f"Extra{i}", "Y", "")
            opened(person, kind=SafetyAlert.Kind.HELP_REQUESTED, acuity=3, at=FROZEN_AT)
        with CaptureQueriesContext(connection) as after:
            self.client.get(url)
        self.assertEqual(len(after), len(before))

    def test_the_alerts_list_sorts_by_acuity_and_counts(self):
        self.login(self.chen)
        page = self.client.get(reverse("safety:alerts"))
        body = page.content.decode()
        total = len(self.old) + len(self.emergencies) + 1
        self.assertIn(f"{total} open alerts", body)
        self.assertLess(
            body.index(str(self.emergencies[0].code)), body.index(str(self.old[0].code))
        )


class ClosedAlertTestCase(BaseTestCase):
    def test_a_single_alert_reads_in_the_singular(self):
        concern(self.pat, self.alvarez)
        self.login(self.alvarez)
        page = self.client.get(reverse("participants:caseload"))
        self.assertContains(page, "1 safety alert to acknowledge")
        self.assertEqual(
            AlertEvent.objects.filter(kind=AlertEvent.Kind.EMERGENCY_ACCESS).count(), 0
        )
        self.assertFalse(AuditEvent.objects.filter(event_type="safety.emergency_details_viewed"))


PHQ9_ANSWERS = {str(n): "LA6568-5" for n in range(1, 9)} | {"9": "LA6570-1"}


@time_machine.travel(FROZEN_AT, tick=False)
class ScopedEmergencyAccessTestCase(BaseTestCase):
    """Whoever an alert reaches sees, from the alert, what they need to act: not the chart."""

    def setUp(self):
        from openiop.assessments import actions as assessment_actions
        from openiop.assessments.actions import shipped_instrument

        Participant.objects.filter(pk=self.pat.pk).update(
            emergency_contact_name="Robin Lindqvist",
            emergency_contact_relationship="Sister",
            emergency_contact_phone="+15555550142",
        )
        assignment = assessment_actions.assign_instrument(
            self.pat, shipped_instrument("phq-9"), acting_user=self.alvarez
        )
        self.response = assessment_actions.answer(
            assignment,
            PHQ9_ANSWERS,
            intent=assessment_actions.Intent.SUBMIT,
            acting_user=self.pat_user,
            source="participant",
        ).response
        self.alert = SafetyAlert.objects.get(participant=self.pat)
        self.check_in(location="12 Elm St, Brooklyn", minutes_ago=90)

    def check_in(self, *, location: str, minutes_ago: int, state: str = "NY"):
        from openiop.telehealth.models import Attendance

        at = timezone.now() - timedelta(minutes=minutes_ago)
        return Attendance.objects.create(
            session_code=__import__("uuid").uuid4(),
            participant=self.pat,
            location=location,
            location_state=state,
            callback_phone="+15555550177",
            private_place=True,
            location_confirmed_at=at,
            waiting_since=at,
        )

    def test_the_on_call_clinician_sees_what_they_need_from_the_alert(self):
        self.login(self.chen)
        page = self.client.get(self.alert.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, 'href="tel:+15555550100"')
        self.assertContains(page, "Robin Lindqvist")
        self.assertContains(page, "Sister")
        self.assertContains(page, 'href="tel:+15555550142"')
        self.assertContains(page, "12 Elm St, Brooklyn")
        self.assertContains(page, "New York")
        self.assertContains(page, 'href="tel:+15555550177"')
        self.assertContains(page, "Thoughts that you would be better off dead")
        self.assertContains(page, "More than half the days — critical")
        self.assertContains(page, "No safety plan in use")

    def test_the_emergency_details_are_not_the_whole_chart(self):
        self.login(self.chen)
        self.assertEqual(self.client.get(self.pat.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(self.response.get_absolute_url()).status_code, 404)

    def test_the_alert_links_to_chart_pages_only_for_people_who_may_open_them(self):
        self.login(self.chen)
        page = self.client.get(self.alert.get_absolute_url())
        self.assertNotContains(page, f'href="{self.pat.get_absolute_url()}"')
        self.assertNotContains(page, f'href="{self.response.get_absolute_url()}"')
        self.login(self.alvarez)
        page = self.client.get(self.alert.get_absolute_url())
        self.assertContains(page, f'href="{self.pat.get_absolute_url()}"')
        self.assertContains(page, f'href="{self.response.get_absolute_url()}"')

    def test_directors_and_the_read_only_team_see_the_details_too(self):
        for user in (self.dana, self.sam, self.alvarez):
            self.login(user)
            self.assertContains(self.client.get(self.alert.get_absolute_url()), "Robin Lindqvist")

    def test_each_view_of_the_emergency_details_is_audited_and_on_the_timeline(self):
        self.login(self.chen)
        self.client.get(self.alert.get_absolute_url())
        self.client.get(self.alert.get_absolute_url())
        reads = AuditEvent.objects.filter(
            event_type="safety.emergency_details_viewed", actor=self.chen
        )
        self.assertEqual(reads.count(), 2)
        self.assertFalse(AuditEvent.objects.filter(event_type="safety.alert_viewed"))
        events = AlertEvent.objects.filter(
            alert=self.alert, kind=AlertEvent.Kind.EMERGENCY_ACCESS, actor=self.chen
        )
        self.assertEqual(events.count(), 2)
        for read in reads:
            self.assertNotIn("Robin", str(read.details))

    def test_a_bad_acknowledgement_shows_the_details_again_and_records_it(self):
        self.login(self.chen)
        url = reverse("safety:acknowledge", args=[self.alert.code])
        page = self.client.post(url, {"action": "contacted"})
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "Robin Lindqvist", status_code=400)
        self.assertEqual(
            AuditEvent.objects.filter(event_type="safety.emergency_details_viewed").count(), 1
        )

    def test_a_closed_alert_shows_the_acknowledgement_not_the_emergency_details(self):
        sign_brief_assessment(self.alert, acting_user=self.chen)
        actions.acknowledge_alert(
            self.alert, action="contacted", note="Called; safe.", acting_user=self.chen
        )
        self.login(self.chen)
        page = self.client.get(self.alert.get_absolute_url())
        self.assertContains(page, "Called; safe.")
        self.assertNotContains(page, "Robin Lindqvist")
        self.assertNotContains(page, "tel:+15555550100")
        self.assertNotContains(page, "12 Elm St")
        self.assertTrue(AuditEvent.objects.filter(event_type="safety.alert_viewed"))
        self.assertFalse(AuditEvent.objects.filter(event_type="safety.emergency_details_viewed"))

    def test_the_location_is_the_latest_check_in(self):
        self.check_in(location="Motel 6, Trenton", state="NJ", minutes_ago=5)
        self.login(self.chen)
        page = self.client.get(self.alert.get_absolute_url())
        self.assertContains(page, "Motel 6, Trenton")
        self.assertContains(page, "New Jersey")
        self.assertNotContains(page, "12 Elm St")

    def test_the_active_safety_plan_is_at_hand(self):
        from openiop.safety.models import SafetyPlan

        SafetyPlan.objects.create(
            participant=self.pat,
            version=3,
            status=SafetyPlan.Status.ACTIVE,
            created_by=self.alvarez,
            created_at=timezone.now(),
        )
        self.login(self.chen)
        page = self.client.get(self.alert.get_absolute_url())
        # A link to the plan's page where the safety-plan pages are installed, else its number.
        self.assertRegex(page.content.decode(), r"(?i)version 3,? ?\(?in use")
        self.assertNotContains(page, "No safety plan in use")

    def test_script_in_the_emergency_details_renders_inert(self):
        Participant.objects.filter(pk=self.pat.pk).update(
            emergency_contact_name="<script>alert(1)</script>",
            emergency_contact_relationship="<img src=x onerror=alert(2)>",
        )
        self.check_in(location="<script>alert(3)</script>", minutes_ago=1)
        self.login(self.chen)
        page = self.client.get(self.alert.get_absolute_url()).content.decode()
        self.assertNotIn("<script>alert", page)
        self.assertNotIn("<img src=x", page)
        self.assertIn("&lt;script&gt;alert(1)", page)

    def test_triggering_answers_are_numbered_as_the_participant_saw_them(self):
        from openiop.assessments import actions as assessment_actions
        from openiop.assessments.actions import shipped_instrument
        from openiop.safety.panels.emergency import answer_rows

        assignment = assessment_actions.assign_instrument(
            self.pat, shipped_instrument("asq"), acting_user=self.alvarez
        )
        response = assessment_actions.answer(
            assignment,
            {"1": "declined", "2": "no", "3": "no", "4": "no", "5": "no"},
            intent=assessment_actions.Intent.SUBMIT,
            acting_user=self.pat_user,
            source="participant",
        ).response
        # Question 5 keeps its number; the follow-ups to question 4 (4a, 4b), never shown
        # after a "no" to question 4, are not listed as unanswered.
        self.assertEqual([row.number for row in answer_rows(response)], ["1", "2", "3", "4", "5"])
        assignment = assessment_actions.assign_instrument(
            self.quinn, shipped_instrument("asq"), acting_user=self.chen
        )
        response = assessment_actions.answer(
            assignment,
            {"1": "no", "2": "no", "3": "no", "4": "yes", "4-how": "", "5": "no"},
            intent=assessment_actions.Intent.SUBMIT,
            acting_user=self.quinn_user,
            source="participant",
        ).response
        self.assertEqual(
            [row.number for row in answer_rows(response)], ["1", "2", "3", "4", "4a", "4b", "5"]
        )

    def test_the_alert_page_queries_do_not_grow_with_the_answers(self):
        self.login(self.chen)
        url = self.alert.get_absolute_url()
        with CaptureQueriesContext(connection) as one:
            self.client.get(url)
        actions.raise_critical_item_alert(
            self.pat,
            response=self.response,
            critical_items=self.response.critical_items,
            submitted=True,
            acting_user=self.pat_user,
        )
        with CaptureQueriesContext(connection) as two:
            self.client.get(url)
        self.assertEqual(len(two), len(one))


class AnyoneOnTheChartMayRaiseAConcernTestCase(BaseTestCase):
    def raise_concern(self, user: User):
        self.login(user)
        return self.client.post(
            reverse("safety:raise_concern", args=[self.pat.code]), {"concern": "Gave away books"}
        )

    def test_a_read_only_peer_specialist_raises_a_peer_concern(self):
        self.login(self.sam)
        self.assertContains(self.client.get(self.pat.get_absolute_url()), "Raise a safety alert")
        response = self.raise_concern(self.sam)
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.assertRedirects(response, alert.get_absolute_url())
        trigger = alert.triggers.get()
        self.assertEqual((trigger.rule, trigger.raised_by), ("peer_concern", self.sam))
        self.assertEqual(alert.acuity, Acuity.ELEVATED)

    def test_a_clinicians_concern_is_a_clinician_concern(self):
        self.raise_concern(self.alvarez)
        self.assertEqual(
            SafetyAlert.objects.get(participant=self.pat).triggers.get().rule, "clinician_concern"
        )

    def test_an_intake_coordinators_concern_is_a_staff_concern(self):
        self.raise_concern(self.ivy)
        self.assertEqual(
            SafetyAlert.objects.get(participant=self.pat).triggers.get().rule, "peer_concern"
        )

    def test_participants_and_outsiders_cannot_raise_a_concern(self):
        self.assertEqual(self.raise_concern(self.pat_user).status_code, 403)
        self.assertEqual(self.raise_concern(self.quinn_user).status_code, 404)
        self.assertEqual(self.raise_concern(self.chen).status_code, 404)
        self.assertFalse(SafetyAlert.objects.exists())

    def test_an_empty_concern_raises_nothing_and_says_why(self):
        self.login(self.sam)
        response = self.client.post(
            reverse("safety:raise_concern", args=[self.pat.code]), {"concern": " "}, follow=True
        )
        self.assertContains(response, "Describe the concern")
        self.assertFalse(SafetyAlert.objects.exists())
