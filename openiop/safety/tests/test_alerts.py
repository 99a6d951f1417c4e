"""Safety alerts: raised, collapsed, never dropped, closed only by a documented action."""

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
from django.http import Http404

from openiop.accounts.models import User
from openiop.assessments import actions as assessment_actions
from openiop.assessments.actions import shipped_instrument
from openiop.audit.models import AuditEvent
from openiop.programs.models import Program, ProgramMembership
from openiop.safety import access, actions
from openiop.safety.models import SafetyAlert
from openiop.testing import BaseTestCase, make_user


class CriticalItemDeduplicationTestCase(BaseTestCase):
    """Safety, not the questionnaire, decides whether a critical answer is a new signal."""

    def setUp(self):
        super().setUp()
        phq9 = shipped_instrument("phq-9")
        assignment = assessment_actions.assign_instrument(self.pat, phq9, acting_user=self.alvarez)
        self.draft = assessment_actions.answer(
            assignment,
            {"1": "LA6568-5"},
            intent=assessment_actions.Intent.SAVE,
            acting_user=self.pat_user,
            source="participant",
        ).response

    def signal(self, *ids, submitted=False):
        return actions.raise_critical_item_alert(
            self.pat,
            response=self.draft,
            critical_items=[{"id": i, "item": "9", "label": "", "reason": "answered"} for i in ids],
            submitted=submitted,
            acting_user=self.pat_user,
        )

    def test_the_same_draft_signal_twice_adds_nothing(self):
        alert = self.signal("suicidal-thoughts")
        self.assertIsNone(self.signal("suicidal-thoughts"))
        alert.refresh_from_db()
        self.assertEqual(alert.trigger_count, 1)

    def test_a_new_critical_item_or_a_submission_adds_a_trigger(self):
        alert = self.signal("suicidal-thoughts")
        self.assertEqual(self.signal("suicidal-thoughts", "other-item"), alert)
        self.assertEqual(self.signal("suicidal-thoughts", submitted=True), alert)
        alert.refresh_from_db()
        self.assertEqual(alert.trigger_count, 3)

    def test_no_critical_item_raises_nothing(self):
        self.assertIsNone(self.signal())
        self.assertFalse(SafetyAlert.objects.exists())


