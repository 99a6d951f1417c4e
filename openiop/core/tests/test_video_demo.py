"""`make demo` prints who can join the live video session: each of them really can (issue 13)."""

import re
from io import StringIO

from django.core.management import call_command

from openiop.accounts.models import User
from openiop.programs.models import GroupFacilitator
from openiop.scheduling.models import Enrollment
from openiop.telehealth.actions import confirm_location
from openiop.telehealth.schedule import get_session
from openiop.testing import BaseTestCase


class VideoDemoTestCase(BaseTestCase):
    def test_everyone_printed_for_the_live_session_can_join_it(self):
        call_command("load_demo", "--quiet", stdout=StringIO())
        out = StringIO()
        call_command("load_video_demo", stdout=out)
        text = out.getvalue()
        code = re.search(r"/video/([0-9a-f-]{36})/", text)
        assert code, text
        info = get_session(code.group(1))
        assert info is not None
        emails = re.findall(r"^  participant (\S+)$", text, re.MULTILINE)
        self.assertEqual(len(emails), 3, text)
        for email in emails:
            user = User.objects.get(email=email)
            participant = user.participant
            # Joining from home: the location gate and the consent gate both let them in.
            attendance = confirm_location(
                info,
                participant,
                location="Home",
                location_state=participant.home_state,
                callback_phone="+15555550100",
                private_place=True,
                acting_user=user,
            )
            self.assertEqual(attendance.participant, participant)

    def test_every_seated_or_waiting_demo_member_has_a_facilitator_licensed_at_home(self):
        call_command("load_demo", "--participants", "60", "--quiet", stdout=StringIO())
        live = Enrollment.objects.filter(status__in=["seated", "waitlisted"]).select_related(
            "participant"
        )
        self.assertGreater(live.count(), 20)
        for enrollment in live:
            states = set()
            for role in GroupFacilitator.objects.filter(group=enrollment.group_id):
                states |= role.clinician.licensed_states()
            self.assertIn(enrollment.participant.home_state, states, enrollment.participant)
