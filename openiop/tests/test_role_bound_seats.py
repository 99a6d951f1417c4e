"""A seat grants access only to someone who may hold it (issue 8, item 4).

Ada (an administrator) and Quinn's participant account are put straight into the database as
facilitators of Pat's group, on the program's on-call rota and on Pat's care team, as the
Django admin allowed before validation caught it. Every check that trusts a seat must ignore
those rows: 404 on charts, alerts, rosters, session pages and the facilitator's video pages.
"""

from datetime import UTC, datetime

import time_machine
from django.urls import reverse
from django.utils import timezone

from openiop.participants.models import CareTeamMember
from openiop.programs.models import GroupFacilitator, Program, ProgramMembership
from openiop.safety import access as safety_access
from openiop.safety.models import SafetyAlert
from openiop.scheduling.tests.base import matrix_fixture
from openiop.telehealth.tests.helpers import pats_group, waiting_attendance
from openiop.testing import BaseTestCase

# A Tuesday morning in New York: the video sessions these tests open are within their window
# whatever the real day or hour.
FROZEN_AT = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)


def open_alert(participant):
    now = timezone.now()
    return SafetyAlert.objects.create(
        participant=participant,
        kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
        status=SafetyAlert.Status.OPEN,
        opened_at=now,
        last_triggered_at=now,
    )


@time_machine.travel(FROZEN_AT, tick=True)
class IneligibleSeatTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        fixture = matrix_fixture(self)
        self.group = fixture["own"]["group"]
        self.session = fixture["own"]["session"]
        self.video = pats_group(self)
        assert self.video.group is not None
        video_group = self.video.group
        waiting_attendance(self.video, self.pat)
        self.alert = open_alert(self.pat)
        for person in (self.admin, self.quinn_user):
            GroupFacilitator.objects.create(group=self.group, clinician=person, role="peer")
            GroupFacilitator.objects.create(
                group=video_group, clinician=person, role="co_facilitator"
            )
            ProgramMembership.objects.create(
                program=self.program, user=person, role=ProgramMembership.Role.ON_CALL
            )
            CareTeamMember.objects.create(
                participant=self.pat, clinician=person, role=CareTeamMember.Role.THERAPIST
            )

    def pages(self):
        video = self.video.code
        return {
            "chart": reverse("participants:chart", args=[self.pat.code]),
            "ledger": reverse("scheduling:ledger", args=[self.pat.code]),
            "alert": reverse("safety:alert", args=[self.alert.code]),
            "roster": reverse("scheduling:roster", args=[self.group.code]),
            "session": reverse("scheduling:session", args=[self.session.code]),
            "video join": reverse("telehealth:join", args=[video]),
            "video room": reverse("telehealth:room", args=[video]),
            "waiting list": reverse("telehealth:waiting_list", args=[video]),
            "attendance": reverse("telehealth:attendance", args=[video]),
        }

    def test_an_administrator_in_a_seat_gets_404_everywhere(self):
        self.login(self.admin)
        for name, url in self.pages().items():
            with self.subTest(page=name):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_participant_account_in_a_seat_gets_404_on_staff_pages(self):
        self.login(self.quinn_user)
        for name, url in self.pages().items():
            with self.subTest(page=name):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_alert_list_shows_an_administrator_nothing(self):
        self.assertEqual(list(safety_access.open_alerts_for_user(self.admin)), [])
        self.login(self.admin)
        response = self.client.get(reverse("safety:alerts"))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, str(self.alert.code))
        self.assertNotContains(response, "Lindqvist")

    def test_my_video_sessions_list_no_session_an_administrator_was_seated_in(self):
        self.login(self.admin)
        response = self.client.get(reverse("telehealth:sessions"))
        self.assertNotContains(response, str(self.video.code))
        self.login(self.alvarez)
        response = self.client.get(reverse("telehealth:sessions"))
        self.assertContains(response, str(self.video.code))

    def test_the_caseload_shows_an_administrator_nothing(self):
        self.login(self.admin)
        response = self.client.get(reverse("participants:caseload"))
        self.assertNotContains(response, "Lindqvist")

    def test_the_real_facilitators_still_see_everything(self):
        self.login(self.alvarez)
        for name, url in self.pages().items():
            with self.subTest(page=name):
                self.assertIn(self.client.get(url).status_code, (200, 302))


@time_machine.travel(FROZEN_AT, tick=True)
class IneligibleOnCallTestCase(BaseTestCase):
    """An ineligible on-call row must not make a program look covered: its directors still
    receive alerts nobody else could act on."""

    def test_directors_still_receive_an_alert_when_only_an_administrator_is_on_call(self):
        program = Program.objects.create(name="Weekend IOP")
        ProgramMembership.objects.create(
            program=program, user=self.dana, role=ProgramMembership.Role.DIRECTOR
        )
        ProgramMembership.objects.create(
            program=program, user=self.admin, role=ProgramMembership.Role.ON_CALL
        )
        newcomer = self.make_participant("new@example.org", "Nia", "Newcomer", "", program)
        alert = open_alert(newcomer)
        self.assertEqual(list(safety_access.open_alerts_for_user(self.dana)), [alert])
        self.assertTrue(safety_access.can_acknowledge(self.dana, newcomer))
        self.assertEqual(list(safety_access.open_alerts_for_user(self.admin)), [])


@time_machine.travel(FROZEN_AT, tick=True)
class PeerSpecialistSeatTestCase(BaseTestCase):
    """Sam (peer specialist) holds seats only in programs that seat peer specialists."""

    def setUp(self):
        super().setUp()
        self.group = matrix_fixture(self)["own"]["group"]

    def test_sam_reads_the_chart_and_roster_where_peers_are_allowed(self):
        self.login(self.sam)
        self.assertEqual(
            self.client.get(reverse("participants:chart", args=[self.pat.code])).status_code, 200
        )
        self.assertEqual(
            self.client.get(reverse("scheduling:roster", args=[self.group.code])).status_code, 200
        )

    def test_sam_loses_both_when_the_program_stops_seating_peers(self):
        Program.objects.filter(pk=self.program.pk).update(peer_specialists_allowed=False)
        self.login(self.sam)
        self.assertEqual(
            self.client.get(reverse("participants:chart", args=[self.pat.code])).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("scheduling:roster", args=[self.group.code])).status_code, 404
        )

    def test_a_peer_specialist_on_call_is_not_on_call(self):
        ProgramMembership.objects.create(
            program=self.program, user=self.sam, role=ProgramMembership.Role.ON_CALL
        )
        alert = open_alert(self.quinn)
        self.assertNotIn(alert, safety_access.open_alerts_for_user(self.sam))
