"""In-session crisis (issue 10, item 8): alerts in the waiting room, the crisis card, the
one-click move to a private room with a co-facilitator, and the alert's timeline."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.participants.models import Participant
from openiop.programs.models import Group
from openiop.safety.actions import raise_alert
from openiop.safety.models import AlertEvent, SafetyAlert, SafetyPlan
from openiop.scheduling.models import Booking
from openiop.telehealth.models import Attendance

from .helpers import make_session, waiting_attendance
from .test_views import VideoTestCase

SCRIPT = "<script>alert(1)</script>"


class CrisisTestCase(VideoTestCase):
    def setUp(self):
        super().setUp()
        Participant.objects.filter(pk=self.pat.pk).update(
            phone="+15555550142",
            emergency_contact_name="Ana Lindqvist",
            emergency_contact_relationship="sister",
            emergency_contact_phone="+15555550199",
        )

    def alert(self, participant, rule, kind=SafetyAlert.Kind.CRITICAL_ITEM):
        return raise_alert(participant, kind=kind, rule=rule, acting_user=self.alvarez)

    def panel(self, user, extra=""):
        self.login(user)
        return self.client.get(self.url("waiting_list") + extra)

    def press_help(self):
        attendance = self.admitted_pat()
        self.assertEqual(self.client.post(self.url("help")).status_code, 200)
        return attendance

    def timeline(self, kind):
        return AlertEvent.objects.filter(kind=kind)


class WaitingRoomAlertTests(CrisisTestCase):
    def test_the_waiting_room_shows_each_persons_open_alerts_and_acuity(self):
        waiting_attendance(self.group, self.pat)
        alert = self.alert(self.pat, "asq_positive")
        response = self.panel(self.alvarez)
        self.assertContains(response, "High: Critical answer on an instrument")
        self.assertContains(response, f'href="{alert.get_absolute_url()}"')

    def test_a_closed_alert_is_not_shown(self):
        waiting_attendance(self.group, self.pat)
        alert = self.alert(self.pat, "asq_positive")
        SafetyAlert.objects.filter(pk=alert.pk).update(
            status=SafetyAlert.Status.ACKNOWLEDGED,
            acknowledged_at=timezone.now(),
            acknowledged_by=self.alvarez,
            action=SafetyAlert.Action.CONTACTED,
            action_note="Called her.",
        )
        self.assertNotContains(self.panel(self.alvarez), "Critical answer on an instrument")

    def test_an_alert_the_facilitator_does_not_receive_shows_acuity_without_a_link(self):
        # Quinn's alerts go to Dr. Chen (team and on call), not to Dr. Alvarez.
        group = make_session(self, "Mixed group", [self.alvarez, self.sam], [self.pat, self.quinn])
        waiting_attendance(group, self.quinn)
        alert = self.alert(self.quinn, "asq_acute_positive")
        self.login(self.alvarez)
        response = self.client.get(reverse("telehealth:waiting_list", args=[group.code]))
        self.assertContains(response, "Emergency: Critical answer on an instrument")
        self.assertNotContains(response, alert.get_absolute_url())

    def test_the_alert_list_takes_constant_queries(self):
        # Room for everyone booked below: a session never holds more people than its seats.
        Group.objects.filter(sessions=self.group).update(capacity=30, hard_cap=30)

        def queries_for(people):
            for n in range(people):
                person = self.make_participant(
                    f"p{Participant.objects.count()}@example.org", f"P{n}", "Example", ""
                )
                Booking.objects.create(
                    session=self.group, participant=person, source=Booking.Source.MAKEUP
                )
                item = waiting_attendance(self.group, person)
                self.alert(person, "asq_positive")
                if n % 2:
                    # Half are in the room and pressed "I need help": crisis cards too.
                    Attendance.objects.filter(pk=item.pk).update(
                        state=Attendance.State.ADMITTED,
                        admitted_at=timezone.now(),
                        help_requested_at=timezone.now(),
                    )
            self.login(self.alvarez)
            # A poll of the room page: each card's read is recorded once per page view.
            url = self.url("waiting_list") + f"?view=v{people}"
            self.client.get(url)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200)
            return len(queries)

        self.assertEqual(queries_for(2), queries_for(6))


class CrisisCardTests(CrisisTestCase):
    def test_i_need_help_shows_location_phones_emergency_contact_and_call_links(self):
        attendance = self.press_help()
        response = self.panel(self.alvarez)
        self.assertContains(response, 'Pat L.: pressed "I need help"')
        self.assertContains(response, "Brooklyn, NY")
        self.assertContains(response, "(555) 555-0100")  # the call-back number given today
        self.assertContains(response, "(555) 555-0142")  # the chart's phone
        self.assertContains(response, "Ana Lindqvist (sister)")
        self.assertContains(response, 'href="tel:+15555550199"')
        self.assertContains(response, 'href="tel:+15555550100"')
        self.assertContains(response, "Emergency: Asked for help during a video session")
        self.assertContains(response, "Move Pat L. to a private room")
        # Sam is the group's co-facilitator: chosen by default to join Pat.
        self.assertContains(response, f'<option value="{self.sam.pk}" selected>')
        self.assertEqual(
            AuditEvent.objects.filter(
                event_type="telehealth.crisis_card_viewed", target_id=str(attendance.code)
            ).count(),
            1,
        )

    def test_i_need_help_goes_on_the_alert_timeline_with_the_help_rule(self):
        self.press_help()
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.assertEqual(alert.triggers.get().rule, "help_requested")
        kinds = list(alert.events.values_list("kind", flat=True))
        self.assertEqual(kinds[0], AlertEvent.Kind.RAISED)
        self.assertEqual(kinds.count(AlertEvent.Kind.HELP_PRESSED), 1)
        self.assertEqual(alert.acuity, 3)

    def test_the_card_links_the_active_safety_plan(self):
        plan = SafetyPlan.objects.create(
            participant=self.pat,
            status=SafetyPlan.Status.ACTIVE,
            created_by=self.alvarez,
            created_at=timezone.now(),
            signed_by=self.alvarez,
            signed_at=timezone.now(),
        )
        self.press_help()
        response = self.panel(self.alvarez)
        try:
            url = plan.get_absolute_url()
        except Exception:  # the safety plan's pages are another part of issue 10
            self.assertContains(response, "Version 1 in use")
        else:
            self.assertContains(response, f'href="{url}"')

    def test_a_disconnect_during_an_open_emergency_alert_shows_the_card(self):
        self.admitted_pat()
        alert = self.alert(self.pat, "asq_acute_positive")
        self.client.post(self.url("presence"), {"kind": "joined"})
        self.assertNotContains(self.panel(self.alvarez), "left the room during an emergency")
        self.login(self.pat_user)
        self.assertEqual(self.client.post(self.url("presence"), {"kind": "lost"}).status_code, 204)
        response = self.panel(self.alvarez)
        self.assertContains(response, "Pat L.: left the room during an emergency alert")
        self.assertContains(response, 'href="tel:+15555550199"')
        event = alert.events.get(kind=AlertEvent.Kind.DISCONNECTED)
        self.assertEqual(event.actor, self.pat_user)
        # Back in the room: the card goes, the timeline keeps the line.
        self.login(self.pat_user)
        self.client.post(self.url("presence"), {"kind": "joined"})
        self.assertNotContains(self.panel(self.alvarez), "left the room during an emergency")
        self.assertEqual(alert.events.filter(kind=AlertEvent.Kind.DISCONNECTED).count(), 1)

    def test_a_disconnect_without_an_emergency_alert_is_not_a_crisis(self):
        self.admitted_pat()
        alert = self.alert(self.pat, "asq_positive")
        self.client.post(self.url("presence"), {"kind": "left"})
        self.assertNotContains(self.panel(self.alvarez), "crisis-card")
        self.assertFalse(alert.events.filter(kind=AlertEvent.Kind.DISCONNECTED).exists())

    def test_script_in_every_field_of_the_card_renders_inert(self):
        self.press_help()
        Participant.objects.filter(pk=self.pat.pk).update(
            emergency_contact_name=SCRIPT, emergency_contact_relationship=SCRIPT
        )
        Attendance.objects.filter(participant=self.pat).update(location=SCRIPT)
        response = self.panel(self.alvarez)
        self.assertNotContains(response, SCRIPT)
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")


class MoveToPrivateRoomTests(CrisisTestCase):
    def test_one_click_moves_the_participant_to_a_private_room_with_the_co_facilitator(self):
        attendance = self.press_help()
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.login(self.alvarez)
        response = self.client.post(
            self.url("breakout", attendance.code),
            {"to": "breakout", "with": str(self.sam.pk)},
            headers={"HX-Request": "true"},
        )
        self.assertEqual(response.status_code, 200)
        attendance.refresh_from_db()
        self.assertTrue(attendance.in_breakout)
        self.assertEqual(attendance.breakout_with, self.sam)
        event = alert.events.get(kind=AlertEvent.Kind.MOVED_TO_BREAKOUT)
        self.assertEqual((event.actor, event.recipient), (self.alvarez, self.sam))
        audit = AuditEvent.objects.get(event_type="telehealth.breakout_started")
        self.assertEqual(
            audit.details, {"session": str(self.group.code), "user": str(self.sam.code)}
        )
        # The participant's page is told to switch rooms; the group room stays open.
        self.login(self.pat_user)
        self.assertTrue(self.client.get(self.url("status")).json()["breakout"])
        # Sam's room page follows; his page in the private room does not loop.
        self.assertContains(self.panel(self.sam), "data-follow-breakout")
        self.assertNotContains(self.panel(self.sam, "?in=breakout"), "data-follow-breakout")
        self.assertNotContains(self.panel(self.alvarez), "data-follow-breakout")
        # The card stays at hand in the private room while the alert is open.
        self.assertContains(self.panel(self.sam, "?in=breakout"), "Join the private room")

    def test_without_a_co_facilitator_the_facilitator_goes_themselves(self):
        group = make_session(self, "Solo group", [self.alvarez], [self.pat])
        item = waiting_attendance(group, self.pat)
        Attendance.objects.filter(pk=item.pk).update(
            state=Attendance.State.ADMITTED,
            admitted_at=timezone.now(),
            help_requested_at=timezone.now(),
        )
        self.login(self.alvarez)
        response = self.client.get(reverse("telehealth:waiting_list", args=[group.code]))
        self.assertContains(response, f'<option value="{self.alvarez.pk}" selected>')

    def test_only_the_sessions_staff_can_be_chosen(self):
        attendance = self.press_help()
        self.login(self.alvarez)
        for person in (self.dana, self.chen, self.pat_user):
            with self.subTest(person=person.email):
                response = self.client.post(
                    self.url("breakout", attendance.code),
                    {"to": "breakout", "with": str(person.pk)},
                )
                self.assertEqual(response.status_code, 400)
        response = self.client.post(
            self.url("breakout", attendance.code), {"to": "breakout", "with": "x"}
        )
        self.assertEqual(response.status_code, 400)
        attendance.refresh_from_db()
        self.assertFalse(attendance.in_breakout)
        self.assertFalse(AlertEvent.objects.filter(kind=AlertEvent.Kind.MOVED_TO_BREAKOUT))

    def test_back_to_the_group_clears_the_companion(self):
        attendance = self.press_help()
        self.login(self.alvarez)
        self.client.post(
            self.url("breakout", attendance.code), {"to": "breakout", "with": str(self.sam.pk)}
        )
        self.client.post(self.url("breakout", attendance.code), {"to": "group"})
        attendance.refresh_from_db()
        self.assertFalse(attendance.in_breakout)
        self.assertIsNone(attendance.breakout_with)


class CallTests(CrisisTestCase):
    def test_a_call_from_the_card_goes_on_the_timeline_and_the_audit_trail(self):
        attendance = self.press_help()
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.login(self.alvarez)
        response = self.client.post(
            self.url("crisis_call", attendance.code), {"number": "emergency_contact"}
        )
        self.assertEqual(response.status_code, 204)
        event = alert.events.get(kind=AlertEvent.Kind.CALLED)
        self.assertEqual((event.actor, event.detail), (self.alvarez, "Emergency contact"))
        audit = AuditEvent.objects.get(event_type="telehealth.crisis_called")
        self.assertEqual(audit.details["kind"], "emergency_contact")
        self.assertEqual(audit.details["alert"], [str(alert.code)])
        self.assertNotIn("555", str(audit.details))

    def test_an_unknown_number_is_refused_and_records_nothing(self):
        attendance = self.press_help()
        self.login(self.alvarez)
        response = self.client.post(
            self.url("crisis_call", attendance.code), {"number": "+15555550100"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(AlertEvent.objects.filter(kind=AlertEvent.Kind.CALLED).exists())