class SafetyAlertTestCase(BaseTestCase):
    def concern(self, participant=None):
        return actions.raise_alert(
            participant or self.pat,
            kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
            acting_user=self.alvarez,
            concern="Said goodbye to the group in an unusual way",
        )

    def test_duplicates_collapse_into_the_open_alert(self):
        first = self.concern()
        second = self.concern()
        self.assertEqual(first, second)
        second.refresh_from_db()
        self.assertEqual(second.trigger_count, 2)
        self.assertEqual(second.triggers.count(), 2)
        self.assertEqual(
            list(
                AuditEvent.objects.filter(event_type__startswith="safety.").values_list(
                    "event_type", flat=True
                )
            ),
            ["safety.alert_raised", "safety.alert_repeated"],
        )

    def test_a_signal_after_acknowledgement_opens_a_new_alert(self):
        first = self.concern()
        actions.acknowledge_alert(
            first, action="contacted", note="Called; safe at home", acting_user=self.alvarez
        )
        second = self.concern()
        self.assertNotEqual(first, second)
        self.assertTrue(second.is_open)

    def test_acknowledging_records_the_action(self):
        alert = self.concern()
        actions.acknowledge_alert(
            alert, action="risk_assessed", note="Low acute risk", acting_user=self.alvarez
        )
        alert.refresh_from_db()
        self.assertEqual(alert.status, SafetyAlert.Status.ACKNOWLEDGED)
        self.assertEqual(alert.acknowledged_by, self.alvarez)
        event = AuditEvent.objects.get(event_type="safety.alert_acknowledged")
        self.assertEqual(event.details["action"], "risk_assessed")
        self.assertNotIn("Low acute risk", str(event.details))
        with self.assertRaises(actions.AlreadyAcknowledged):
            actions.acknowledge_alert(alert, action="other", note="x", acting_user=self.chen)

    def test_the_database_refuses_an_undocumented_acknowledgement(self):
        alert = self.concern()
        with self.assertRaises(IntegrityError), transaction.atomic():
            SafetyAlert.objects.filter(pk=alert.pk).update(status="acknowledged")

    def test_the_database_refuses_to_delete_an_alert(self):
        alert = self.concern()
        with self.assertRaises(DatabaseError), transaction.atomic():
            alert.triggers.all().delete()
        with self.assertRaises(DatabaseError), transaction.atomic():
            SafetyAlert.objects.filter(pk=alert.pk).delete()

    def test_the_database_keeps_one_open_alert_per_kind(self):
        alert = self.concern()
        with self.assertRaises(IntegrityError), transaction.atomic():
            SafetyAlert.objects.create(
                participant=self.pat,
                kind=alert.kind,
                opened_at=alert.opened_at,
                last_triggered_at=alert.opened_at,
            )

    def test_alerts_go_to_the_care_team_and_the_on_call_clinician(self):
        alert = self.concern()
        for user in (self.alvarez, self.sam, self.chen):
            self.assertEqual(list(access.open_alerts_for_user(user)), [alert], user)
        for user in (self.ivy, self.admin, self.pat_user, self.quinn_user):
            self.assertEqual(list(access.open_alerts_for_user(user)), [], user)

    def test_outsiders_get_404_and_read_only_members_cannot_acknowledge(self):
        alert = self.concern()
        with self.assertRaises(Http404):
            access.get_alert_for_user(self.ivy, alert.code)
        with self.assertRaises(Http404):
            access.get_alert_for_user(self.pat_user, alert.code)
        with self.assertRaises(PermissionDenied):
            access.get_alert_for_user(self.sam, alert.code, write=True)
        self.assertEqual(
            access.get_alert_for_user(self.sam, alert.code), (alert, access.Access.READ)
        )
        for clinician in (self.chen, self.alvarez):
            self.assertEqual(
                access.get_alert_for_user(clinician, alert.code, write=True),
                (alert, access.Access.WRITE),
            )

    def test_an_alert_nobody_could_act_on_goes_to_the_program_director(self):
        program = Program.objects.create(name="Evening IOP")
        director = make_user("dee@example.org", "Dee", "Director", User.Role.PROGRAM_DIRECTOR)
        ProgramMembership.objects.create(
            program=program, user=director, role=ProgramMembership.Role.DIRECTOR
        )
        newcomer = self.make_participant("new@example.org", "Noa", "Newcomer", "", program)
        alert = self.concern(newcomer)
        self.assertEqual(list(access.open_alerts_for_user(director)), [alert])
        self.assertTrue(access.can_acknowledge(director, newcomer))
        self.assertEqual(list(access.open_alerts_for_user(self.dana)), [])
        # The ladder made her its owner (nobody else could act), so once someone is on call the
        # alert reaches them too and stays on her banner until someone acknowledges it.
        alert.refresh_from_db()
        self.assertEqual(alert.owner, director)
        ProgramMembership.objects.create(
            program=program, user=self.chen, role=ProgramMembership.Role.ON_CALL
        )
        self.assertEqual(list(access.open_alerts_for_user(director)), [alert])
        self.assertIn(alert, access.alerts_for_user(director))
        self.assertTrue(access.can_acknowledge(director, newcomer))
        self.assertIn(alert, access.open_alerts_for_user(self.chen))

    def test_open_alerts_are_one_query(self):
        self.concern()
        self.concern(self.quinn)
        with self.assertNumQueries(1):
            alerts = list(access.open_alerts_for_user(self.chen))
            [a.participant.short_name for a in alerts]
        self.assertEqual(len(alerts), 2)
